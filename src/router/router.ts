import type { Credential } from '../credentials/types.js';
import { ModelRegistry, type Candidate } from './registry.js';
import { MemoryCooldownStore, type CooldownStore } from './cooldown.js';
import { classifyFailure, type AttemptFailure } from './failure.js';

export type Strategy = 'round-robin' | 'fill-first' | 'priority';

export interface RouterOptions {
  strategy: Strategy;
  disableCooling: boolean;
  /** Cap on upstream reset hints (ms). */
  maxCooldownMs: number;
  /** Max credentials tried per request; 0 = all. */
  maxCredentials: number;
  /** CLIProxyAPI `request-retry`: extra rounds when a cooling credential frees up within maxRetryIntervalMs. */
  requestRetry: number;
  maxRetryIntervalMs: number;
}

export type AttemptResult<T> = { ok: true; value: T } | { ok: false; failure: AttemptFailure };

export type RunResult<T> =
  | { ok: true; value: T; candidate: Candidate; attempts: number }
  | { ok: false; kind: 'failed'; failure: AttemptFailure; attempts: number; candidate?: Candidate }
  | { ok: false; kind: 'cooling'; retryAfterMs: number; attempts: number }
  | { ok: false; kind: 'none'; attempts: 0 };

const DEFAULT_OPTIONS: RouterOptions = {
  strategy: 'round-robin',
  disableCooling: false,
  maxCooldownMs: 30 * 60_000,
  maxCredentials: 0,
  requestRetry: 0,
  maxRetryIntervalMs: 0,
};

/**
 * Picks credentials for a model and runs the attempt loop: a retryable failure moves to the next credential
 * (and cools the failed one for that model); a request-scoped failure goes straight back to the caller.
 * Knows credentials and models, never wire formats.
 */
export class Router {
  readonly registry = new ModelRegistry();
  private readonly cursors = new Map<string, number>();
  options: RouterOptions;

  constructor(
    options: Partial<RouterOptions> = {},
    readonly cooldowns: CooldownStore & { level?(c: string, m: string): number } = new MemoryCooldownStore(),
  ) {
    this.options = { ...DEFAULT_OPTIONS, ...options };
  }

  setCredentials(credentials: readonly Credential[]): void {
    this.registry.rebuild(credentials);
  }

  /** Candidates not cooling for this model, ordered by the strategy (first = preferred). */
  order(model: string, candidates: readonly Candidate[], now = Date.now()): Candidate[] {
    const available = candidates.filter((c) => !this.cooldowns.get(c.credential.id, model, now));
    if (available.length <= 1) return available;
    switch (this.options.strategy) {
      case 'fill-first':
        return available;
      case 'priority': {
        const tiers = new Map<number, Candidate[]>();
        for (const c of available) {
          const p = c.credential.priority;
          let t = tiers.get(p);
          if (!t) tiers.set(p, (t = []));
          t.push(c);
        }
        const out: Candidate[] = [];
        for (const p of [...tiers.keys()].sort((a, b) => b - a)) out.push(...this.rotate(`${model}\u0000${p}`, tiers.get(p)!));
        return out;
      }
      case 'round-robin':
        return this.rotate(model, available);
    }
  }

  private rotate(key: string, list: Candidate[]): Candidate[] {
    const cursor = this.cursors.get(key) ?? 0;
    this.cursors.set(key, (cursor + 1) % 1_000_000_007);
    const start = cursor % list.length;
    return start === 0 ? list : [...list.slice(start), ...list.slice(0, start)];
  }

  /** Earliest time (ms from now) at which some candidate's cooldown ends, if all are cooling. */
  earliestRelease(model: string, candidates: readonly Candidate[], now = Date.now()): number | undefined {
    let min: number | undefined;
    for (const c of candidates) {
      const s = this.cooldowns.get(c.credential.id, model, now);
      if (!s) return undefined;
      min = min === undefined ? s.until - now : Math.min(min, s.until - now);
    }
    return min;
  }

  markSuccess(credentialId: string, model: string): void {
    if (this.cooldowns.level?.(credentialId, model)) this.cooldowns.delete(credentialId, model);
  }

  markFailure(credentialId: string, model: string, failure: AttemptFailure, now = Date.now()): void {
    const cls = classifyFailure(failure);
    if (!cls.cool) return;
    const prevLevel = this.cooldowns.level?.(credentialId, model) ?? 0;
    let ms: number;
    let level = prevLevel;
    if (cls.cooldownMs === 'backoff') {
      if (this.options.disableCooling) return;
      ms = Math.min(1000 * 2 ** prevLevel, this.options.maxCooldownMs);
      level = prevLevel + 1;
    } else {
      ms = Math.min(cls.cooldownMs, this.options.maxCooldownMs);
    }
    if (ms <= 0) return;
    this.cooldowns.set(credentialId, model, { until: now + ms, reason: cls.reason, status: failure.status, quota: cls.quota, level });
  }

  /**
   * Try candidates in strategy order until one succeeds or a request-scoped error occurs.
   * `attempt` must not have sent anything to the caller when it returns a failure.
   */
  async run<T>(
    model: string,
    candidates: readonly Candidate[],
    attempt: (candidate: Candidate, attemptNo: number) => Promise<AttemptResult<T>>,
    signal?: AbortSignal,
  ): Promise<RunResult<T>> {
    if (candidates.length === 0) return { ok: false, kind: 'none', attempts: 0 };
    let attempts = 0;
    let last: { failure: AttemptFailure; candidate: Candidate } | undefined;
    const maxCreds = this.options.maxCredentials > 0 ? this.options.maxCredentials : Number.POSITIVE_INFINITY;
    const tried = new Set<string>();
    for (let round = 0; round <= this.options.requestRetry; round++) {
      const ordered = this.order(model, candidates).filter((c) => !tried.has(c.credential.id) || round > 0);
      for (const candidate of ordered) {
        if (signal?.aborted) break;
        if (tried.size >= maxCreds && !tried.has(candidate.credential.id)) break;
        tried.add(candidate.credential.id);
        attempts++;
        const result = await attempt(candidate, attempts);
        if (result.ok) {
          this.markSuccess(candidate.credential.id, model);
          return { ok: true, value: result.value, candidate, attempts };
        }
        last = { failure: result.failure, candidate };
        this.markFailure(candidate.credential.id, model, result.failure);
        if (!classifyFailure(result.failure).retry) {
          return { ok: false, kind: 'failed', failure: result.failure, attempts, candidate };
        }
      }
      if (signal?.aborted || round === this.options.requestRetry) break;
      const wait = this.earliestRelease(model, candidates);
      if (wait === undefined || this.options.maxRetryIntervalMs <= 0 || wait > this.options.maxRetryIntervalMs) break;
      await sleep(wait, signal);
    }
    if (last && attempts > 0) {
      const cooling = this.earliestRelease(model, candidates);
      if (cooling !== undefined && last.failure.status === 429) return { ok: false, kind: 'cooling', retryAfterMs: cooling, attempts };
      return { ok: false, kind: 'failed', failure: last.failure, attempts, candidate: last.candidate };
    }
    const cooling = this.earliestRelease(model, candidates) ?? 1000;
    return { ok: false, kind: 'cooling', retryAfterMs: cooling, attempts };
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });
}
