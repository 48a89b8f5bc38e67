import type { FinishReason, ImagePart, Usage } from '../../ir/index.js';
import { randomId } from '../shared/ids.js';

/**
 * Small helpers shared by the request, response and stream halves of the Chat Completions codec:
 * finish-reason and usage tables, data-URL handling, id shapes.
 */

export { isObject, num, str, type Json } from '../shared/json.js';
import { isObject, num, str, type Json } from '../shared/json.js';

/** Chat `finish_reason` → canonical. `function_call` is the pre-tools spelling of `tool_calls`. */
const FINISH_FROM_CHAT: Record<string, FinishReason> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool-calls',
  function_call: 'tool-calls',
  content_filter: 'content-filter',
};

const FINISH_TO_CHAT: Record<FinishReason, string> = {
  stop: 'stop',
  length: 'length',
  'tool-calls': 'tool_calls',
  'content-filter': 'content_filter',
  // Chat has no error/other reason; `stop` is what the SDKs and agents treat as a normal end.
  error: 'stop',
  other: 'stop',
};

/**
 * Some OpenAI-compatible servers answer `stop` (or nothing) although the message carries tool calls; agents
 * only run tools on `tool_calls` / `tool_use`, so a tool call always wins over a plain stop.
 */
export function finishFromChat(raw: unknown, sawToolCalls: boolean): { reason: FinishReason; raw?: string } {
  const rawStr = str(raw);
  const mapped = rawStr ? (FINISH_FROM_CHAT[rawStr] ?? 'other') : 'stop';
  const reason = sawToolCalls && (mapped === 'stop' || mapped === 'other') ? 'tool-calls' : mapped;
  return rawStr ? { reason, raw: rawStr } : { reason };
}

export function finishToChat(reason: FinishReason, sawToolCalls: boolean): string {
  if (sawToolCalls && (reason === 'stop' || reason === 'other')) return 'tool_calls';
  return FINISH_TO_CHAT[reason] ?? 'stop';
}

/** Chat `usage` → canonical. `prompt_tokens` already includes cached tokens, as the canonical field does. */
export function usageFromChat(u: unknown): Usage | undefined {
  if (!isObject(u)) return undefined;
  const usage: Usage = { inputTokens: num(u.prompt_tokens) ?? 0, outputTokens: num(u.completion_tokens) ?? 0 };
  const pd = u.prompt_tokens_details;
  // DeepSeek reports cache hits as a top-level `prompt_cache_hit_tokens` instead of the details object.
  const cached = (isObject(pd) ? num(pd.cached_tokens) : undefined) ?? num(u.prompt_cache_hit_tokens);
  if (cached !== undefined) usage.cachedInputTokens = cached;
  const cd = u.completion_tokens_details;
  const reasoning = isObject(cd) ? num(cd.reasoning_tokens) : undefined;
  if (reasoning !== undefined) usage.reasoningTokens = reasoning;
  return usage;
}

export function usageToChat(u: Usage): Json {
  const out: Json = {
    prompt_tokens: u.inputTokens,
    completion_tokens: u.outputTokens,
    total_tokens: u.inputTokens + u.outputTokens,
  };
  if (u.cachedInputTokens !== undefined) out.prompt_tokens_details = { cached_tokens: u.cachedInputTokens };
  if (u.reasoningTokens !== undefined) out.completion_tokens_details = { reasoning_tokens: u.reasoningTokens };
  return out;
}

/** `data:<mediaType>;base64,<data>` → base64 source; anything else is a URL the upstream fetches itself. */
export function imageFromUrl(url: string, detail?: string): ImagePart {
  const part: ImagePart =
    url.startsWith('data:') ? { type: 'image', source: parseDataUrl(url) } : { type: 'image', source: { kind: 'url', url } };
  if (detail !== undefined) part.detail = detail;
  return part;
}

function parseDataUrl(url: string): ImagePart['source'] {
  const comma = url.indexOf(',');
  const meta = comma < 0 ? '' : url.slice(5, comma);
  if (comma < 0 || !meta.endsWith(';base64')) return { kind: 'url', url };
  return { kind: 'base64', mediaType: meta.slice(0, -7) || 'application/octet-stream', data: url.slice(comma + 1) };
}

export function imageToUrl(part: ImagePart): string {
  return part.source.kind === 'base64' ? `data:${part.source.mediaType};base64,${part.source.data}` : part.source.url;
}

/** Chat completion ids look like `chatcmpl-…`; keep an upstream id recognisable inside ours. */
export function chatId(id: string | undefined): string {
  if (!id) return `chatcmpl-${randomId(29)}`;
  return id.startsWith('chatcmpl-') ? id : `chatcmpl-${id}`;
}

export function callId(): string {
  return `call_${randomId(24)}`;
}

/** Tool-call arguments arrive as JSON text, but some clients send the object itself. */
export function argumentsText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return '';
  return JSON.stringify(v);
}
