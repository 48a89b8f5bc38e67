import type { Cancellation } from '../util/cancel.js';
import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { CanonicalRequest, CanonicalResponse } from '../ir/index.js';
import { InvalidRequestError } from '../formats/types.js';
import { codecFor } from '../formats/index.js';
import { errorBodyFor } from '../formats/errors.js';
import { streamErrorEvent } from '../formats/stream-errors.js';
import { ResponseAggregator } from '../formats/shared/aggregate.js';
import type { Candidate } from '../router/registry.js';
import type { AttemptResult, RunResult } from '../router/router.js';
import type { AttemptFailure } from '../router/failure.js';
import { executorFor } from '../providers/index.js';
import type { Executor, UpstreamRequest } from '../providers/types.js';
import { dispatcherFor, effectiveProxy } from '../upstream/dispatcher.js';
import { readText, sendUpstream, sendUpstreamWhole, type UpstreamResponse } from '../upstream/send.js';
import { SseWriter } from '../server/sse.js';
import { latin1View, restoreModelNames } from './model-name.js';
import type { App } from '../app.js';
import type { Config } from '../config/schema.js';
import type { InboundCall, Success } from './call-types.js';
import { sendError } from './errors.js';
import { applyThinkingToBody, applyThinkingToCanonical, parseThinkingSuffix, type ThinkingLevel } from './thinking-suffix.js';
import { pipePassthrough, pipeTranslated, serveLocalCount, looksLikeJson, safeParseObject } from './respond.js';
import { sendJsonText, type TextEncoding } from '../server/respond.js';
export type { InboundCall } from './call-types.js';
import { sendWithFallback } from '../providers/unwrap.js';
import { applyPayloadRules, hasPayloadRules, payloadProtocol } from '../router/payload.js';
import { AttemptGuard, attemptTimeouts, secondsToMs } from './upstream-guard.js';
import { failureFromError, failureFromResponse, primeStream } from './upstream-attempt.js';
import { PendingKeepAlive, endCommittedJson, sseComment } from './keepalive.js';
import { refreshAfter401, sessionKeyOf } from './call-context.js';
import { unredacted } from '../util/log.js';

/** Answer headers for a call that brought none (only read: the writers copy what they are given). */
const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

export { sendError } from './errors.js';

/** Serve one model call: route, call upstream (translating if the formats differ), stream back. */
export function serveModelCall(app: App, call: InboundCall, res: ServerResponse, signal: Cancellation): Promise<void> {
  const routeModel = call.routeModel ?? call.model;
  const candidates = app.router.registry.candidates(routeModel);
  if (candidates.length === 0) {
    const near = app.router.registry.closest(routeModel);
    const hint = near.length ? ` Available models include: ${near.join(', ')}.` : ' No models are configured: add credentials to config.yaml or log in (see --help).';
    sendError(res, call.format, 404, `The model \`${call.model}\` does not exist or no credential serves it.${hint}`, call.responseHeaders, 'model_not_found');
    return Promise.resolve();
  }
  return new ModelCall(app, call, res, signal, routeModel, candidates).serve();
}

/** Whether some candidate's upstream speaks another format than the caller (its request must be translated). */
function needsTranslation(candidates: readonly Candidate[], format: InboundCall['format']): boolean {
  for (const c of candidates) if (executorFor(c.credential.kind)?.format !== format) return true;
  return false;
}

/**
 * One model call's state. A class rather than closures over serveModelCall's scope: the per-request closures
 * (attempt, failure, canonical form, replies) and their shared context were a large share of the garbage each
 * request left behind.
 */
class ModelCall {
  private canonical: CanonicalRequest | undefined;
  private readonly thinking: ThinkingLevel | undefined;
  private readonly cfg: Config;
  private readonly firstByteMs: number;
  private readonly idleMs: number;
  /** Gemini `alt=json`: the answer is one JSON array of the events, not SSE. */
  private readonly jsonArrayOut: boolean;
  private writer: SseWriter | undefined;
  /** The streaming answer's headers, until they go out (the credential label joins them). */
  private sseHeaders: Record<string, string> | undefined;
  private pending: PendingKeepAlive | undefined;
  /** The router's attempt callback: one function per call. */
  private readonly attempt = (candidate: Candidate): Promise<AttemptResult<Success>> => this.attemptWith(candidate, false);

