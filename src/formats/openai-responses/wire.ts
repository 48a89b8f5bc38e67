/**
 * Small helpers shared by the Responses codec's four directions: wire-shape guards, usage and finish-reason
 * tables, data-URL handling and the reasoning `encrypted_content` envelope.
 */
import type {
  CanonicalRequest,
  FinishReason,
  ImageSource,
  ReasoningFamily,
  Usage,
} from '../../ir/index.js';

/** Key of this format's entry in `CanonicalRequest.providerOptions`. */
export const FORMAT = 'openai-responses' as const;

export { isObject, num, str, type Json } from '../shared/json.js';
import { isObject, num, str, type Json } from '../shared/json.js';

/** What this codec stores under `providerOptions['openai-responses']`. */
export interface ResponsesOptions {
  /** Tools the caller declared as `type:"custom"` (free-form input), by name, with their `format`. */
  customTools?: Record<string, { format?: unknown }>;
  verbosity?: string;
  reasoningSummary?: string;
  include?: string[];
  store?: boolean;
  promptCacheKey?: string;
}

export function responsesOptions(req: CanonicalRequest | undefined): ResponsesOptions {
  return (req?.providerOptions?.[FORMAT] ?? {}) as ResponsesOptions;
}

export function customToolNames(req: CanonicalRequest | undefined): Set<string> {
  return new Set(Object.keys(responsesOptions(req).customTools ?? {}));
}

// ---------------------------------------------------------------------------------------------------------------
// Usage

export function usageFromWire(u: unknown): Usage | undefined {
  if (!isObject(u)) return undefined;
  const usage: Usage = { inputTokens: num(u.input_tokens) ?? 0, outputTokens: num(u.output_tokens) ?? 0 };
  const cached = isObject(u.input_tokens_details) ? num(u.input_tokens_details.cached_tokens) : undefined;
  if (cached !== undefined) usage.cachedInputTokens = cached;
  const reasoning = isObject(u.output_tokens_details) ? num(u.output_tokens_details.reasoning_tokens) : undefined;
  if (reasoning !== undefined) usage.reasoningTokens = reasoning;
  return usage;
}

export function usageToWire(u: Usage | undefined): Json {
  const input = u?.inputTokens ?? 0;
  const output = u?.outputTokens ?? 0;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: u?.cachedInputTokens ?? 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: u?.reasoningTokens ?? 0 },
    total_tokens: input + output,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Finish reasons. Responses has no finish reason: it has a status plus `incomplete_details.reason`, and
// "tool calls" is implied by function_call items in a completed response.

export function finishFromWire(
  status: string | undefined,
  incompleteReason: string | undefined,
  sawToolCall: boolean,
): { reason: FinishReason; raw?: string } {
  if (status === 'incomplete') {
    if (incompleteReason === 'max_output_tokens') return { reason: 'length', raw: incompleteReason };
    if (incompleteReason === 'content_filter') return { reason: 'content-filter', raw: incompleteReason };
    return { reason: 'other', raw: incompleteReason ?? status };
  }
  if (status === 'failed' || status === 'cancelled') return { reason: 'error', raw: status };
  return { reason: sawToolCall ? 'tool-calls' : 'stop', raw: status };
}

/** Terminal status (and incomplete reason) to report for a canonical finish reason. */
export function statusForFinish(reason: FinishReason): { status: 'completed' | 'incomplete' | 'failed'; incomplete?: string } {
  switch (reason) {
    case 'length':
      return { status: 'incomplete', incomplete: 'max_output_tokens' };
    case 'content-filter':
      return { status: 'incomplete', incomplete: 'content_filter' };
    case 'error':
      return { status: 'failed' };
    default:
      return { status: 'completed' };
  }
}

/** HTTP-like status for the `code` of a Responses error event, so callers can pick their own error shape. */
const STATUS_BY_ERROR_CODE: Record<string, number> = {
  rate_limit_exceeded: 429,
  insufficient_quota: 429,
  usage_limit_reached: 429,
  server_error: 500,
  server_is_overloaded: 503,
  context_length_exceeded: 400,
  invalid_prompt: 400,
  invalid_request_error: 400,
};

