import type { CanonicalRequest, ReasoningEffort } from '../ir/index.js';
import type { Format } from '../formats/types.js';
import { budgetToEffort, effortToBudget } from '../formats/shared/reasoning.js';

/**
 * The generic thinking suffix `model(level)` (SPEC 6.4, later CLIProxyAPI): `gpt-5(high)`,
 * `claude-sonnet-4-5(16384)`, `gemini-2.5-pro(auto)`. The base model routes; the level overrides the request's
 * reasoning settings, whatever the caller's API, using the one shared effort↔budget table.
 */
export type ThinkingLevel = { effort: ReasoningEffort } | { budget: number } | { auto: true };

const EFFORTS = new Set<string>(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']);

export function parseThinkingSuffix(model: string): ThinkingLevel | undefined {
  if (model.charCodeAt(model.length - 1) !== 41 /* ) */) return undefined;
  const m = /\(([^()]*)\)$/.exec(model);
  if (!m) return undefined;
  const v = m[1]!.trim().toLowerCase();
  if (EFFORTS.has(v)) return { effort: v as ReasoningEffort };
  if (v === 'auto' || v === '-1') return { auto: true };
  if (/^\d+$/.test(v)) return { budget: Number(v) };
  return undefined;
}

const budgetOf = (l: ThinkingLevel): number => ('budget' in l ? l.budget : 'effort' in l ? effortToBudget(l.effort) : -1);
const effortOf = (l: ThinkingLevel): ReasoningEffort => ('effort' in l ? l.effort : 'budget' in l ? budgetToEffort(l.budget) : 'medium');

/** Apply a level to a canonical request (translated calls). */
export function applyThinkingToCanonical(req: CanonicalRequest, level: ThinkingLevel): void {
  const includeThoughts = req.reasoning?.includeThoughts;
  if ('effort' in level) req.reasoning = { effort: level.effort, ...(includeThoughts !== undefined ? { includeThoughts } : {}) };
  else req.reasoning = { budgetTokens: budgetOf(level), ...(includeThoughts !== undefined ? { includeThoughts } : {}) };
}

/** Apply a level to a pass-through body in the caller's own format (a shallow copy; the caller's body is kept). */
export function applyThinkingToBody(format: Format, body: Record<string, unknown>, level: ThinkingLevel): Record<string, unknown> {
  const out: Record<string, unknown> = { ...body };
  switch (format) {
    case 'openai-chat':
      out.reasoning_effort = effortOf(level);
      return out;
    case 'openai-responses':
      out.reasoning = { ...((body.reasoning as Record<string, unknown> | undefined) ?? {}), effort: effortOf(level) };
      return out;
    case 'anthropic': {
      const budget = budgetOf(level);
      if (budget === 0) {
        out.thinking = { type: 'disabled' };
        return out;
      }
      const tokens = budget < 0 ? effortToBudget('medium') : Math.max(1024, budget);
      out.thinking = { type: 'enabled', budget_tokens: tokens };
      const max = typeof body.max_tokens === 'number' ? body.max_tokens : 0;
      if (max <= tokens) out.max_tokens = tokens + 4096;
      // Anthropic rejects sampling settings alongside extended thinking.
      delete out.temperature;
      delete out.top_k;
      return out;
    }
    case 'gemini': {
      const gen = { ...((body.generationConfig as Record<string, unknown> | undefined) ?? {}) };
      const budget = budgetOf(level);
      gen.thinkingConfig = { thinkingBudget: budget, includeThoughts: budget !== 0 };
      out.generationConfig = gen;
      return out;
    }
  }
}
