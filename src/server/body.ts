import type { IncomingMessage } from 'node:http';
import { Chunks } from '../util/chunks.js';

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body exceeds ${limit} bytes`);
  }
}

/** Read the whole request body (requests are bounded JSON documents; responses are what stream). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => collectBody(req, limit, resolve, reject));
}

/**
 * The body's bytes to `done`, or a failure to `failed` (each called at most once that matters). Callbacks, so a
 * caller that transforms the body (readJsonBody) settles one promise of its own instead of chaining on another.
 */
export function collectBody(req: IncomingMessage, limit: number, done: (body: Buffer) => void, failed: (err: Error) => void): void {
  // Listeners rather than `for await`: the async iterator's per-chunk promises show up at high request rates.
  const chunks = new Chunks();
  let size = 0;
  const onData = (chunk: Buffer) => {
    size += chunk.length;
    if (size > limit) {
      req.off('data', onData);
      req.resume();
      failed(new BodyTooLargeError(limit));
      return;
    }
    chunks.push(chunk);
  };
  // `on`, not `once`: each fires at most once that matters, and `once` wraps every listener in a closure of its own.
  req.on('data', onData);
  req.on('end', () => {
    if (size <= limit) done(chunks.join());
  });
  // A caller that goes away mid-body ends in 'error' (ECONNRESET "aborted") on Node >= 16: no 'close' listener.
  req.on('error', failed);
}

export type JsonObjectResult = { ok: true; value: Record<string, unknown> } | { ok: false; message: string };

/** Parse a request body that must be a JSON object. */
export function parseJsonObject(buf: Buffer): JsonObjectResult {
  if (buf.length === 0) return { ok: false, message: 'request body is empty; expected a JSON object' };
  let value: unknown;
  try {
    value = JSON.parse(buf.toString('utf8'));
  } catch (err) {
    return { ok: false, message: `request body is not valid JSON: ${(err as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, message: 'request body must be a JSON object' };
  }
  return { ok: true, value: value as Record<string, unknown> };
}
