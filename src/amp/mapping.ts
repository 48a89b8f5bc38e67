import type { ModelMapping } from '../config/schema.js';
import type { Logger } from '../util/log.js';

/** `name(suffix)` → base and suffix (the generic thinking-level syntax, e.g. `gpt-5.2(xhigh)`). */
export function splitSuffix(model: string): { base: string; suffix: string } {
  const m = /^(.+?)(\([^()]*\))$/.exec(model);
  return m ? { base: m[1]!, suffix: m[2]! } : { base: model, suffix: '' };
}

/**
 * Compiled `ampcode.model-mappings`: exact names (case-insensitive, later duplicates win) first, then
 * `regex: true` entries in config order (first match wins). Built once per config snapshot, so a hot
 * reload takes effect on the next request without any change detection.
 */
export class ModelMapper {
  private readonly exact = new Map<string, string>();
  private readonly patterns: Array<{ re: RegExp; to: string }> = [];

  constructor(entries: readonly ModelMapping[], log?: Logger) {
    for (const e of entries) {
      const from = e.from.trim();
      const to = e.to.trim();
      if (!from || !to) {
        log?.warn({ from, to }, 'ampcode.model-mappings entry skipped: from and to are both required');
        continue;
      }
      if (!e.regex) {
        this.exact.set(from.toLowerCase(), to);
        continue;
      }
      try {
        this.patterns.push({ re: new RegExp(from, 'i'), to });
      } catch (err) {
        log?.warn({ from, err: (err as Error).message }, 'ampcode.model-mappings regex skipped: invalid pattern');
      }
    }
  }

  get size(): number {
    return this.exact.size + this.patterns.length;
  }

  /**
   * Mapping target for a requested model, or undefined. Tries the full name (with any `(suffix)`), then the
   * base name; a suffix on the request is carried to a target that has none, so `gpt-5.2(xhigh)` mapped to
   * `x` routes as `x(xhigh)`.
   */
  lookup(requested: string): string | undefined {
    const { base, suffix } = splitSuffix(requested.trim());
    const hit = this.match(requested.trim()) ?? (suffix ? this.match(base) : undefined);
    if (!hit) return undefined;
    if (suffix && !splitSuffix(hit).suffix) return hit + suffix;
    return hit;
  }

  private match(name: string): string | undefined {
    const exact = this.exact.get(name.toLowerCase());
    if (exact) return exact;
    for (const p of this.patterns) if (p.re.test(name)) return p.to;
    return undefined;
  }
}

const compiled = new WeakMap<readonly ModelMapping[], ModelMapper>();

/** The mapper for a config snapshot's mapping list (cached per list object, i.e. per reload). */
export function mapperFor(entries: readonly ModelMapping[], log?: Logger): ModelMapper {
  let m = compiled.get(entries);
  if (!m) {
    m = new ModelMapper(entries, log);
    compiled.set(entries, m);
  }
  return m;
}