  constructor(
    private readonly app: App,
    private readonly call: InboundCall,
    private readonly res: ServerResponse,
    private readonly signal: Cancellation,
    private readonly routeModel: string,
    private readonly candidates: readonly Candidate[],
  ) {
    this.thinking = parseThinkingSuffix(routeModel);
    this.cfg = app.config.current;
    const timeouts = attemptTimeouts(this.cfg.streaming);
    this.firstByteMs = timeouts.firstByteMs;
    this.idleMs = timeouts.idleMs;
    this.jsonArrayOut = call.format === 'gemini' && call.geminiAlt === 'json';
  }

  /** The request in canonical form (decoded once, on first use). */
  toCanonical(): CanonicalRequest {
    if (!this.canonical) {
      const canonical = codecFor(this.call.format).decodeRequest(this.call.body);
      canonical.model = this.call.model;
      canonical.stream = this.call.stream;
      if (this.thinking) applyThinkingToCanonical(canonical, this.thinking);
      this.canonical = canonical;
    }
    return this.canonical;
  }

  /**
   * Route, attempt, answer. The async part is kept to what spans the wait for the router: V8 gives every call of
   * an async function a frame with all of its registers, and with the answering code inline this one was 560
   * bytes per request.
   */
  async serve(): Promise<void> {
    if (!this.decodeIfTranslating()) return;
    this.startKeepAlive();
    const started = Date.now();
    let result: RunResult<Success>;
    try {
      result = await this.app.router.run(this.routeModel, this.candidates, this.attempt, this.signal, this.app.router.options.sessionAffinity ? { sessionKey: sessionKeyOf(this.call.clientHeaders, this.call.body) } : undefined);
    } finally {
      this.pending?.stop();
    }
    const answering = this.answer(result, started);
    if (answering) await answering;
  }

  /** Decode now if some candidate needs translation, so bad input is a 400 before any upstream call; false after that 400. */
  private decodeIfTranslating(): boolean {
    const { call } = this;
    if ((call.format !== 'gemini' || call.operation === 'generate') && needsTranslation(this.candidates, call.format)) {
      try {
        this.toCanonical();
      } catch (err) {
        if (!(err instanceof InvalidRequestError)) throw err;
        sendError(this.res, call.format, 400, err.message, call.responseHeaders);
        return false;
      }
    }
    return true;
  }

  /** A streaming caller's writer; and the keep-alive that holds the caller while credentials are tried (see PendingKeepAlive). */
  private startKeepAlive(): void {
    const { call, res, cfg } = this;
    if (call.stream) {
      const everyMs = secondsToMs(cfg.streaming['keepalive-seconds'] ?? 15);
      this.sseHeaders = { ...call.responseHeaders };
      const writer = (this.writer = new SseWriter(res, everyMs, this.sseHeaders));
      if (call.operation === 'generate' && !this.jsonArrayOut) this.pending = new PendingKeepAlive(res, { kind: 'sse', writer }, everyMs).start();
      return;
    }
    const everyMs = secondsToMs(cfg['nonstream-keepalive-interval']);
    if (call.operation === 'generate' && everyMs > 0) this.pending = new PendingKeepAlive(res, { kind: 'json', headers: { ...call.responseHeaders } }, everyMs).start();
  }

  /** Answer from the router's result: at once for a whole answer, with a promise for a stream or one to gather. */
  private answer(result: RunResult<Success>, started: number): Promise<void> | void {
    const { app, call, res, signal, routeModel, writer } = this;
    if (signal.aborted) {
      if (writer?.headersSent) writer.end(); // stops the writer's keep-alive timer
      return;
    }
    if (!result.ok) return this.answerFailure(result, started);

    const ok = result.value;
    const headers = this.cfg.routing['credential-header'] ? { ...call.responseHeaders, 'x-cliproxy-credential': ok.candidate.credential.label } : (call.responseHeaders ?? NO_HEADERS);
    logCall(app, call, routeModel, ok.candidate.credential.label, result.attempts, ok.upstream.status, started);
    if (call.operation === 'count-tokens') {
      return sendJsonText(res, ok.upstream.status, ok.jsonText ?? '{}', headers);
    }
    if (writer) return this.answerStream(ok, writer);
    // Non-stream caller.
    if (ok.jsonBytes !== undefined) {
      return this.replyText(200, restoreModelNames(ok.jsonBytes, latin1View(call.model)), headers, 'latin1');
    }
    if (ok.executor.format === call.format && !ok.primed && ok.jsonText !== undefined && ok.json === undefined) {
      let text = restoreModelNames(ok.jsonText!, call.model);
      if (call.transformJson) text = JSON.stringify(call.transformJson(JSON.parse(text) as Record<string, unknown>));
      return this.replyText(200, text, headers);
    }
    if (ok.primed) return this.answerGathered(ok, ok.primed, headers);
    const json = ok.json ?? safeParseObject(ok.jsonText ?? '');
    if (!json) return this.replyError(502, 'upstream returned a body that is not JSON', headers);
    this.replyTranslated(codecFor(ok.executor.format).decodeResponse(json), headers);
  }

