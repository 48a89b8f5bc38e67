import type { Dispatcher } from 'undici';
import type { UpstreamRequest } from '../providers/types.js';
import { UpstreamBody } from './body.js';
import { asCancellation, type Cancellation } from '../util/cancel.js';

export { UpstreamBody, SseEventStream, UpstreamTimeoutError } from './body.js';

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string>;
  body: UpstreamBody;
}

export class TransportError extends Error {
  constructor(message: string, readonly causeCode?: string) {
    super(message);
    this.name = 'TransportError';
  }
}

function flatHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in h) {
    const v = h[k];
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
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
    let controller: Dispatcher.DispatchController | undefined;
    const release = signal.onAbort((reason) => controller?.abort(reason));
    dispatcher.dispatch(
      { origin: target.origin, path: target.path, method: req.method as Dispatcher.HttpMethod, headers: req.headers, body: req.body },
      {
        onRequestStart(ctl) {
          controller = ctl;
          if (signal.aborted) ctl.abort(signal.reason!);
        },
        onResponseStart(ctl, statusCode, headers) {
          const flat = flatHeaders(headers as Record<string, string | string[] | undefined>);
          body = new UpstreamBody(flat['content-encoding']);
          if (body.decoded) {
            delete flat['content-encoding'];
            delete flat['content-length'];
          }
          body.attach({ pause: () => ctl.pause(), resume: () => ctl.resume(), abort: (reason) => ctl.abort(reason) });
          resolve({ status: statusCode, headers: flat, body });
        },
        onResponseData(_ctl, chunk) {
          body!.push(chunk);
        },
        onResponseEnd() {
          release();
          body!.complete();
        },
        onResponseError(_ctl, err) {
          release();
          if (body) body.fail(err);
          else reject(signal.aborted ? err : transportError(err));
        },
      },
    );
  });
}

/** Read a whole (small) body as text; used for errors and non-stream answers. */
export function readText(body: UpstreamBody): Promise<string> {
  return body.text();
}
