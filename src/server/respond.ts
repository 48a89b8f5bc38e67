import type { ServerResponse } from 'node:http';

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