  private answerFailure(result: Exclude<RunResult<Success>, { ok: true }>, started: number): void {
    const { app, call, res, routeModel } = this;
    if (result.kind === 'failed' && result.failure.status === 501 && result.failure.message === 'local-count') {
      return serveLocalCount(call, res, () => this.toCanonical());
    }
    logCall(app, call, routeModel, result.kind === 'failed' ? result.candidate?.credential.label : undefined, result.attempts, result.kind === 'failed' ? result.failure.status : 429, started);
    if (result.kind === 'cooling') {
      const wait = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
      const resetAt = new Date(Date.now() + wait * 1000).toISOString();
      return this.replyError(429, `All credentials for model ${routeModel} are cooling down; retry after ${wait}s (at ${resetAt}).`, { ...call.responseHeaders, 'retry-after': String(wait), 'x-ratelimit-reset': resetAt }, 'model_cooldown');
    }
    if (result.kind === 'none') return this.replyError(404, `no credential serves model ${routeModel}`, call.responseHeaders ?? NO_HEADERS, 'model_not_found');
    const f = result.failure;
    const status = f.transport ? (f.status === 504 ? 504 : 502) : f.status;
    const headers: Record<string, string> = { ...call.responseHeaders };
    if (result.candidate && this.cfg.routing['credential-header']) headers['x-cliproxy-credential'] = result.candidate.credential.label;
    if (f.retryAfterMs !== undefined) headers['retry-after'] = String(Math.ceil(f.retryAfterMs / 1000));
    return this.replyError(status, f.message, headers, f.code);
  }

  /** A streaming caller: events go out as they come, passed through or translated. */
  private async answerStream(ok: Success, writer: SseWriter): Promise<void> {
    const { call, signal } = this;
    if (this.cfg.routing['credential-header']) {
      const label = ok.candidate.credential.label;
      // Headers not sent yet: the label rides in them; already sent by the keep-alive: in an SSE comment.
      if (!writer.headersSent) this.sseHeaders!['x-cliproxy-credential'] = label;
      else await writer.writeRaw(sseComment(`x-cliproxy-credential: ${label}`));
    }
    // `await`, not `return`: an async function adopting a returned promise costs two extra microtasks.
    if (ok.executor.format === call.format && ok.primed) await pipePassthrough(call, ok.primed, writer, signal);
    else await pipeTranslated(call, ok, writer, () => this.toCanonical(), signal);
  }

  /** A non-streaming caller served by an upstream stream: gather the events into one answer. */
  private async answerGathered(ok: Success, primed: NonNullable<Success['primed']>, headers: Record<string, string>): Promise<void> {
    const agg = new ResponseAggregator();
    const decoder = codecFor(ok.executor.format).createStreamDecoder();
    try {
      for (const ev of primed.first) for (const ce of decoder.push(ev)) agg.push(ce);
      for await (const batch of primed.rest) for (const ev of batch) for (const ce of decoder.push(ev)) agg.push(ce);
    } catch (err) {
      if (this.signal.aborted) return;
      agg.push({ type: 'error', error: { message: `upstream stream failed: ${(err as Error).message}`, status: 502 } });
    }
    for (const ce of decoder.end()) agg.push(ce);
    if (agg.error) return this.replyError(agg.error.status ?? 502, agg.error.message, headers, agg.error.code);
    this.replyTranslated(agg.result(), headers);
  }

