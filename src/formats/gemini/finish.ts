import type { FinishReason, Usage } from '../../ir/index.js';
import { field, isObj, num, type Json } from './wire.js';

/** Gemini `finishReason` → canonical. STOP becomes tool-calls when the turn contains a functionCall. */
const FINISH: Record<string, FinishReason> = {
  STOP: 'stop',
  MAX_TOKENS: 'length',
  SAFETY: 'content-filter',
  RECITATION: 'content-filter',
  BLOCKLIST: 'content-filter',
  PROHIBITED_CONTENT: 'content-filter',
  SPII: 'content-filter',
  IMAGE_SAFETY: 'content-filter',
  IMAGE_PROHIBITED_CONTENT: 'content-filter',
  IMAGE_RECITATION: 'content-filter',
  MODEL_ARMOR: 'content-filter',
  MALFORMED_FUNCTION_CALL: 'error',
  UNEXPECTED_TOOL_CALL: 'error',
  TOO_MANY_TOOL_CALLS: 'error',
  MISSING_THOUGHT_SIGNATURE: 'error',
  MALFORMED_RESPONSE: 'error',
  LANGUAGE: 'other',
  OTHER: 'other',
  IMAGE_OTHER: 'other',
  NO_IMAGE: 'other',
  FINISH_REASON_UNSPECIFIED: 'other',
};

export function decodeFinish(raw: string | undefined, sawToolCall: boolean): FinishReason {
  const reason = raw ? (FINISH[raw] ?? 'other') : 'stop';
  return reason === 'stop' && sawToolCall ? 'tool-calls' : reason;
}

/** Canonical → Gemini. Tool calls end with STOP on Gemini's wire; keep the raw reason when it agrees. */
export function encodeFinish(reason: FinishReason, raw: string | undefined): string {
  if (raw && FINISH[raw] !== undefined && decodeFinish(raw, reason === 'tool-calls') === reason) return raw;
  switch (reason) {
    case 'stop':
    case 'tool-calls':
      return 'STOP';
    case 'length':
      return 'MAX_TOKENS';
    case 'content-filter':
      return 'SAFETY';
    case 'error':
    case 'other':
      // Without a Gemini-specific raw reason, OTHER is the honest generic (MALFORMED_FUNCTION_CALL makes
      // gemini-cli retry the turn).
      return 'OTHER';
  }
}

/**
 * usageMetadata → canonical. Gemini counts thoughts apart from candidates; canonical output includes
 * them. `promptTokenCount` already includes cached tokens; tool-use prompt tokens (search results fed
 * back to the model) are input too.
 */
export function decodeUsage(meta: unknown): Usage | undefined {
  if (!isObj(meta)) return undefined;
  const prompt = num(field(meta, 'promptTokenCount')) ?? 0;
  const toolPrompt = num(field(meta, 'toolUsePromptTokenCount')) ?? 0;
  const candidates = num(field(meta, 'candidatesTokenCount')) ?? 0;
  const thoughts = num(field(meta, 'thoughtsTokenCount'));
  const cached = num(field(meta, 'cachedContentTokenCount'));
  const usage: Usage = { inputTokens: prompt + toolPrompt, outputTokens: candidates + (thoughts ?? 0) };
  if (cached !== undefined) usage.cachedInputTokens = cached;
  if (thoughts !== undefined) usage.reasoningTokens = thoughts;
  return usage;
}

export function encodeUsage(usage: Usage | undefined): Json {
  const input = usage?.inputTokens ?? 0;
  const output = usage?.outputTokens ?? 0;
  const reasoning = usage?.reasoningTokens;
  const meta: Json = {
    promptTokenCount: input,
    candidatesTokenCount: Math.max(0, output - (reasoning ?? 0)),
    totalTokenCount: input + output,
  };
  if (reasoning !== undefined) meta.thoughtsTokenCount = reasoning;
  if (usage?.cachedInputTokens !== undefined) meta.cachedContentTokenCount = usage.cachedInputTokens;
  return meta;
}
