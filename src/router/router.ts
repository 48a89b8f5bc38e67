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
    opts?: RunOptions,
  ): Promise<RunResult<T>> {
    if (candidates.length === 0) return { ok: false, kind: 'none', attempts: 0 };
    const key = this.options.sessionAffinity ? opts?.sessionKey : undefined;
    const session = (typeof key === 'function' ? key() : key) || undefined;
    const state = new RunState(this, model, attempt, session);
    for (let round = 0; round <= this.options.requestRetry; round++) {
      const now = state.beginRound();
      const ordered = session !== undefined ? this.sequence(model, candidates, state.usable, session, now) : this.selector.order(this.options.strategy, model, candidates, state.usable);
      for (const candidate of ordered) {
        if (signal?.aborted || !state.mayTry(candidate)) break;
        const decided = state.settle(candidate, await state.start(candidate));
        if (decided) return decided;
      }
      if (round === 0 && state.attempts === 0 && !signal?.aborted) {
        // Nothing usable: a credential cooling only because of a transient failure (reset, 5xx, timeout) is
        // still better than refusing the caller, so try those, soonest-free first. Quota cooldowns (the
        // upstream said "not before") and auth failures stay closed.
        for (const c of this.softCooling(model, candidates, now)) {
          if (signal?.aborted || !state.mayTry(c)) break;
          const decided = state.settle(c, await state.start(c));
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
    return this.unserved(model, candidates, state.last, state.attempts);
  }

  // The rarely taken parts of run, out of line: an async function's frame holds every register of its body.

  /** Credentials cooling only because of a transient failure, soonest-free first. */
  private softCooling(model: string, candidates: readonly Candidate[], now: number): Candidate[] {
    return candidates
      .map((c) => ({ c, s: this.cooldowns.get(c.credential.id, model, now) }))
      .filter((x) => x.s && !x.s.quota && SOFT_REASONS.has(x.s.reason))
      .sort((a, b) => a.s!.until - b.s!.until)
      .map((x) => x.c);
  }

  /** The result of a run that no credential served. */
  private unserved<T>(model: string, candidates: readonly Candidate[], last: { failure: AttemptFailure; candidate: Candidate } | undefined, attempts: number): RunResult<T> {
    const cooling = this.earliestRelease(model, candidates);
    if (last) {
      if (cooling !== undefined && last.failure.status === 429) return { ok: false, kind: 'cooling', retryAfterMs: cooling, attempts };
      return { ok: false, kind: 'failed', failure: last.failure, attempts, candidate: last.candidate };
    }
    return { ok: false, kind: 'cooling', retryAfterMs: cooling ?? 1000, attempts };
  }
}

/**
 * The bookkeeping of one Router.run: which credentials were tried (this round, and at all), the attempt count and
 * the last failure. One object with one predicate closure: closures over run's scope for each step, and a Set or
 * two arrays for the tried lists, were most of what a request's routing allocated.
 */
class RunState<T> {
  attempts = 0;
  last: { failure: AttemptFailure; candidate: Candidate } | undefined;
  private now = 0;
  /**
   * Every attempt's credential id, in order; this round's attempts start at `roundStart`. Created with the first
   * attempt as a one-slot array (an empty one grows a 17-slot store on its first push).
   */
  private tried: string[] | undefined;
  private roundStart = 0;
  /** Distinct credentials tried so far. */
  private distinct = 0;
  private readonly maxCreds: number;
  /** Not tried this round and not cooling (the selector's test). */
  readonly usable = (c: Candidate): boolean => !this.triedSince(c.credential.id, this.roundStart) && !this.router.cooldowns.get(c.credential.id, this.model, this.now);

  constructor(
    private readonly router: Router,
    private readonly model: string,
    private readonly attempt: (candidate: Candidate, attemptNo: number) => Promise<AttemptResult<T>>,
    private readonly session: string | undefined,
  ) {
    const max = router.options.maxCredentials;
    this.maxCreds = max > 0 ? max : Number.POSITIVE_INFINITY;
  }

  /** Start a round (credentials tried in earlier rounds may be tried again); returns its time. */
  beginRound(): number {
    this.roundStart = this.tried?.length ?? 0;
    this.now = Date.now();
    return this.now;
  }

  /** Whether the max-credentials cap still allows trying `c`. */
  mayTry(c: Candidate): boolean {
    return this.distinct < this.maxCreds || this.triedSince(c.credential.id, 0);
  }

  private triedSince(id: string, from: number): boolean {
    return this.tried !== undefined && this.tried.indexOf(id, from) >= 0;
  }

  start(candidate: Candidate): Promise<AttemptResult<T>> {
    const id = candidate.credential.id;
    if (!this.triedSince(id, 0)) this.distinct++;
    if (this.tried) this.tried.push(id);
    else this.tried = [id];
    return this.attempt(candidate, ++this.attempts);
  }

  /** The run's result once an attempt decides it, or undefined to try the next credential. */
  settle(candidate: Candidate, result: AttemptResult<T>): RunResult<T> | undefined {
    const { router, model } = this;
    const id = candidate.credential.id;
    if (result.ok) {
      router.markSuccess(id, model);
      if (this.session !== undefined) {
        router.affinity.ttlMs = router.options.sessionAffinityTtlMs;
        router.affinity.bind(this.session, model, id, Date.now());
      }
      return { ok: true, value: result.value, candidate, attempts: this.attempts };
    }
    this.last = { failure: result.failure, candidate };
    router.markFailure(id, model, result.failure);
    if (!classifyFailure(result.failure).retry) return { ok: false, kind: 'failed', failure: result.failure, attempts: this.attempts, candidate };
    return undefined;
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
