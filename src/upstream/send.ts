import type { Dispatcher } from 'undici';
import type { UpstreamRequest } from '../providers/types.js';
import { UpstreamBody, type BodyControl, type BodySink } from './body.js';
import { asCancellation, type Cancellation } from '../util/cancel.js';
import { Chunks } from '../util/chunks.js';

export type { SseEventStream } from './body.js';

export interface UpstreamResponse {
  status: number;
  /** Every header, lower-cased (built on first use: the success path only needs `contentType`). */
  readonly headers: Record<string, string>;
  /** `content-type`, read while the headers arrive. */
  contentType: string;
  body: UpstreamBody;
  /** From sendUpstreamWhole: the entire body (decoded), read before the answer was handed over; `body` is spent. */
  readonly bytes?: Buffer;
}

class Response implements UpstreamResponse {
  private flat: Record<string, string> | undefined;
  bytes: Buffer | undefined;

  constructor(
    readonly status: number,
    private readonly raw: Buffer[],
    readonly contentType: string,
    private readonly decoded: boolean,
    readonly body: UpstreamBody,
  ) {}

  get headers(): Record<string, string> {
    if (!this.flat) {
      this.flat = flatRawHeaders(this.raw);
      if (this.decoded) {
        delete this.flat['content-encoding'];
        delete this.flat['content-length'];
      }
    }
    return this.flat;
  }
}

/** The value of one header from raw pairs (`name` lower-case ASCII); names are compared as bytes, not decoded. */
function rawHeader(raw: Buffer[], name: string): string | undefined {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = raw[i]!;
    if (k.length === name.length && sameNameIgnoringCase(k, name)) return raw[i + 1]!.toString('latin1');
  }
  return undefined;
}

function sameNameIgnoringCase(bytes: Buffer, lower: string): boolean {
  for (let j = 0; j < bytes.length; j++) {
    let b = bytes[j]!;
    if (b >= 65 && b <= 90) b |= 0x20; // A-Z
    if (b !== lower.charCodeAt(j)) return false;
  }
  return true;
}

export class TransportError extends Error {
  constructor(message: string, readonly causeCode?: string) {
    super(message);
    this.name = 'TransportError';
  }
}

// Executors build the same few URLs over and over: split each once (bounded, cleared when full).
const splitCache = new Map<string, { origin: string; path: string }>();
function splitUrl(url: string): { origin: string; path: string } {
  let hit = splitCache.get(url);
  if (!hit) {
    const u = new URL(url);
    hit = { origin: u.origin, path: `${u.pathname}${u.search}` };
    if (splitCache.size >= 512) splitCache.clear();
    splitCache.set(url, hit);
  }
  return hit;
}

function transportError(err: unknown): TransportError {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.code ?? e.cause?.code;
  return new TransportError(`upstream unreachable: ${code ?? ''} ${e.cause?.message ?? e.message ?? ''}`.trim(), code);
}

/**
 * Send one upstream call; resolves at the response headers with a body to read once (decoded from
 * gzip/deflate/br when the upstream compressed it). Uses undici's dispatch API directly: the request()
 * convenience layer (URL parsing, a Readable body, signal bookkeeping) costs more per call than the proxying.
 */
export function sendUpstream(req: UpstreamRequest, dispatcher: Dispatcher, cancel: Cancellation | AbortSignal): Promise<UpstreamResponse> {
  return send(req, dispatcher, cancel, false);
}

/**
 * The same, for an answer the caller reads whole (a non-streaming call): resolves once the entire body is in,
 * with it in `bytes`. One promise per call instead of one for the headers and one for the body. A body that
 * breaks off after the headers rejects with a TransportError (`upstream body failed: ...`).
 */
export function sendUpstreamWhole(req: UpstreamRequest, dispatcher: Dispatcher, cancel: Cancellation | AbortSignal): Promise<UpstreamResponse> {
  return send(req, dispatcher, cancel, true);
}

