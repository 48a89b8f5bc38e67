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
  /** Transport-level failure (connect error, reset, timeout, empty stream) rather than an HTTP status. */
  transport?: boolean;
}

export type FailureClass =
  | { retry: false; cool: false } // request-scoped: the caller's request is at fault
  | { retry: true; cool: true; cooldownMs: number | 'backoff'; quota: boolean; reason: string };

/** Short cooldown for failures that are probably passing (5xx, timeouts, 403 blips). */
export const BRIEF_COOLDOWN_MS = 30_000;

const CONTEXT_TOO_LONG =
  /context length|context window|context_length_exceeded|too many tokens|prompt is too long|maximum context|input is too long|request too large|invalid_request/i;

const REQUEST_SCOPED: FailureClass = { retry: false, cool: false };

/**
 * The one table from upstream outcome to router action. Request-scoped errors (the caller's body is at fault)
 * go straight back and never cool a credential, so one bad request cannot fan out over every account.
 */
export function classifyFailure(f: AttemptFailure): FailureClass {
  if (f.transport) return { retry: true, cool: true, cooldownMs: BRIEF_COOLDOWN_MS, quota: false, reason: 'transport' };
  const s = f.status;
  if (s === 429) return { retry: true, cool: true, cooldownMs: f.retryAfterMs ?? 'backoff', quota: true, reason: 'rate_limited' };
  if (s === 400 || s === 413 || s === 422) return REQUEST_SCOPED;
  if (s >= 400 && s < 500 && s !== 401 && s !== 403 && CONTEXT_TOO_LONG.test(`${f.code ?? ''} ${f.message}`)) return REQUEST_SCOPED;
  if (s === 401) return { retry: true, cool: true, cooldownMs: 30 * 60_000, quota: false, reason: 'unauthorized' };
  if (s === 402) return { retry: true, cool: true, cooldownMs: 30 * 60_000, quota: false, reason: 'payment_required' };
  if (s === 403) return { retry: true, cool: true, cooldownMs: 60_000, quota: false, reason: 'forbidden' };
  if (s === 404) return { retry: true, cool: true, cooldownMs: 10 * 60_000, quota: false, reason: 'model_not_found' };
  // 501: the operation is not implemented for this credential (e.g. token counting): not a health problem.
  if (s === 501) return REQUEST_SCOPED;
  if (s === 408 || s >= 500) return { retry: true, cool: true, cooldownMs: BRIEF_COOLDOWN_MS, quota: false, reason: 'upstream_error' };
  return REQUEST_SCOPED;
}
