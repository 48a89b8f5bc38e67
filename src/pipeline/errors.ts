import type { ServerResponse } from 'node:http';
import type { Format } from '../formats/types.js';
import { errorBodyFor } from '../formats/errors.js';
import { sendJson } from '../server/respond.js';

/** An error answer in the caller's API shape. */
export function sendError(res: ServerResponse, format: Format, status: number, message: string, headers: Record<string, string> = {}, code?: string): void {
  sendJson(res, status, errorBodyFor(format, status, message, code), headers);
}
