/**
 * Reset hints from every provider's rate-limit answer, in ms: `Retry-After` (seconds or HTTP date),
 * `retry-after-ms`, Anthropic `anthropic-ratelimit-*-reset` (RFC 3339), OpenAI `x-ratelimit-reset-*`
 * (`1m30s`, `250ms`), Google `RetryInfo.retryDelay` (`3.5s`) and Codex `resets_in_seconds` in the body.
 */
export function parseRetryAfter(headers: Record<string, string>, body: string | undefined, now = Date.now()): number | undefined {
  const h = (name: string) => headers[name];
  const ms = h('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const ra = h('retry-after');
  if (ra) {
    const secs = Number(ra);
    if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
    const date = Date.parse(ra);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  let anthropic: number | undefined;
  // Subscription (OAuth) limits report an epoch-seconds reset; API-key limits an RFC 3339 time.
  const unified = h('anthropic-ratelimit-unified-reset');
  if (unified && /^\d+$/.test(unified)) anthropic = Number(unified) * 1000 - now;
  for (const name of ['anthropic-ratelimit-requests-reset', 'anthropic-ratelimit-tokens-reset', 'anthropic-ratelimit-input-tokens-reset', 'anthropic-ratelimit-output-tokens-reset']) {
    const v = h(name);
    if (!v) continue;
    const t = Date.parse(v);
    if (!Number.isNaN(t)) anthropic = Math.max(anthropic ?? 0, t - now);
  }
  if (anthropic !== undefined) return Math.max(0, anthropic);
  let openai: number | undefined;
  for (const name of ['x-ratelimit-reset-requests', 'x-ratelimit-reset-tokens']) {
    const v = h(name);
    const d = v ? parseGoDuration(v) : undefined;
    if (d !== undefined) openai = Math.max(openai ?? 0, d);
  }
  if (openai !== undefined) return openai;
  if (body) return parseBodyHint(body, now);
  return undefined;
}

/** `1h2m3.5s`, `250ms`, `3.5s` → ms. */
export function parseGoDuration(s: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let matched = false;
  let consumed = 0;
  for (const m of s.trim().matchAll(re)) {
    matched = true;
    consumed += m[0].length;
    const n = Number(m[1]);
    total += m[2] === 'h' ? n * 3_600_000 : m[2] === 'm' ? n * 60_000 : m[2] === 's' ? n * 1000 : n;
  }
  if (!matched || consumed !== s.trim().length) return undefined;
  return total;
}

function parseBodyHint(body: string, now: number): number | undefined {
  if (body.length > 65_536 || (!body.includes('etry') && !body.includes('resets_'))) return undefined;
  try {
    const parsed = JSON.parse(body) as unknown;
    const root = (Array.isArray(parsed) ? parsed[0] : parsed) as Record<string, unknown> | undefined;
    const err = root?.error as Record<string, unknown> | undefined;
    const details = err?.details;
    if (Array.isArray(details)) {
      for (const d of details) {
        const delay = (d as Record<string, unknown>)?.retryDelay;
        if (typeof delay === 'string') {
          const v = parseGoDuration(delay);
          if (v !== undefined) return v;
        }
      }
    }
    const resets = (err?.resets_in_seconds ?? root?.resets_in_seconds) as unknown;
    if (typeof resets === 'number') return resets * 1000;
    // Codex also sends `resets_at` (epoch seconds) without `resets_in_seconds` in some answers.
    const at = (err?.resets_at ?? root?.resets_at) as unknown;
    if (typeof at === 'number') return Math.max(0, at * 1000 - now);
  } catch {
    /* not JSON */
  }
  return undefined;
}