  private replyTranslated(response: CanonicalResponse, headers: Record<string, string>): void {
    const { call } = this;
    let out = codecFor(call.format).encodeResponse(response, { model: call.model, request: this.canonical });
    if (call.transformJson) out = call.transformJson(out);
    this.replyText(200, JSON.stringify(out), headers);
  }

  /**
   * One credential's attempt (and, after a 401, one retry once its token is refreshed). Successful answers have
   * settled the guard already (first event or whole body read); a failure releases it. What comes before and after
   * the upstream call lives in plain methods, keeping this async frame small (see serve).
   */
  private async attemptWith(candidate: Candidate, refreshed: boolean): Promise<AttemptResult<Success>> {
    const { call, signal } = this;
    const guard = new AttemptGuard(signal, this.firstByteMs, this.idleMs);
    const executor = executorFor(candidate.credential.kind);
    if (!executor) return this.failAttempt(guard, candidate, refreshed, { status: 500, message: `no executor for ${candidate.credential.kind}`, transport: true });
    if (call.operation === 'count-tokens' && (!executor.supportsCountTokens || executor.format !== call.format)) {
      return this.failAttempt(guard, candidate, refreshed, { status: 501, message: 'local-count' });
    }
    const upstreamStream = call.operation === 'generate' && (call.stream || !executor.supportsNonStream);
    let upstream: UpstreamResponse;
    guard.arm(upstreamStream);
    try {
      const prepared = this.upstreamRequest(candidate, executor, upstreamStream);
      const req = prepared instanceof Promise ? await prepared : prepared;
      const dispatcher = dispatcherFor(effectiveProxy(candidate.credential.proxyUrl, this.cfg['proxy-url']));
      // A non-streaming answer is read whole before the call resolves (one wait instead of two).
      upstream = await sendWithFallback(req, dispatcher, guard, upstreamStream ? sendUpstream : sendUpstreamWhole);
    } catch (err) {
      return this.failAttempt(guard, candidate, refreshed, failureFromError(err, signal, guard));
    }
    if (upstream.status >= 400) return this.failAttempt(guard, candidate, refreshed, await failureFromResponse(upstream));
    if (upstreamStream) return await this.streamedAnswer(guard, candidate, refreshed, executor, upstream);
    return this.wholeAnswer(guard, candidate, refreshed, executor, upstream);
  }

  /** The upstream request for one candidate: the caller's body (or its translation), payload rules applied. */
  private upstreamRequest(candidate: Candidate, executor: Executor, upstreamStream: boolean): UpstreamRequest | Promise<UpstreamRequest> {
    const { call, cfg, thinking } = this;
    let body: Record<string, unknown>;
    if (executor.format === call.format) body = thinking ? applyThinkingToBody(call.format, call.body, thinking) : call.body;
    else body = codecFor(executor.format).encodeRequest({ ...this.toCanonical(), stream: upstreamStream }, candidate.upstreamModel);
    if (hasPayloadRules(cfg.payload)) body = applyPayloadRules(cfg.payload, body, [candidate.upstreamModel, this.routeModel, call.model], payloadProtocol(executor.kind, executor.format));
    return executor.prepare({
      credential: candidate.credential,
      body,
      upstreamModel: candidate.upstreamModel,
      stream: upstreamStream,
      operation: call.operation,
      clientHeaders: call.clientHeaders,
    });
  }

  /** A non-streaming answer (read whole already): the success handed to the caller, or a failure. */
  private wholeAnswer(guard: AttemptGuard, candidate: Candidate, refreshed: boolean, executor: Executor, upstream: UpstreamResponse): AttemptResult<Success> | Promise<AttemptResult<Success>> {
    const { call } = this;
    guard.settle();
    // A same-format answer that goes back as it came is handled as bytes (see Success.jsonBytes).
    const asBytes = executor.format === call.format && call.operation === 'generate' && !executor.unwrapBody && !call.transformJson;
    let text = upstream.bytes!.toString(asBytes ? 'latin1' : 'utf8');
    if (executor.unwrapBody) text = executor.unwrapBody(text);
    // Same-format answers pass through as text; only translated ones need parsing (done once, when answering).
    if (!looksLikeJson(text)) return this.failAttempt(guard, candidate, refreshed, { status: 502, message: 'upstream returned a body that is not JSON', transport: true });
    return { ok: true, value: asBytes ? { candidate, executor, upstream, upstreamStream: false, jsonBytes: text } : { candidate, executor, upstream, upstreamStream: false, jsonText: text } };
  }

