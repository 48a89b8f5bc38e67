import type { ReasoningConfig, ReasoningEffort } from '../../ir/index.js';

/**
 * The one table mapping reasoning effort levels onto thinking-token budgets, used by every codec.
 *
 * | effort  | budget |
 * |---------|--------|
 * | none    | 0      |
 * | minimal | 512    |
 * | low     | 1024   |
 * | medium  | 8192   |
 * | high    | 24576  |
 * | xhigh   | 32768  |
 *
 * Budget → effort picks the smallest level whose budget is >= the given budget; -1 (dynamic) maps to `medium`.
 */
export const BUDGET_BY_EFFORT: Record<ReasoningEffort, number> = {
  none: 0,
  minimal: 512,
  low: 1024,
  medium: 8192,
  high: 24576,
  xhigh: 32768,
};

const LEVELS: ReasoningEffort[] = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'];

export function effortToBudget(effort: ReasoningEffort): number {
  return BUDGET_BY_EFFORT[effort];
}

export function budgetToEffort(budget: number): ReasoningEffort {
  if (budget < 0) return 'medium';
  for (const level of LEVELS) if (budget <= BUDGET_BY_EFFORT[level]) return level;
  return 'xhigh';
}

/** Resolve a reasoning config to a budget (undefined when the caller said nothing about reasoning). */
export function reasoningBudget(r: ReasoningConfig | undefined): number | undefined {
  if (!r) return undefined;
  if (r.budgetTokens !== undefined) return r.budgetTokens;
  if (r.effort !== undefined) return effortToBudget(r.effort);
  return undefined;
}

/** Resolve a reasoning config to an effort level (undefined when the caller said nothing about reasoning). */
export function reasoningEffort(r: ReasoningConfig | undefined): ReasoningEffort | undefined {
  if (!r) return undefined;
  if (r.effort !== undefined) return r.effort;
  if (r.budgetTokens !== undefined) return budgetToEffort(r.budgetTokens);
  return undefined;
}
