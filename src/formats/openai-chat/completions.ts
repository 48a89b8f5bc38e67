import { randomId } from '../shared/ids.js';
import { InvalidRequestError, type SseEvent } from '../types.js';
import { isObject, num, str, type Json } from './wire.js';

/**
 * Legacy `/v1/completions` (SPEC 1.5): the prompt becomes one user message of a chat request, and chat
 * responses / chunks are reshaped into `text_completion` objects. Runs on top of the chat codec.
 */

const COPIED = [
  'model',
  'max_tokens',
  'temperature',
  'top_p',
  'frequency_penalty',
  'presence_penalty',
  'stop',
  'stream',
  'stream_options',
  'seed',
  'user',
  'n',
  'logit_bias',
] as const;

export function completionsRequestToChat(body: Record<string, unknown>): Record<string, unknown> {
  const chat: Json = { messages: [{ role: 'user', content: promptText(body.prompt) }] };
  for (const key of COPIED) if (body[key] !== undefined && body[key] !== null) chat[key] = body[key];
  // Completions `logprobs: N` asks for the top N alternatives; chat spells that as a flag plus top_logprobs.
  const logprobs = num(body.logprobs);
  if (logprobs !== undefined && logprobs > 0) {
    chat.logprobs = true;
    chat.top_logprobs = Math.min(20, Math.floor(logprobs));
  }
  // `echo` and `suffix` have no chat equivalent and are dropped rather than forwarded to a server that rejects them.
  return chat;
}

function promptText(prompt: unknown): string {
  // The reference implementation defaults a missing prompt to this text; kept for compatibility.
  if (prompt === undefined || prompt === null) return 'Complete this:';
  if (typeof prompt === 'string') return prompt;
  if (Array.isArray(prompt)) {
    if (prompt.length === 1 && typeof prompt[0] === 'string') return prompt[0];
    if (prompt.length === 0) return '';
    if (prompt.every((p) => typeof p === 'string')) {
      throw new InvalidRequestError('batched prompts (several strings in prompt) are not supported', 'prompt');
    }
    throw new InvalidRequestError('token-id prompts are not supported; send the prompt as a string', 'prompt');
  }
  throw new InvalidRequestError('prompt must be a string', 'prompt');
}

function completionId(id: unknown): string {
  const s = str(id);
  if (!s) return `cmpl-${randomId(29)}`;
  return s.startsWith('chatcmpl-') ? `cmpl-${s.slice(9)}` : s;
}

function choiceText(c: Json, key: 'message' | 'delta'): string {
  const m = c[key];
  return isObject(m) && typeof m.content === 'string' ? m.content : '';
}

export function chatResponseToCompletion(body: Record<string, unknown>): Record<string, unknown> {
  const choices = Array.isArray(body.choices) ? body.choices.filter(isObject) : [];
  const out: Json = {
    id: completionId(body.id),
    object: 'text_completion',
    created: num(body.created) ?? Math.floor(Date.now() / 1000),
    model: str(body.model) ?? '',
    choices: choices.map((c, i) => ({
      index: num(c.index) ?? i,
      text: choiceText(c, 'message'),
      logprobs: null,
      finish_reason: str(c.finish_reason) ?? null,
    })),
  };
  if (isObject(body.usage)) out.usage = body.usage;
  return out;
}

/**
 * One chat chunk → one completion chunk, or null for chunks carrying neither text nor a finish reason (the
 * role chunk, reasoning, tool calls). Unlike the reference, the usage-only chunk is kept: the caller asked
 * for it with stream_options. Error frames pass through unchanged.
 */
export function chatChunkToCompletionChunk(chunk: Record<string, unknown>): Record<string, unknown> | null {
  if (isObject(chunk.error)) return chunk;
  const choices: Json[] = [];
  if (Array.isArray(chunk.choices)) {
    chunk.choices.forEach((c, i) => {
      if (!isObject(c)) return;
      const text = choiceText(c, 'delta');
      const finish = str(c.finish_reason) ?? null;
      if (!text && finish === null) return;
      choices.push({ index: num(c.index) ?? i, text, logprobs: null, finish_reason: finish });
    });
  }
  const usage = isObject(chunk.usage) ? chunk.usage : undefined;
  if (choices.length === 0 && !usage) return null;
  const out: Json = {
    id: completionId(chunk.id),
    object: 'text_completion',
    created: num(chunk.created) ?? Math.floor(Date.now() / 1000),
    model: str(chunk.model) ?? '',
    choices,
  };
  if (usage) out.usage = usage;
  return out;
}

/** SSE-level wrapper: `[DONE]` passes through, unparsable frames are dropped, dropped chunks return null. */
export function chatSseToCompletionSse(event: SseEvent): SseEvent | null {
  if (event.data === '[DONE]') return event;
  let parsed: unknown;
  try {
    parsed = JSON.parse(event.data);
  } catch {
    return null;
  }
  if (!isObject(parsed)) return null;
  const converted = chatChunkToCompletionChunk(parsed);
  return converted ? { data: JSON.stringify(converted) } : null;
}
