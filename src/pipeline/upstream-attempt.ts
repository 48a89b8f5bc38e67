import type { Cancellation } from '../util/cancel.js';
import type { SseEvent } from '../formats/types.js';
import { extractErrorMessage } from '../formats/errors.js';
import type { AttemptFailure } from '../router/failure.js';
import { parseRetryAfter } from '../router/retry-after.js';
import type { Executor } from '../providers/types.js';
import { ProxyUrlError } from '../upstream/dispatcher.js';
import { readText, TransportError, type SseEventStream, type UpstreamResponse } from '../upstream/send.js';
import { readSseEvents, type SseReadMode } from '../upstream/sse-read.js';
import { CredentialUnavailableError } from '../credentials/session.js';
import type { AttemptGuard } from './upstream-guard.js';

/**
 * The pieces of one upstream attempt shared by inbound calls (model-call.ts) and cliproxy's own calls
 * (canonical-call.ts): how a thrown error, an HTTP error answer and the first stream events turn into the
 * router's failure classification.
 */
export function failureFromError(err: unknown, signal: Cancellation, guard?: AttemptGuard): AttemptFailure {
  if (guard?.timedOut) return { status: 504, message: guard.timedOut.message, transport: true };
  if (err instanceof CredentialUnavailableError) return { status: err.status, message: err.message };
  if (err instanceof TransportError || err instanceof ProxyUrlError) return { status: 502, message: err.message, transport: true };
  if (signal.aborted) return { status: 499, message: 'client closed request' };
  return { status: 502, message: `upstream call failed: ${(err as Error).message}`, transport: true };
}

/** An upstream answer with status >= 400, read and classified (message in any provider's error dialect). */
export async function failureFromResponse(upstream: UpstreamResponse): Promise<AttemptFailure> {
  const text = upstream.bytes ? upstream.bytes.toString('utf8') : await readText(upstream.body).catch(() => '');
  const { message, code } = extractErrorMessage(text);
  const failure: AttemptFailure = { status: upstream.status, message, code, body: text, headers: upstream.headers };
  failure.retryAfterMs = parseRetryAfter(upstream.headers, text);
  return failure;
}

/** A stream whose first event is an error frame failed before any content: retryable elsewhere. */
export function earlyStreamError(events: SseEvent[]): AttemptFailure | undefined {
  const first = events[0];
  if (!first) return undefined;
  if (first.event === 'error' || (first.data.startsWith('{"error"') && first.data.length < 65_536)) {
    const { message, code } = extractErrorMessage(first.data);
    const status = /overloaded/i.test(code ?? '') ? 529 : /rate_limit|RESOURCE_EXHAUSTED/i.test(code ?? '') ? 429 : 502;
    return { status, message, code, body: first.data };
  }
  return undefined;
}

function utf8Event(ev: SseEvent): SseEvent {
  const data = Buffer.from(ev.data, 'latin1').toString('utf8');
  return ev.event ? { event: Buffer.from(ev.event, 'latin1').toString('utf8'), data } : { data };
}

export type Primed = { ok: true; first: SseEvent[]; rest: SseEventStream } | { ok: false; failure: AttemptFailure };

/**
 * Read the first events of an upstream stream before committing to it, so an empty or instantly failing
 * stream can still move to another credential before the caller has seen a byte.
 */
export async function primeStream(upstream: UpstreamResponse, executor: Executor, signal: Cancellation, guard?: AttemptGuard, mode: SseReadMode = 'text'): Promise<Primed> {
  const rest = readSseEvents(upstream.body, executor.unwrapEvent, mode);
  try {
    const firstBatch = await rest.next();
    guard?.settle();
    if (firstBatch.done) return { ok: false, failure: { status: 502, message: 'upstream returned an empty stream', transport: true } };
    let early = earlyStreamError(firstBatch.value);
    // A latin1 view (see Success.jsonBytes) holds UTF-8 bytes: the error's message is read from the real text.
    if (early && mode !== 'text') early = earlyStreamError(firstBatch.value.map(utf8Event));
    if (early) {
      upstream.body.destroy();
      return { ok: false, failure: early };
    }
    return { ok: true, first: firstBatch.value, rest };
  } catch (err) {
    if (guard?.timedOut) return { ok: false, failure: { status: 504, message: guard.timedOut.message, transport: true } };
    if (signal.aborted) return { ok: false, failure: { status: 499, message: 'client closed request' } };
    return { ok: false, failure: { status: 502, message: `upstream stream failed: ${(err as Error).message}`, transport: true } };
  }
}
