import { z } from 'zod';
import type { Format } from '../formats/types.js';
import { isObject } from '../formats/shared/json.js';
import { trimmed } from '../util/trim.js';

/**
 * Edge checks of the fields every handler relies on, per inbound format. Deeper structure is checked by the
 * codec when a request is translated; pass-through bodies are the upstream's to judge, but the obvious type
 * errors are caught here so callers get a 400 in their own shape instead of an upstream surprise.
 */
const model = z.string({ error: (i) => (i.input === undefined ? 'missing required field `model`' : '`model` must be a string') }).trim().min(1, '`model` must not be empty');
const stream = z.boolean({ error: '`stream` must be a boolean' }).optional();

const EDGE: Record<Format, z.ZodType> = {
  'openai-chat': z.looseObject({
    model,
    stream,
    messages: z.array(z.looseObject({ role: z.string({ error: 'each message needs a string `role`' }) }), { error: '`messages` must be an array of message objects' }),
  }),
  'openai-responses': z.looseObject({
    model,
    stream,
    input: z.union([z.string(), z.array(z.unknown())], { error: '`input` must be a string or an array of items' }).optional(),
  }),
  anthropic: z.looseObject({
    model,
    stream,
    messages: z.array(z.looseObject({ role: z.string({ error: 'each message needs a string `role`' }) }), { error: '`messages` must be an array of message objects' }),
    max_tokens: z.number({ error: '`max_tokens` must be a number' }).int().positive().optional(),
  }),
  gemini: z.looseObject({
    contents: z.union([z.array(z.unknown()), z.string(), z.looseObject({})], { error: '`contents` must be an array of Content objects' }).optional(),
  }),
};

export type EdgeResult = { ok: true } | { ok: false; message: string };

function messagesHaveRoles(messages: unknown): boolean {
  if (!Array.isArray(messages)) return false;
  for (let i = 0; i < messages.length; i++) {
    const m: unknown = messages[i];
    if (!isObject(m) || typeof m.role !== 'string') return false;
  }
  return true;
}

/**
 * The same checks as EDGE for bodies that pass them, without zod's per-call machinery (this runs on every
 * request). Conservative: anything it does not accept goes to the schema, which decides and words the error.
 */
export function plainlyValid(format: Format, body: Record<string, unknown>, countTokens: boolean): boolean {
  if (format === 'gemini') {
    const c = body.contents;
    return c === undefined || Array.isArray(c) || typeof c === 'string' || isObject(c);
  }
  const m = body.model;
  if (typeof m !== 'string' || trimmed(m).length === 0) return false;
  const stream = body.stream;
  if (format === 'openai-responses') {
    const input = body.input;
    return (stream === undefined || typeof stream === 'boolean') && (input === undefined || typeof input === 'string' || Array.isArray(input));
  }
  if (!countTokens || format !== 'anthropic') {
    if (stream !== undefined && typeof stream !== 'boolean') return false;
    const max = body.max_tokens;
    if (format === 'anthropic' && max !== undefined && !(typeof max === 'number' && Number.isSafeInteger(max) && max > 0)) return false;
  }
  return messagesHaveRoles(body.messages);
}

/** count_tokens takes a Messages body without `max_tokens` and `stream`. */
const ANTHROPIC_COUNT_TOKENS = (EDGE.anthropic as z.ZodObject).omit({ max_tokens: true, stream: true });

export function validateEdge(format: Format, body: Record<string, unknown>, countTokens = false): EdgeResult {
  return plainlyValid(format, body, countTokens) ? { ok: true } : validateBySchema(format, body, countTokens);
}

/** The schema's verdict alone (validateEdge asks it only for bodies the fast path does not accept). */
export function validateBySchema(format: Format, body: Record<string, unknown>, countTokens = false): EdgeResult {
  const schema = countTokens && format === 'anthropic' ? ANTHROPIC_COUNT_TOKENS : EDGE[format];
  const r = schema.safeParse(body);
  if (r.success) return { ok: true };
  const issue = r.error.issues[0]!;
  const where = issue.path.length > 1 ? ` (at ${issue.path.join('.')})` : '';
  return { ok: false, message: `${issue.message}${where}` };
}
