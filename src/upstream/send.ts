import type { Dispatcher } from 'undici';
import type { UpstreamRequest } from '../providers/types.js';
import { UpstreamBody } from './body.js';
import { asCancellation, type Cancellation } from '../util/cancel.js';

export type { SseEventStream } from './body.js';

export interface UpstreamResponse {
  status: number;
  /** Every header, lower-cased (built on first use: the success path only needs `contentType`). */
  readonly headers: Record<string, string>;
  /** `content-type`, read while the headers arrive. */
  contentType: string;
  body: UpstreamBody;
}

class Response implements UpstreamResponse {
  private flat: Record<string, string> | undefined;

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

/** The value of one header from raw pairs (`name` lower-case); length is compared before any decoding. */
function rawHeader(raw: Buffer[], name: string): string | undefined {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = raw[i]!;
    if (k.length === name.length && k.toString('latin1').toLowerCase() === name) return raw[i + 1]!.toString('latin1');
  }
  return undefined;
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
  const signal = asCancellation(cancel);
  if (signal.aborted) return Promise.reject(signal.reason);
  let target: { origin: string; path: string };
  try {
    target = splitUrl(req.url);
  } catch {
    return Promise.reject(new TransportError(`invalid upstream URL: ${req.url.replace(/[?#].*$/, '')}`));
  }
  return new Promise((resolve, reject) => {
    let body: UpstreamBody | undefined;
    let abortRequest: ((reason: Error) => void) | undefined;
    let resumeSocket: (() => void) | undefined;
    let paused = false;
    const release = signal.onAbort((reason) => abortRequest?.(reason));
    // undici's own (callback) handler interface: its newer controller-based one is an adapter over this that
    // also parses every response header into an object, which this path does itself in one pass.
    const handler: Dispatcher.DispatchHandler = {
      onConnect(abort) {
        abortRequest = abort as (reason: Error) => void;
        if (signal.aborted) abortRequest(signal.reason!);
      },
      onHeaders(statusCode, rawHeaders, resume) {
        resumeSocket = resume;
        const raw = (rawHeaders ?? []) as unknown as Buffer[];
        body = new UpstreamBody(rawHeader(raw, 'content-encoding'));
        body.attach({
          pause: () => {
            paused = true;
          },
          resume: () => {
            if (!paused) return;
            paused = false;
            resumeSocket?.();
          },
          abort: (reason) => abortRequest?.(reason),
        });
        resolve(new Response(statusCode, raw, rawHeader(raw, 'content-type') ?? '', body.decoded, body));
        return !paused;
      },
      onData(chunk) {
        body!.push(chunk);
        return !paused;
      },
      onComplete() {
        release();
        body!.complete();
      },
      onError(err) {
        release();
        if (body) body.fail(err);
        else reject(signal.aborted ? err : transportError(err));
      },
    };
    dispatcher.dispatch({ origin: target.origin, path: target.path, method: req.method as Dispatcher.HttpMethod, headers: req.headers, body: req.body }, handler);
  });
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

/** Read a whole (small) body as text; used for errors and non-stream answers. */
export function readText(body: UpstreamBody): Promise<string> {
  return body.text();
}
