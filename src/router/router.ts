import type { Cancellation } from '../util/cancel.js';
import type { Credential } from '../credentials/types.js';
import { ModelRegistry, type Candidate, type RegistryOptions } from './registry.js';
import { MemoryCooldownStore, type CooldownStore } from './cooldown.js';
import { classifyFailure, type AttemptFailure } from './failure.js';
import { Selector, type Strategy } from './select.js';
import { AffinityTable } from './affinity.js';

export type { Strategy } from './select.js';

export interface RouterOptions {
  strategy: Strategy;
  disableCooling: boolean;
  /** Cap on upstream reset hints and back-off (ms); the credential is re-probed when it elapses. */
  maxCooldownMs: number;
  /** Max distinct credentials tried per request; 0 = all. */
  maxCredentials: number;
  /** CLIProxyAPI `request-retry`: extra rounds when a cooling credential frees up within maxRetryIntervalMs. */
  requestRetry: number;
  maxRetryIntervalMs: number;
  /** Keep a conversation on the credential that served its last turn. */
  sessionAffinity: boolean;
  sessionAffinityTtlMs: number;
}

export type AttemptResult<T> = { ok: true; value: T } | { ok: false; failure: AttemptFailure };

export type RunResult<T> =
  | { ok: true; value: T; candidate: Candidate; attempts: number }
  | { ok: false; kind: 'failed'; failure: AttemptFailure; attempts: number; candidate?: Candidate }
  | { ok: false; kind: 'cooling'; retryAfterMs: number; attempts: number }
  | { ok: false; kind: 'none'; attempts: 0 };

export interface RunOptions {
  /**
   * Conversation key (X-Session-ID, X-Amp-Thread-Id, Claude Code metadata.user_id) for session affinity, or a
   * function that finds it: called only when session affinity is on.
   */
  sessionKey?: string | (() => string | undefined);
}

const DEFAULT_OPTIONS: RouterOptions = {
  strategy: 'round-robin',
  disableCooling: false,
  maxCooldownMs: 30 * 60_000,
  maxCredentials: 0,
  requestRetry: 0,
  maxRetryIntervalMs: 0,
  sessionAffinity: false,
  sessionAffinityTtlMs: 60 * 60_000,
};

/**
 * Picks credentials for a model and runs the attempt loop: a retryable failure moves to the next credential
 * (and cools the failed one for that model); a request-scoped failure goes straight back to the caller.
 * Knows credentials and models, never wire formats.
 */
export class Router {
  readonly registry = new ModelRegistry();
  readonly selector = new Selector();
  readonly affinity: AffinityTable;
  options: RouterOptions;

  constructor(
    options: Partial<RouterOptions> = {},
    readonly cooldowns: CooldownStore = new MemoryCooldownStore(),
  ) {
    this.options = { ...DEFAULT_OPTIONS, ...options };
    this.affinity = new AffinityTable(this.options.sessionAffinityTtlMs);
  }

  setCredentials(credentials: readonly Credential[], registryOptions?: RegistryOptions): void {
    this.registry.rebuild(credentials, registryOptions);
  }

  /** Usable candidates in strategy order (first = preferred). Materialises the order: for tests and tools. */
  order(model: string, candidates: readonly Candidate[], now = Date.now()): Candidate[] {
    return [...this.selector.order(this.options.strategy, model, candidates, (c) => !this.cooldowns.get(c.credential.id, model, now))];
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
    if (this.cooldowns.level(credentialId, model) > 0) this.cooldowns.delete(credentialId, model);
  }

  markFailure(credentialId: string, model: string, failure: AttemptFailure, now = Date.now()): void {
    const cls = classifyFailure(failure);
    if (!cls.cool) return;
    const prevLevel = this.cooldowns.level(credentialId, model);
    let ms: number;
    let level = prevLevel;
    let hintedUntil: number | undefined;
    if (cls.cooldownMs === 'backoff') {
      if (this.options.disableCooling) return;
      ms = Math.min(1000 * 2 ** Math.min(prevLevel, 30), this.options.maxCooldownMs);
      level = prevLevel + 1;
    } else {
      ms = cls.cooldownMs;
      if (ms > this.options.maxCooldownMs) {
        hintedUntil = now + ms;
        ms = this.options.maxCooldownMs;
      }
    }
    if (ms <= 0) return;
    this.cooldowns.set(credentialId, model, { until: now + ms, reason: cls.reason, status: failure.status, quota: cls.quota, level, ...(hintedUntil ? { hintedUntil } : {}) });
  }

  /** id → candidate per candidate list (lists are rebuilt, never mutated, so identity is a safe cache key). */
  private readonly indexes = new WeakMap<readonly Candidate[], Map<string, Candidate>>();

  private indexOf(candidates: readonly Candidate[]): Map<string, Candidate> {
    let m = this.indexes.get(candidates);
    if (!m) {
      m = new Map(candidates.map((c) => [c.credential.id, c]));
      this.indexes.set(candidates, m);
    }
    return m;
  }

  /** Candidates for one pass: the session's bound credential first (if usable), then the strategy's order. */
  private *sequence(model: string, candidates: readonly Candidate[], usable: (c: Candidate) => boolean, session: string | undefined, now: number): Generator<Candidate> {
    if (session !== undefined) {
      const bound = this.affinity.get(session, model, now);
      if (bound !== undefined) {
        const c = this.indexOf(candidates).get(bound);
        if (c && usable(c)) yield c;
      }
    }
    yield* this.selector.order(this.options.strategy, model, candidates, usable);
  }

