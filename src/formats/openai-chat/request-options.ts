import type { ReasoningConfig, ReasoningEffort, ResponseFormat, ToolChoice } from '../../ir/index.js';
import { InvalidRequestError } from '../types.js';
import { isObject, num, str, type Json } from './wire.js';

/** Decoders for the option fields of a chat request (tool_choice, reasoning, response_format). */

const EFFORTS = new Set<string>(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']);

export function decodeToolChoice(v: unknown): ToolChoice | undefined {
  if (typeof v === 'string') {
    switch (v) {
      case 'none':
        return { type: 'none' };
      case 'auto':
        return { type: 'auto' };
      case 'required':
      case 'any':
        return { type: 'required' };
      default:
        return undefined;
    }
  }
  if (!isObject(v)) return undefined;
  // {type:"function", function:{name}} and the legacy `function_call: {name}`.
  const name = isObject(v.function) ? str(v.function.name) : str(v.name);
  if (name) return { type: 'tool', name };
  // {type:"allowed_tools", allowed_tools:{mode, tools}}: the subset cannot be expressed, the mode can.
  if (v.type === 'allowed_tools' && isObject(v.allowed_tools)) {
    return v.allowed_tools.mode === 'required' ? { type: 'required' } : { type: 'auto' };
  }
  return undefined;
}

/**
 * `reasoning_effort` first; otherwise the budget spellings other OpenAI-compatible front ends accept:
 * `extra_body.google.thinking_config` (Gemini's compat layer, also flattened to `google` by the Python SDK),
 * a top-level Anthropic-style `thinking`, and OpenRouter's `reasoning:{effort|max_tokens}`.
 */
export function decodeReasoning(body: Json): ReasoningConfig | undefined {
  const reasoningObj = isObject(body.reasoning) ? body.reasoning : undefined;
  const effort = str(body.reasoning_effort) ?? (reasoningObj ? str(reasoningObj.effort) : undefined);
  if (effort !== undefined) {
    if (EFFORTS.has(effort)) return { effort: effort as ReasoningEffort, includeThoughts: effort !== 'none' };
    if (effort === 'auto') return { budgetTokens: -1, includeThoughts: true };
  }

  const google = isObject(body.extra_body) && isObject(body.extra_body.google) ? body.extra_body.google : body.google;
  const tc = isObject(google) ? (google.thinking_config ?? google.thinkingConfig) : undefined;
  if (isObject(tc)) {
    const budget = num(tc.thinking_budget) ?? num(tc.thinkingBudget);
    const include = tc.include_thoughts ?? tc.includeThoughts;
    if (budget !== undefined || typeof include === 'boolean') {
      const out: ReasoningConfig = {};
      if (budget !== undefined) out.budgetTokens = budget;
      if (typeof include === 'boolean') out.includeThoughts = include;
      return out;
    }
  }

  const thinking = body.thinking;
  if (isObject(thinking)) {
    if (thinking.type === 'disabled') return { budgetTokens: 0, includeThoughts: false };
    const budget = num(thinking.budget_tokens);
    if (thinking.type === 'enabled' && budget !== undefined) return { budgetTokens: budget, includeThoughts: true };
    if (thinking.type === 'enabled' || thinking.type === 'adaptive') return { budgetTokens: -1, includeThoughts: true };
  }

  const orBudget = reasoningObj ? num(reasoningObj.max_tokens) : undefined;
  if (orBudget !== undefined) return { budgetTokens: orBudget, includeThoughts: reasoningObj?.exclude !== true };
  return undefined;
}

export function decodeResponseFormat(v: unknown): ResponseFormat | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw new InvalidRequestError('response_format must be an object', 'response_format');
  switch (v.type) {
    case 'text':
      return { type: 'text' };
    case 'json_object':
      return { type: 'json' };
    case 'json_schema': {
      const js = v.json_schema;
      if (!isObject(js)) {
        throw new InvalidRequestError('response_format.json_schema must be an object', 'response_format.json_schema');
      }
      const out: ResponseFormat = { type: 'json_schema', schema: isObject(js.schema) ? js.schema : {} };
      const name = str(js.name);
      if (name) out.name = name;
      if (typeof js.strict === 'boolean') out.strict = js.strict;
      const description = str(js.description);
      if (description) out.description = description;
      return out;
    }
    default:
      return undefined;
  }
}
