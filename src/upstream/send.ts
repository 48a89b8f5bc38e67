import { request, type Dispatcher } from 'undici';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import type { UpstreamRequest } from '../providers/types.js';

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string>;
  body: Readable;
}

export class TransportError extends Error {
  constructor(message: string, readonly causeCode?: string) {
    super(message);
    this.name = 'TransportError';
  }
}

function flatHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/** Send one upstream call; the body streams (decoded from gzip/deflate/br when the upstream compressed it). */
export async function sendUpstream(req: UpstreamRequest, dispatcher: Dispatcher, signal: AbortSignal): Promise<UpstreamResponse> {
  let res: Dispatcher.ResponseData;
  try {
    res = await request(req.url, { method: req.method, headers: req.headers, body: req.body, dispatcher, signal });
  } catch (err) {
    if (signal.aborted) throw err;
    const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
    const code = e.code ?? e.cause?.code;
    throw new TransportError(`upstream unreachable: ${code ?? ''} ${e.cause?.message ?? e.message ?? ''}`.trim(), code);
  }
  const headers = flatHeaders(res.headers);
  let body: Readable = res.body;
  const enc = headers['content-encoding']?.toLowerCase();
  if (enc === 'gzip' || enc === 'x-gzip') body = res.body.pipe(createGunzip());
  else if (enc === 'deflate') body = res.body.pipe(createInflate());
  else if (enc === 'br') body = res.body.pipe(createBrotliDecompress());
  if (body !== res.body) {
    res.body.on('error', (err) => body.destroy(err));
    delete headers['content-encoding'];
    delete headers['content-length'];
  }
  return { status: res.statusCode, headers, body };
}

/** Read a whole (small) body as text; used for errors and non-stream answers. */
export function readText(body: Readable): Promise<string> {
  // Event listeners rather than an async iterator: this runs once per non-stream call, and the iterator's
  // per-chunk promises are measurable at high request rates.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    body.on('data', (c: Buffer) => chunks.push(c));
    body.once('end', () => resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    body.once('error', reject);
    body.once('close', () => {
      if (!body.readableEnded) reject(new Error('upstream body closed before it ended'));
    });
  });
}
