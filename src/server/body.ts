import type { IncomingMessage } from 'node:http';

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body exceeds ${limit} bytes`);
  }
}

/** Read the whole request body (requests are bounded JSON documents; responses are what stream). */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLargeError(limit);
    chunks.push(chunk as Buffer);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
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
