import type { Format } from './types.js';
import { openAIErrorBody } from './openai-chat/errors.js';
import { anthropicErrorBody } from './anthropic/errors.js';
import { geminiErrorBody } from './gemini/errors.js';

/** The error JSON a caller of `format` understands, for an HTTP error with `status`. */
export function errorBodyFor(format: Format, status: number, message: string, code?: string): Record<string, unknown> {
  switch (format) {
    case 'openai-chat':
    case 'openai-responses':
      return openAIErrorBody(status, message, code);
    case 'anthropic':
      return anthropicErrorBody(status, message);
    case 'gemini':
      return geminiErrorBody(status, message);
  }
}

/**
 * Pull a human-readable message out of any provider's error body (OpenAI, Anthropic, Google or plain text),
 * so an upstream error can be re-wrapped in the caller's shape with its message intact.
 */
export function extractErrorMessage(raw: string): { message: string; code?: string } {
  const trimmed = raw.trim();
  if (!trimmed) return { message: 'upstream returned an empty error body' };
  try {
    const parsed = JSON.parse(trimmed) as unknown;
    const body = Array.isArray(parsed) ? parsed[0] : parsed;
    if (body && typeof body === 'object') {
      const err = (body as Record<string, unknown>).error;
      if (err && typeof err === 'object') {
        const e = err as Record<string, unknown>;
        const message = typeof e.message === 'string' ? e.message : JSON.stringify(err);
        const code = typeof e.type === 'string' ? e.type : typeof e.status === 'string' ? e.status : typeof e.code === 'string' ? e.code : undefined;
        return { message, code };
      }
      if (typeof err === 'string') return { message: err };
      const m = (body as Record<string, unknown>).message;
      if (typeof m === 'string') return { message: m };
    }
  } catch {
    /* not JSON: fall through to the raw text */
  }
  return { message: trimmed.length > 2000 ? `${trimmed.slice(0, 2000)}…` : trimmed };
}