function send(req: UpstreamRequest, dispatcher: Dispatcher, cancel: Cancellation | AbortSignal, whole: boolean): Promise<UpstreamResponse> {
  const signal = asCancellation(cancel);
  if (signal.aborted) return Promise.reject(signal.reason);
  let target: { origin: string; path: string };
  try {
    target = splitUrl(req.url);
  } catch {
    return Promise.reject(new TransportError(`invalid upstream URL: ${req.url.replace(/[?#].*$/, '')}`));
  }
  return new Promise((resolve, reject) => {
    const call = new UpstreamCall(signal, resolve, reject, whole);
    dispatcher.dispatch({ origin: target.origin, path: target.path, method: req.method as Dispatcher.HttpMethod, headers: req.headers, body: req.body }, call);
  });
}

/**
 * One call in flight: undici's dispatch handler, the body's transport control and (for a whole answer) the
 * body's reader in one object, so a request allocates no closures for them. undici's own (callback) handler
 * interface: its newer controller-based one is an adapter over this that also parses every response header into
 * an object, which this path does itself in one pass.
 */
class UpstreamCall implements Dispatcher.DispatchHandler, BodyControl, BodySink {
  private body: UpstreamBody | undefined;
  /** Whole mode: the answer, handed over once its body is in. */
  private response: Response | undefined;
  private chunks: Chunks | undefined;
  private abortRequest: ((reason: Error) => void) | undefined;
  private resumeSocket: (() => void) | undefined;
  private paused = false;

  constructor(
    private readonly signal: Cancellation,
    private readonly resolve: (res: UpstreamResponse) => void,
    private readonly reject: (err: Error) => void,
    private readonly whole: boolean,
  ) {
    signal.link(this);
  }

  /** The call is over: the signal no longer needs to abort it. */
  private release(): void {
    this.signal.unlink(this);
  }

  // ---- BodyControl ----

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.resumeSocket?.();
  }

  abort(reason: Error): void {
    this.abortRequest?.(reason);
  }

  // ---- undici's handler ----

  onConnect(abort: (err?: Error) => void): void {
    this.abortRequest = abort as (reason: Error) => void;
    if (this.signal.aborted) this.abortRequest(this.signal.reason!);
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[] | string[] | null, resume: () => void): boolean {
    this.resumeSocket = resume;
    const raw = (rawHeaders ?? []) as unknown as Buffer[];
    const body = new UpstreamBody(rawHeader(raw, 'content-encoding'));
    this.body = body;
    body.attach(this);
    const response = new Response(statusCode, raw, rawHeader(raw, 'content-type') ?? '', body.decoded, body);
    if (this.whole) {
      this.response = response;
      body.readInto(this);
    } else this.resolve(response);
    return !this.paused;
  }

  onData(chunk: Buffer): boolean {
    this.body!.push(chunk);
    return !this.paused;
  }

  onComplete(): void {
    this.release();
    this.body!.complete();
  }

  onError(err: Error): void {
    this.release();
    if (this.body) this.body.fail(err);
    else this.reject(this.signal.aborted ? err : transportError(err));
  }

  // ---- the body's reader (whole mode) ----

  chunk(buf: Buffer): void {
    (this.chunks ??= new Chunks()).push(buf);
  }

  end(): void {
    const response = this.response!;
    response.bytes = this.chunks?.join() ?? Buffer.alloc(0);
    this.resolve(response);
  }

  fail(err: Error): void {
    this.reject(this.signal.aborted ? err : new TransportError(`upstream body failed: ${err.message}`));
  }
}

/** Raw header pairs → one lower-cased object (repeated headers joined with ", "). */
function flatRawHeaders(raw: Buffer[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (!raw) return out;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = raw[i]!.toString().toLowerCase();
    const v = raw[i + 1]!.toString();
    const prev = out[k];
    out[k] = prev === undefined ? v : `${prev}, ${v}`;
  }
  return out;
}

/** Read a whole (small) body as UTF-8 text (error answers, and a JSON answer to a streaming request). */
export function readText(body: UpstreamBody): Promise<string> {
  return body.text();
}
