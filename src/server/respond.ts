import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../util/log.js';

/**
 * How an answer's text becomes bytes: `utf8`, or `latin1` for text that holds bytes one per character (see
 * Success.jsonBytes).
 */
export type TextEncoding = 'utf8' | 'latin1';

/**
 * Write a complete JSON answer (already serialised); if headers already went out, just finish the response.
 * `latin1`: `text` holds the answer's bytes one per character (see Success.jsonBytes).
 */
export function sendJsonText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}, encoding: TextEncoding = 'utf8'): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': encoding === 'latin1' ? text.length : Buffer.byteLength(text), ...headers });
  res.end(text, encoding);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendJsonText(res, status, JSON.stringify(body), headers);
}

/**
 * A request whose handler threw or rejected: logged, and a 500 when nothing was sent yet (else the answer is cut).
 * The error's message stays in the log; the caller learns only that cliproxy failed.
 */
export function failRequest(log: Logger, req: IncomingMessage, res: ServerResponse, err: unknown): void {
  log.error({ err: (err as Error)?.message, stack: (err as Error)?.stack, path: req.url }, 'unhandled error in request');
  if (!res.headersSent) sendJson(res, 500, { error: { message: 'internal error in cliproxy', type: 'server_error' } });
  else res.end();
}
