import type { FinishReason, ReasoningEffort, Usage } from '../../ir/index.js';

/**
 * Small tables and helpers shared by the Anthropic codec's files: stop reasons, usage arithmetic,
 * error-type statuses, effort names. Tables over branches, so every direction agrees.
 */

export { isObject, num, str, type Json } from '../shared/json.js';
import { isObject, num, str, type Json } from '../shared/json.js';

/** Anthropic stop_reason → canonical finish reason. */
const FINISH_BY_STOP: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool-calls',
  refusal: 'content-filter',
  pause_turn: 'other',
};

/** Canonical finish reason → the stop_reason an Anthropic client expects. */
const STOP_BY_FINISH: Record<FinishReason, string> = {
  stop: 'end_turn',
  length: 'max_tokens',
  'tool-calls': 'tool_use',
  'content-filter': 'refusal',
  error: 'end_turn',
  other: 'end_turn',
};

export function finishFromStop(stop: string | undefined, sawToolCall: boolean): FinishReason {
  if (stop === undefined) return sawToolCall ? 'tool-calls' : 'stop';
  return FINISH_BY_STOP[stop] ?? 'other';
}

/**
 * Pick the stop_reason for a canonical finish. The raw reason is reused when it is an Anthropic one that
 * means the same thing (keeps `stop_sequence`, `pause_turn`); a `stop` with tool calls in the content is
 * reported as `tool_use` because Anthropic clients only run tools on that reason.
 */
export function stopFromFinish(reason: FinishReason, raw: string | undefined, hasToolCall: boolean): string {
  if (raw !== undefined && FINISH_BY_STOP[raw] === reason) return raw;
  if (reason === 'stop' && hasToolCall) return 'tool_use';
  return STOP_BY_FINISH[reason] ?? 'end_turn';
}

/**
 * Anthropic usage → canonical. Anthropic's `input_tokens` excludes cache reads and writes, the canonical
 * `inputTokens` is the whole prompt, so the three are added.
 */
export function usageFromWire(u: unknown): Usage | undefined {
  if (!isObject(u)) return undefined;
  const input = num(u.input_tokens) ?? 0;
  const read = num(u.cache_read_input_tokens) ?? 0;
  const write = num(u.cache_creation_input_tokens) ?? 0;
  const usage: Usage = { inputTokens: input + read + write, outputTokens: num(u.output_tokens) ?? 0 };
  if (read > 0) usage.cachedInputTokens = read;
  if (write > 0) usage.cacheWriteTokens = write;
  const details = u.output_tokens_details;
  if (isObject(details)) {
    const thinking = num(details.thinking_tokens);
    if (thinking !== undefined && thinking > 0) usage.reasoningTokens = thinking;
  }
  return usage;
}

/** Canonical usage → Anthropic usage (input_tokens floored at 0 after taking the cache out). */
export function usageToWire(u: Usage | undefined): Json {
  const read = u?.cachedInputTokens ?? 0;
  const write = u?.cacheWriteTokens ?? 0;
  const out: Json = {
    input_tokens: Math.max(0, (u?.inputTokens ?? 0) - read - write),
    output_tokens: u?.outputTokens ?? 0,
    cache_creation_input_tokens: write,
    cache_read_input_tokens: read,
  };
  if (u?.reasoningTokens) out.output_tokens_details = { thinking_tokens: u.reasoningTokens };
  return out;
}

/** Anthropic stream error types → HTTP-like status, for canonical error events. */
export const STATUS_BY_ERROR_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/** Anthropic `output_config.effort` → canonical effort. `max` has no canonical peer; xhigh is the top. */
export const EFFORT_FROM_WIRE: Record<string, ReasoningEffort> = {
  low: 'low',
  medium: 'medium',
  high: 'high',
  xhigh: 'xhigh',
  max: 'xhigh',
};

export { parseDataUrl } from '../shared/json.js';