export function statusForErrorCode(code: string | undefined): number | undefined {
  return code === undefined ? undefined : STATUS_BY_ERROR_CODE[code];
}

// ---------------------------------------------------------------------------------------------------------------
// Images

export function parseImageUrl(url: string): ImageSource {
  // Only the header is inspected (bounded indexOf), never a regex over the whole payload.
  if (url.startsWith('data:')) {
    const comma = url.indexOf(',');
    const header = comma > 0 ? url.slice(5, comma) : '';
    if (header.endsWith(';base64')) {
      return { kind: 'base64', mediaType: header.slice(0, -7) || 'application/octet-stream', data: url.slice(comma + 1) };
    }
  }
  return { kind: 'url', url };
}

export function imageSourceToUrl(source: ImageSource): string {
  return source.kind === 'base64' ? `data:${source.mediaType};base64,${source.data}` : source.url;
}

// ---------------------------------------------------------------------------------------------------------------
// Reasoning `encrypted_content`. A genuine OpenAI value is passed through untouched. Reasoning that came from
// another family (an Anthropic signature, a redacted block, a Gemini thought signature) is wrapped in a tagged
// envelope so that a Responses client which echoes the item back lets us restore the original family and bytes
// on the next turn. Real OpenAI never produces the prefix, so the two cannot be confused.

const ENVELOPE = 'cpx1:';
const FAMILIES: ReadonlySet<string> = new Set(['anthropic', 'gemini', 'openai']);

export function packEncrypted(
  family: ReasoningFamily | undefined,
  signature: string | undefined,
  redactedData: string | undefined,
): string | undefined {
  if (family === 'openai') return signature || undefined;
  if (!family) return undefined; // a signature of unknown origin is unusable anywhere: never forward it
  if (redactedData) return `${ENVELOPE}${family}:r:${redactedData}`;
  if (signature) return `${ENVELOPE}${family}:s:${signature}`;
  return undefined;
}

export function unpackEncrypted(value: string): { family: ReasoningFamily; signature?: string; redactedData?: string } {
  if (value.startsWith(ENVELOPE)) {
    const a = value.indexOf(':', ENVELOPE.length);
    const family = value.slice(ENVELOPE.length, a);
    const kind = value.slice(a + 1, a + 3);
    if (a > 0 && FAMILIES.has(family) && (kind === 'r:' || kind === 's:')) {
      const payload = value.slice(a + 3);
      return kind === 'r:'
        ? { family: family as ReasoningFamily, redactedData: payload }
        : { family: family as ReasoningFamily, signature: payload };
    }
  }
  return { family: 'openai', signature: value };
}

/** Text of a reasoning item: its summary parts (blank-line separated), else its raw `reasoning_text` content. */
export function reasoningItemText(item: Json): string {
  const pick = (list: unknown, type: string): string[] =>
    Array.isArray(list) ? list.filter((p) => isObject(p) && p.type === type && typeof p.text === 'string').map((p) => (p as Json).text as string) : [];
  const summary = pick(item.summary, 'summary_text');
  if (summary.length > 0) return summary.join('\n\n');
  return pick(item.content, 'reasoning_text').join('\n\n');
}

/** The JSON arguments a custom (free-form) tool call is represented with canonically. */
export function customInputToArguments(input: string): string {
  return JSON.stringify({ input });
}

/** Inverse of `customInputToArguments`, tolerant of arguments that did not come from it. */
export function argumentsToCustomInput(args: string): string {
  try {
    const parsed = JSON.parse(args) as unknown;
    if (isObject(parsed) && typeof parsed.input === 'string') return parsed.input;
  } catch {
    /* not JSON: the model wrote free-form text, which is what a custom tool wants anyway */
  }
  return args;
}

/** Parameters schema given to a custom tool once it is flattened into a function tool. */
export function customToolParameters(): Record<string, unknown> {
  return { type: 'object', properties: { input: { type: 'string' } }, required: ['input'] };
}
