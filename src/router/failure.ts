/** How one failed upstream attempt is classified: retry elsewhere or answer the caller now, and how long to cool. */
export interface AttemptFailure {
  status: number;
  message: string;
  /** Provider error code/type if known. */
  code?: string;
  /** Raw upstream body (for re-wrapping); never includes our secrets. */
  body?: string;
  headers?: Record<string, string>;
  /** Upstream reset hint in ms, already parsed from headers/body. */
  retryAfterMs?: number;
  /** Transport-level failure (connect error, reset, timeout) rather than an HTTP status. */
  transport?: boolean;
}

export type FailureClass =
  | { retry: false; cool: false } // request-scoped: the caller's request is at fault
  | { retry: true; cool: true; cooldownMs: number | 'backoff'; quota: boolean; reason: string };

const CONTEXT_TOO_LONG = /context length|context window|too many tokens|prompt is too long|maximum context|input is too long|request too large/i;

export function classifyFailure(f: AttemptFailure): FailureClass {
  if (f.transport) return { retry: true, cool: true, cooldownMs: 60_000, quota: false, reason: 'transport' };
  const s = f.status;
  if (s === 400 || s === 413 || s === 422) return { retry: false, cool: false };
  if (CONTEXT_TOO_LONG.test(f.message)) return { retry: false, cool: false };
  if (s === 429) return { retry: true, cool: true, cooldownMs: f.retryAfterMs ?? 'backoff', quota: true, reason: 'rate_limited' };
  if (s === 401) return { retry: true, cool: true, cooldownMs: 30 * 60_000, quota: false, reason: 'unauthorized' };
  if (s === 402) return { retry: true, cool: true, cooldownMs: 30 * 60_000, quota: false, reason: 'payment_required' };
  if (s === 403) return { retry: true, cool: true, cooldownMs: 60_000, quota: false, reason: 'forbidden' };
  if (s === 404) return { retry: true, cool: true, cooldownMs: 10 * 60_000, quota: false, reason: 'model_not_found' };
  if (s === 408 || s >= 500) return { retry: true, cool: true, cooldownMs: 60_000, quota: false, reason: 'upstream_error' };
  return { retry: false, cool: false };
}