  /**
   * Try candidates in strategy order until one succeeds or a request-scoped error occurs.
   * `attempt` must not have sent anything to the caller when it returns a failure.
   */
  async run<T>(
    model: string,
    candidates: readonly Candidate[],
    attempt: (candidate: Candidate, attemptNo: number) => Promise<AttemptResult<T>>,
    signal?: Cancellation,
    opts: RunOptions = {},
  ): Promise<RunResult<T>> {
    if (candidates.length === 0) return { ok: false, kind: 'none', attempts: 0 };
    const key = this.options.sessionAffinity ? opts.sessionKey : undefined;
    const session = (typeof key === 'function' ? key() : key) || undefined;
    let attempts = 0;
    let last: { failure: AttemptFailure; candidate: Candidate } | undefined;
    const maxCreds = this.options.maxCredentials > 0 ? this.options.maxCredentials : Number.POSITIVE_INFINITY;
    // Arrays, not Sets: nearly every run tries one credential, and two Sets per request showed in the profile.
    const everTried: string[] = [];
    const triedThisRound: string[] = [];
    // One attempt is `settle(candidate, await start(candidate))`: two plain functions around the caller's
    // promise rather than an async wrapper, which cost a promise and a microtask per request.
    const start = (candidate: Candidate): Promise<AttemptResult<T>> => {
      const id = candidate.credential.id;
      triedThisRound.push(id);
      if (!everTried.includes(id)) everTried.push(id);
      attempts++;
      return attempt(candidate, attempts);
    };
    /** The run's result once an attempt decides it, or undefined to try the next credential. */
    const settle = (candidate: Candidate, result: AttemptResult<T>): RunResult<T> | undefined => {
      const id = candidate.credential.id;
      if (result.ok) {
        this.markSuccess(id, model);
        if (session !== undefined) {
          this.affinity.ttlMs = this.options.sessionAffinityTtlMs;
          this.affinity.bind(session, model, id, Date.now());
        }
        return { ok: true, value: result.value, candidate, attempts };
      }
      last = { failure: result.failure, candidate };
      this.markFailure(id, model, result.failure);
      if (!classifyFailure(result.failure).retry) return { ok: false, kind: 'failed', failure: result.failure, attempts, candidate };
      return undefined;
    };
    for (let round = 0; round <= this.options.requestRetry; round++) {
      triedThisRound.length = 0;
      const now = Date.now();
      const usable = (c: Candidate) => !triedThisRound.includes(c.credential.id) && !this.cooldowns.get(c.credential.id, model, now);
      const ordered = session !== undefined ? this.sequence(model, candidates, usable, session, now) : this.selector.order(this.options.strategy, model, candidates, usable);
      for (const candidate of ordered) {
        if (signal?.aborted) break;
        if (everTried.length >= maxCreds && !everTried.includes(candidate.credential.id)) break;
        const decided = settle(candidate, await start(candidate));
        if (decided) return decided;
      }
      if (round === 0 && attempts === 0 && !signal?.aborted) {
        // Nothing usable: a credential cooling only because of a transient failure (reset, 5xx, timeout) is
        // still better than refusing the caller, so try those, soonest-free first. Quota cooldowns (the
        // upstream said "not before") and auth failures stay closed.
        const soft = candidates
          .map((c) => ({ c, s: this.cooldowns.get(c.credential.id, model, now) }))
          .filter((x) => x.s && !x.s.quota && SOFT_REASONS.has(x.s.reason))
          .sort((a, b) => a.s!.until - b.s!.until);
        for (const { c } of soft) {
          if (signal?.aborted || (everTried.length >= maxCreds && !everTried.includes(c.credential.id))) break;
          const decided = settle(c, await start(c));
          if (decided) return decided;
        }
      }
      if (signal?.aborted || round === this.options.requestRetry) break;
      // CLIProxyAPI's retry round: only when some credential frees up within max-retry-interval.
      const wait = this.earliestRelease(model, candidates);
      if (wait === undefined || this.options.maxRetryIntervalMs <= 0 || wait > this.options.maxRetryIntervalMs) break;
      // A few ms past the release: timers and Date.now() use different clocks, and waking a hair early finds the
      // credential still cooling and wastes the round.
      await sleep(wait + 5, signal);
    }
    const cooling = this.earliestRelease(model, candidates);
    if (last) {
      if (cooling !== undefined && last.failure.status === 429) return { ok: false, kind: 'cooling', retryAfterMs: cooling, attempts };
      return { ok: false, kind: 'failed', failure: last.failure, attempts, candidate: last.candidate };
    }
    return { ok: false, kind: 'cooling', retryAfterMs: cooling ?? 1000, attempts };
  }
}

/** Cooldown reasons that only deprioritise a credential when nothing else is left. */
const SOFT_REASONS = new Set(['transport', 'upstream_error', 'timeout', 'stream_failed']);

function sleep(ms: number, signal?: Cancellation): Promise<void> {
  return new Promise((resolve) => {
    let unsubscribe: (() => void) | undefined;
    const done = () => {
      clearTimeout(t);
      unsubscribe?.();
      resolve();
    };
    const t = setTimeout(done, ms);
    unsubscribe = signal?.onAbort(done);
  });
}
