/**
 * What a Claude model accepts, derived from its name. The request encoder needs this because the thinking
 * API changed shape across generations: 3.7–4.5 take `thinking:{type:"enabled", budget_tokens}`; 4.6 takes
 * `adaptive` (budgets deprecated); 4.7 and later reject budgets outright. `output_config.effort` exists from
 * Opus 4.5 (low..high), `max` from 4.6, `xhigh` from 4.7; Sonnet/Haiku 4.5 reject effort entirely.
 * Unparseable names are treated as current models (adaptive), since new names are the likely unknowns.
 */

export interface ClaudeCapabilities {
  /** Model supports extended thinking at all (3.7+). */
  thinking: boolean;
  /** Use `thinking:{type:"adaptive"}` + effort instead of a token budget. */
  adaptive: boolean;
  /** Accepted `output_config.effort` values (empty = do not send effort). */
  efforts: readonly string[];
  /** Safe default for the required `max_tokens`. */
  defaultMaxTokens: number;
}

const EFFORTS_45 = ['low', 'medium', 'high'] as const;
const EFFORTS_46 = ['low', 'medium', 'high', 'max'] as const;
const EFFORTS_47 = ['low', 'medium', 'high', 'xhigh', 'max'] as const;

interface Version {
  major: number;
  minor: number;
}

/**
 * Extract the version from names like `claude-opus-4-7`, `claude-3-7-sonnet-20250219`,
 * `claude-sonnet-4-20250514`, `claude-haiku-4.5`, `claude-fable-5`. Dates (8 digits) are skipped.
 */
export function claudeVersion(model: string): Version | undefined {
  const tokens = model.toLowerCase().split(/[-.@:_/]/);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (!/^\d{1,2}$/.test(t)) continue;
    const next = tokens[i + 1];
    const minor = next !== undefined && /^\d$/.test(next) ? Number(next) : 0;
    return { major: Number(t), minor };
  }
  return undefined;
}

function atLeast(v: Version, major: number, minor: number): boolean {
  return v.major > major || (v.major === major && v.minor >= minor);
}

export function claudeCapabilities(model: string): ClaudeCapabilities {
  const v = claudeVersion(model);
  if (!v) return { thinking: true, adaptive: true, efforts: EFFORTS_47, defaultMaxTokens: 32000 };
  const lower = model.toLowerCase();
  const thinking = atLeast(v, 3, 7);
  const adaptive = atLeast(v, 4, 6);
  let efforts: readonly string[] = [];
  if (atLeast(v, 4, 7)) efforts = EFFORTS_47;
  else if (atLeast(v, 4, 6)) efforts = EFFORTS_46;
  else if (v.major === 4 && v.minor === 5 && lower.includes('opus')) efforts = EFFORTS_45;
  // Claude 3.5 and older cap output at 8192 tokens and reject larger max_tokens.
  const defaultMaxTokens = thinking ? 32000 : 8192;
  return { thinking, adaptive, efforts, defaultMaxTokens };
}

/** Fit a requested Anthropic effort to what the model accepts: nearest lower accepted level, else nearest higher. */
export function fitEffort(wanted: string, accepted: readonly string[]): string | undefined {
  if (accepted.length === 0) return undefined;
  if (accepted.includes(wanted)) return wanted;
  const order = ['low', 'medium', 'high', 'xhigh', 'max'];
  const idx = order.indexOf(wanted);
  if (idx < 0) return undefined;
  for (let i = idx; i >= 0; i--) if (accepted.includes(order[i]!)) return order[i];
  for (let i = idx; i < order.length; i++) if (accepted.includes(order[i]!)) return order[i];
  return undefined;
}
