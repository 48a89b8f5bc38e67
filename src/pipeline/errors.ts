import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../util/log.js';
import type { Format } from '../formats/types.js';
import { errorBodyFor } from '../formats/errors.js';
import { sendJson } from '../server/respond.js';

/** An error answer in the caller's API shape. */
export function sendError(res: ServerResponse, format: Format, status: number, message: string, headers: Record<string, string> = {}, code?: string): void {
  sendJson(res, status, errorBodyFor(format, status, message, code), headers);
}

/**
 * A request whose handler threw or rejected: logged, and a 500 in the caller's shape when nothing was sent yet
 * (else the answer is cut short). The error's text stays in the log; the caller learns only that cliproxy failed.
 */
export function failRequest(log: Logger, req: IncomingMessage, res: ServerResponse, format: Format, err: unknown): void {
  log.error({ err: (err as Error)?.message, stack: (err as Error)?.stack, path: req.url }, 'unhandled error in request');
  if (!res.headersSent) sendError(res, format, 500, 'internal error in cliproxy', {}, 'internal_error');
  else res.end();
}
