import { cancellationOf } from '../util/cancel.js';
import type { CanonicalRequest, StreamEvent } from '../ir/index.js';
import type { SseEvent } from '../formats/types.js';
import { codecFor } from '../formats/index.js';
import { responseToEvents } from '../formats/shared/aggregate.js';
import type { Candidate } from '../router/registry.js';
import type { AttemptResult } from '../router/router.js';
import { executorFor } from '../providers/index.js';
import type { Executor } from '../providers/types.js';
import { dispatcherFor, effectiveProxy } from '../upstream/dispatcher.js';
import { readText, sendUpstream, type SseEventStream, type UpstreamResponse } from '../upstream/send.js';
import { sendWithFallback } from '../providers/unwrap.js';
import { applyPayloadRules, payloadProtocol } from '../router/payload.js';
import { AttemptGuard, attemptTimeouts } from './upstream-guard.js';
import { applyThinkingToCanonical, parseThinkingSuffix } from './thinking-suffix.js';
import { failureFromError, failureFromResponse, primeStream } from './upstream-attempt.js';
import type { App } from '../app.js';

/** Why a programmatic model call could not start: carries an HTTP-like status and a user-facing message. */
export class CanonicalCallError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
  ) {
    super(message);
  }
}

export interface CanonicalCallOptions {
  /** Model to route (after any mapping). */
  model: string;
  signal: AbortSignal;
  /** Session-affinity key (e.g. the thread id). */
  sessionId?: string;
  /** Called once with the credential that answered (for logging). */
  onCredential?: (label: string, attempts: number) => void;
}

interface Opened {
  executor: Executor;
  upstream: UpstreamResponse;
  /** Stream answers: the first batch (already read) and the rest. */
  first?: SseEvent[];
  rest?: SseEventStream;
  /** One-JSON-body answers. */
  json?: Record<string, unknown>;
}

/**
 * A model call made by cliproxy itself (the native Amp agent loop): a canonical request in, canonical stream
 * events out, through the same router attempt loop (credential choice, retries, cooldowns) as an inbound call.
 * Throws CanonicalCallError when no attempt succeeds; a failure after the first event arrives is an `error`
 * event in the stream, as for inbound streams.
 */
export async function* callCanonical(app: App, request: CanonicalRequest, opts: CanonicalCallOptions): AsyncGenerator<StreamEvent> {
  const signal = cancellationOf(opts.signal);
  const candidates = app.router.registry.candidates(opts.model);
  const thinking = parseThinkingSuffix(opts.model);
  if (thinking) {
    request = { ...request };
    applyThinkingToCanonical(request, thinking);
  }
  if (candidates.length === 0) throw new CanonicalCallError(`no credential serves model ${opts.model}`, 404, 'model_not_found');
  const cfg = app.config.current;
  const { firstByteMs, idleMs } = attemptTimeouts(cfg.streaming);

  const attempt = async (candidate: Candidate): Promise<AttemptResult<Opened>> => {
    const guard = new AttemptGuard(signal, firstByteMs, idleMs);
    const r = await attemptOnce(candidate, guard);
    // A served stream keeps its guard (idle timeout, caller abort) until it ends.
    if (!r.ok || !r.value.rest) guard.done();
    return r;
  };

  const attemptOnce = async (candidate: Candidate, guard: AttemptGuard): Promise<AttemptResult<Opened>> => {
    const executor = executorFor(candidate.credential.kind);
    if (!executor) return { ok: false, failure: { status: 500, message: `no executor for ${candidate.credential.kind}`, transport: true } };
    const encoded = codecFor(executor.format).encodeRequest({ ...request, stream: true }, candidate.upstreamModel);
    const body = applyPayloadRules(cfg.payload, encoded, [candidate.upstreamModel, opts.model], payloadProtocol(executor.kind, executor.format));
    let upstream: UpstreamResponse;
    guard.arm(true);
    try {
      const req = await executor.prepare({ credential: candidate.credential, body, upstreamModel: candidate.upstreamModel, stream: true, operation: 'generate', clientHeaders: {} });
      const dispatcher = dispatcherFor(effectiveProxy(candidate.credential.proxyUrl, cfg['proxy-url']));
      upstream = await sendWithFallback(req, dispatcher, guard, sendUpstream);
    } catch (err) {
      return { ok: false, failure: failureFromError(err, signal, guard) };
    }
    if (upstream.status >= 400) return { ok: false, failure: await failureFromResponse(upstream) };
    if (upstream.contentType.includes('text/event-stream')) {
      const primed = await primeStream(upstream, executor, signal, guard);
      if (!primed.ok) return { ok: false, failure: primed.failure };
      const rest = guard.guard(primed.rest, () => {
        if (!signal.aborted) app.router.markFailure(candidate.credential.id, opts.model, { status: 502, message: 'stream failed', transport: true });
      });
      return { ok: true, value: { executor, upstream, first: primed.first, rest } };
    }
    guard.settle(); // one JSON body: the first-byte limit no longer applies
    try {
      let text = await readText(upstream.body);
      if (executor.unwrapBody) text = executor.unwrapBody(text);
      const json = JSON.parse(text) as Record<string, unknown>;
      return { ok: true, value: { executor, upstream, json } };
    } catch (err) {
      if (signal.aborted) return { ok: false, failure: { status: 499, message: 'cancelled' } };
      return { ok: false, failure: { status: 502, message: `upstream body failed: ${(err as Error).message}`, transport: true } };
    }
  };

  const result = await app.router.run(opts.model, candidates, attempt, signal, { sessionKey: opts.sessionId });
  if (signal.aborted) throw new CanonicalCallError('cancelled', 499);
  if (!result.ok) {
    if (result.kind === 'cooling') {
      const secs = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
      throw new CanonicalCallError(`All credentials for model ${opts.model} are cooling down; retry after ${secs}s.`, 429, 'model_cooldown');
    }
    if (result.kind === 'none') throw new CanonicalCallError(`no credential serves model ${opts.model}`, 404, 'model_not_found');
    throw new CanonicalCallError(result.failure.message, result.failure.transport ? 502 : result.failure.status, result.failure.code);
  }
  const ok = result.value;
  opts.onCredential?.(result.candidate.credential.label, result.attempts);
  const codec = codecFor(ok.executor.format);
  if (ok.json) {
    yield* responseToEvents(codec.decodeResponse(ok.json));
    return;
  }
  const decoder = codec.createStreamDecoder();
  try {
    for (const ev of ok.first!) yield* decoder.push(ev);
    for await (const batch of ok.rest!) {
      if (signal.aborted) return;
      for (const ev of batch) yield* decoder.push(ev);
    }
    yield* decoder.end();
  } catch (err) {
    if (signal.aborted) return;
    yield { type: 'error', error: { message: `upstream stream failed: ${(err as Error).message}`, status: 502 } };
  } finally {
    // Stopping early (cancel, consumer gone) must release the upstream connection at once.
    ok.upstream.body.destroy();
  }
}