  /** An answer to a streaming upstream call: its first events checked, or (no event stream) its one JSON body. */
  private async streamedAnswer(guard: AttemptGuard, candidate: Candidate, refreshed: boolean, executor: Executor, upstream: UpstreamResponse): Promise<AttemptResult<Success>> {
    const { call, signal, routeModel } = this;
    if (upstream.contentType.includes('text/event-stream')) {
      // Hold back the answer until the stream proves non-empty (see primeStream).
      // A same-format stream that goes back as it came is read as a byte view (see Success.primed.view), and
      // passed on raw after its first events unless Gemini's alt=json needs every event's data on its own.
      const view = executor.format === call.format && call.stream && !executor.unwrapEvent && !call.transformChunk;
      const primed = await primeStream(upstream, executor, signal, guard, !view ? 'text' : this.jsonArrayOut ? 'view' : 'raw');
      if (!primed.ok) return this.failAttempt(guard, candidate, refreshed, primed.failure);
      const onStreamError = () => {
        // A failure after the caller got bytes cannot fail over; it still counts against the credential.
        if (!signal.aborted) this.app.router.markFailure(candidate.credential.id, routeModel, { status: 502, message: 'stream failed', transport: true });
      };
      return { ok: true, value: { candidate, executor, upstream, upstreamStream: true, primed: { first: primed.first, rest: guard.guard(primed.rest, onStreamError), view } } };
    }
    // Stream requested but the upstream answered with one JSON body: replay it as events.
    let text: string;
    try {
      text = await readText(upstream.body);
      guard.settle();
      if (executor.unwrapBody) text = executor.unwrapBody(text);
    } catch (err) {
      if (guard.timedOut) return this.failAttempt(guard, candidate, refreshed, { status: 504, message: guard.timedOut.message, transport: true });
      if (signal.aborted) return this.failAttempt(guard, candidate, refreshed, { status: 499, message: 'client closed request' });
      return this.failAttempt(guard, candidate, refreshed, { status: 502, message: `upstream body failed: ${(err as Error).message}`, transport: true });
    }
    return { ok: true, value: { candidate, executor, upstream, upstreamStream: false, jsonText: text, json: safeParseObject(text) } };
  }

  /** A failed attempt: after a first 401, one token refresh (where the credential can refresh) and one retry. */
  private async failAttempt(guard: AttemptGuard, candidate: Candidate, refreshed: boolean, failure: AttemptFailure): Promise<AttemptResult<Success>> {
    guard.done();
    if (refreshed || failure.status !== 401 || this.signal.aborted || !(await refreshAfter401(candidate.credential, this.app.log))) return { ok: false, failure };
    return this.attemptWith(candidate, true);
  }

  /**
   * An error answer. Once the keep-alive committed status 200, it goes in the body (an SSE error event, or JSON
   * after the whitespace); otherwise it carries its real status and headers.
   */
  private replyError(status: number, message: string, headers: Record<string, string>, code?: string): void {
    const { writer, call, res } = this;
    if (writer?.headersSent) {
      void writer.write([streamErrorEvent(call.format, status, message)]).finally(() => writer.end());
      return;
    }
    if (this.pending?.committed) return endCommittedJson(res, JSON.stringify(errorBodyFor(call.format, status, message, code)));
    return sendError(res, call.format, status, message, headers, code);
  }

  private replyText(status: number, text: string, headers: Record<string, string>, encoding: TextEncoding = 'utf8'): void {
    if (this.pending?.committed) return endCommittedJson(this.res, text, encoding);
    return sendJsonText(this.res, status, text, headers, encoding);
  }
}

function logCall(app: App, call: InboundCall, routeModel: string, credential: string | undefined, attempts: number, status: number, started: number): void {
  if (!app.log.isLevelEnabled('info')) return;
  // Its fields are fixed and hold no secret: the logger without redaction (see unredacted).
  unredacted(app.log).info(
    {
      req: call.requestId,
      format: call.format,
      model: call.model,
      ...(routeModel !== call.model ? { routed: routeModel } : {}),
      credential,
      attempts,
      status,
      ms: Date.now() - started,
      stream: call.stream,
    },
    'model call',
  );
}

export type { Readable };
