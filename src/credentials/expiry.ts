/** Reading expiry times out of token files, whose providers each spell them differently (SPEC 5.5). */

const EXPIRY_KEYS = ['expired', 'expire', 'expires_at', 'expiresAt', 'expiry', 'expires'] as const;

/** A timestamp as ms since epoch: RFC 3339 strings, or numbers in seconds or milliseconds. */
export function parseTime(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return v > 1e12 ? v : v * 1000;
  if (typeof v === 'string' && v.trim()) {
    const t = v.trim();
    if (/^\d+$/.test(t)) return parseTime(Number(t));
    const ms = Date.parse(t);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

/** When the access token in a token file expires, if the file says. */
export function expiryOf(meta: Record<string, unknown>): number | undefined {
  for (const k of EXPIRY_KEYS) {
    const t = parseTime(meta[k]);
    if (t !== undefined) return t;
  }
  const token = meta.token as Record<string, unknown> | undefined;
  if (token && typeof token === 'object') {
    const t = parseTime(token.expiry);
    if (t !== undefined) return t;
  }
  const ts = parseTime(meta.timestamp);
  if (ts !== undefined && typeof meta.expires_in === 'number') return ts + meta.expires_in * 1000;
  return undefined;
}

export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
