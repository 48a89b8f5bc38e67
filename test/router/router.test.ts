import { describe, expect, it } from 'vitest';
import { Router, type AttemptResult } from '../../src/router/router.js';
import type { Credential } from '../../src/credentials/types.js';
import type { AttemptFailure } from '../../src/router/failure.js';

function cred(id: string, priority = 0, models = ['m']): Credential {
  return { id, provider: 'p', kind: 'openai-compat', label: `label-${id}`, source: 'config', headers: {}, models: models.map((m) => ({ id: m, upstream: m })), priority, attributes: {} };
}

function routerWith(creds: Credential[], opts: ConstructorParameters<typeof Router>[0] = {}): Router {
  const r = new Router(opts);
  r.setCredentials(creds);
  return r;
}

const ok = async (): Promise<AttemptResult<string>> => ({ ok: true, value: 'ok' });
const fail = (f: AttemptFailure) => async (): Promise<AttemptResult<string>> => ({ ok: false, failure: f });

async function servedBy(r: Router, n: number, model = 'm', sessionKey?: string): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await r.run(model, r.registry.candidates(model), ok, undefined, { sessionKey });
    if (res.ok) out.push(res.candidate.credential.id);
  }
  return out;
}

const counts = (ids: string[]) => ids.reduce<Record<string, number>>((a, id) => ((a[id] = (a[id] ?? 0) + 1), a), {});

describe('selection strategies', () => {
  it('round-robin spreads requests evenly over every credential', async () => {
    const r = routerWith(['a', 'b', 'c', 'd'].map((id) => cred(id)));
    expect(counts(await servedBy(r, 400))).toEqual({ a: 100, b: 100, c: 100, d: 100 });
  });

  it('round-robin stays even over the usable credentials while one cools', async () => {
    const r = routerWith(['a', 'b', 'c', 'd'].map((id) => cred(id)));
    r.markFailure('b', 'm', { status: 429, message: 'slow down', retryAfterMs: 60_000 });
    expect(counts(await servedBy(r, 300))).toEqual({ a: 100, c: 100, d: 100 });
  });

  it('fill-first uses the first credential until it becomes unavailable', async () => {
    const r = routerWith(['a', 'b', 'c'].map((id) => cred(id)), { strategy: 'fill-first' });
    expect(new Set(await servedBy(r, 10))).toEqual(new Set(['a']));
    r.markFailure('a', 'm', { status: 429, message: 'quota', retryAfterMs: 60_000 });
    expect(new Set(await servedBy(r, 10))).toEqual(new Set(['b']));
  });

  it('priority uses the highest tier, round-robin within it, and falls to the next tier when it is cooling', async () => {
    const r = routerWith([cred('low', 0), cred('hi1', 10), cred('hi2', 10), cred('mid', 5)], { strategy: 'priority' });
    expect(counts(await servedBy(r, 10))).toEqual({ hi1: 5, hi2: 5 });
    r.markFailure('hi1', 'm', { status: 429, message: 'q', retryAfterMs: 60_000 });
    r.markFailure('hi2', 'm', { status: 503, message: 'down' });
    expect(counts(await servedBy(r, 4))).toEqual({ mid: 4 });
  });

  it('session affinity keeps a conversation on one credential and fails over when it becomes unavailable', async () => {
    const r = routerWith(['a', 'b', 'c'].map((id) => cred(id)), { sessionAffinity: true });
    const first = await servedBy(r, 5, 'm', 'thread-1');
    expect(new Set(first).size).toBe(1);
    const bound = first[0]!;
    // Other conversations still rotate.
    expect(new Set(await servedBy(r, 6, 'm', undefined)).size).toBe(3);
    r.markFailure(bound, 'm', { status: 429, message: 'q', retryAfterMs: 60_000 });
    const after = await servedBy(r, 4, 'm', 'thread-1');
    expect(new Set(after).size).toBe(1);
    expect(after[0]).not.toBe(bound);
  });

  it('without session-affinity enabled the session key is ignored', async () => {
    const r = routerWith(['a', 'b'].map((id) => cred(id)));
    expect(new Set(await servedBy(r, 4, 'm', 'thread-1')).size).toBe(2);
  });
});

describe('attempt loop', () => {
  it('a 429 on one credential is served by another without the caller noticing', async () => {
    const r = routerWith(['a', 'b'].map((id) => cred(id)), { strategy: 'fill-first' });
    const tried: string[] = [];
    const res = await r.run('m', r.registry.candidates('m'), async (c) => {
      tried.push(c.credential.id);
      return c.credential.id === 'a' ? { ok: false, failure: { status: 429, message: 'rate limited', retryAfterMs: 5000 } } : { ok: true, value: 'x' };
    });
    expect(res.ok && res.candidate.credential.id).toBe('b');
    expect(res.ok && res.attempts).toBe(2);
    expect(tried).toEqual(['a', 'b']);
  });

  it('a request-scoped 400 is tried exactly once and cools nothing', async () => {
    const r = routerWith(['a', 'b', 'c'].map((id) => cred(id)));
    let calls = 0;
    const res = await r.run('m', r.registry.candidates('m'), async () => {
      calls++;
      return { ok: false, failure: { status: 400, message: 'bad field' } };
    });
    expect(calls).toBe(1);
    expect(res.ok).toBe(false);
    expect(!res.ok && res.kind).toBe('failed');
    expect(r.cooldowns.entries(Date.now())).toEqual([]);
  });

  it('context-too-long errors are request-scoped even with an unusual status', async () => {
    const r = routerWith(['a', 'b'].map((id) => cred(id)));
    let calls = 0;
    await r.run('m', r.registry.candidates('m'), async () => {
      calls++;
      return { ok: false, failure: { status: 404, message: 'prompt is too long: 250000 tokens > 200000 maximum' } };
    });
    expect(calls).toBe(1);
  });

  it('answers "cooling" with the earliest reset when every credential cools', async () => {
    const r = routerWith(['a', 'b'].map((id) => cred(id)));
    const now = Date.now();
    r.markFailure('a', 'm', { status: 429, message: 'q', retryAfterMs: 40_000 }, now);
    r.markFailure('b', 'm', { status: 429, message: 'q', retryAfterMs: 20_000 }, now);
    let calls = 0;
    const res = await r.run('m', r.registry.candidates('m'), async () => {
      calls++;
      return { ok: true, value: 'x' };
    });
    expect(calls).toBe(0);
    expect(!res.ok && res.kind).toBe('cooling');
    if (!res.ok && res.kind === 'cooling') {
      expect(res.retryAfterMs).toBeGreaterThan(18_000);
      expect(res.retryAfterMs).toBeLessThanOrEqual(20_000);
    }
  });

  it('caps the number of credentials tried per request', async () => {
    const r = routerWith(['a', 'b', 'c', 'd', 'e'].map((id) => cred(id)), { maxCredentials: 2 });
    let calls = 0;
    const res = await r.run('m', r.registry.candidates('m'), async () => {
      calls++;
      return { ok: false, failure: { status: 503, message: 'down' } };
    });
    expect(calls).toBe(2);
    expect(!res.ok && res.kind).toBe('failed');
  });

  it('request-retry waits for a credential that frees up within max-retry-interval and tries again', async () => {
    const r = routerWith([cred('a')], { requestRetry: 1, maxRetryIntervalMs: 1000 });
    let calls = 0;
    const t0 = Date.now();
    const res = await r.run('m', r.registry.candidates('m'), async () => {
      calls++;
      return calls === 1 ? { ok: false, failure: { status: 429, message: 'q', retryAfterMs: 150 } } : { ok: true, value: 'x' };
    });
    expect(res.ok).toBe(true);
    expect(calls).toBe(2);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it('request-retry does not wait when the cooldown ends after max-retry-interval', async () => {
    const r = routerWith([cred('a')], { requestRetry: 3, maxRetryIntervalMs: 100 });
    let calls = 0;
    const res = await r.run('m', r.registry.candidates('m'), async () => {
      calls++;
      return { ok: false, failure: { status: 429, message: 'q', retryAfterMs: 10_000 } };
    });
    expect(calls).toBe(1);
    expect(!res.ok && res.kind).toBe('cooling');
  });

  it('returns "none" for a model nobody serves', async () => {
    const r = routerWith([cred('a')]);
    const res = await r.run('other', r.registry.candidates('other'), ok);
    expect(!res.ok && res.kind).toBe('none');
  });
});

describe('cooldown bookkeeping', () => {
  it('honours Retry-After exactly and re-admits the credential when it passes', () => {
    const r = routerWith([cred('a'), cred('b')]);
    const now = 1_000_000;
    r.markFailure('a', 'm', { status: 429, message: 'q', retryAfterMs: 7000 }, now);
    const cands = r.registry.candidates('m');
    expect(r.order('m', cands, now + 6999).map((c) => c.credential.id)).toEqual(['b']);
    expect(r.order('m', cands, now + 7000).map((c) => c.credential.id).sort()).toEqual(['a', 'b']);
  });

  it('cools per credential x model: another model of the same credential is unaffected', () => {
    const r = routerWith([cred('a', 0, ['m', 'n'])]);
    r.markFailure('a', 'm', { status: 429, message: 'q', retryAfterMs: 60_000 });
    expect(r.order('m', r.registry.candidates('m'))).toEqual([]);
    expect(r.order('n', r.registry.candidates('n')).length).toBe(1);
  });

  it('caps upstream reset hints at max-cooldown and remembers the upstream time', () => {
    const r = routerWith([cred('a')], { maxCooldownMs: 60_000 });
    const now = 5_000_000;
    r.markFailure('a', 'm', { status: 429, message: 'q', retryAfterMs: 5 * 86_400_000 }, now);
    const s = r.cooldowns.get('a', 'm', now)!;
    expect(s.until).toBe(now + 60_000);
    expect(s.hintedUntil).toBe(now + 5 * 86_400_000);
    expect(r.cooldowns.get('a', 'm', now + 60_000)).toBeUndefined(); // re-probed after the cap
  });

  it('backs off exponentially on 429 without a hint, and success resets the level', () => {
    const r = routerWith([cred('a')]);
    const now = 10_000_000;
    const lengths: number[] = [];
    for (let i = 0; i < 4; i++) {
      r.markFailure('a', 'm', { status: 429, message: 'q' }, now);
      lengths.push(r.cooldowns.get('a', 'm', now)!.until - now);
    }
    expect(lengths).toEqual([1000, 2000, 4000, 8000]);
    r.markSuccess('a', 'm');
    r.markFailure('a', 'm', { status: 429, message: 'q' }, now);
    expect(r.cooldowns.get('a', 'm', now)!.until - now).toBe(1000);
  });

  it('disable-cooling drops the exponential back-off but keeps explicit upstream hints', () => {
    const r = routerWith([cred('a')], { disableCooling: true });
    const now = 10_000_000;
    r.markFailure('a', 'm', { status: 429, message: 'q' }, now);
    expect(r.cooldowns.get('a', 'm', now)).toBeUndefined();
    r.markFailure('a', 'm', { status: 429, message: 'q', retryAfterMs: 3000 }, now);
    expect(r.cooldowns.get('a', 'm', now)!.until).toBe(now + 3000);
  });

  it('5xx, 403 and transport failures cool briefly; 401 for longer', () => {
    const r = routerWith([cred('a', 0, ['m1', 'm2', 'm3', 'm4'])]);
    const now = 1;
    r.markFailure('a', 'm1', { status: 503, message: 'x' }, now);
    r.markFailure('a', 'm2', { status: 403, message: 'x' }, now);
    r.markFailure('a', 'm3', { status: 502, message: 'reset', transport: true }, now);
    r.markFailure('a', 'm4', { status: 401, message: 'x' }, now);
    const len = (m: string) => r.cooldowns.get('a', m, now)!.until - now;
    expect(len('m1')).toBeLessThanOrEqual(60_000);
    expect(len('m2')).toBeLessThanOrEqual(60_000);
    expect(len('m3')).toBeLessThanOrEqual(60_000);
    expect(len('m4')).toBeGreaterThan(60_000);
  });
});

describe('soft cooldowns', () => {
  it('a credential cooling after a transient failure is still tried when nothing else is left', async () => {
    const r = routerWith([cred('a'), cred('b')]);
    r.markFailure('a', 'm', { status: 502, message: 'reset', transport: true });
    r.markFailure('b', 'm', { status: 503, message: 'unavailable' });
    const res = await r.run('m', r.registry.candidates('m'), ok);
    expect(res.ok).toBe(true);
  });

  it('quota and auth cooldowns stay closed: the caller gets the cooling answer', async () => {
    const r = routerWith([cred('a'), cred('b')]);
    r.markFailure('a', 'm', { status: 429, message: 'slow down', retryAfterMs: 60_000 });
    r.markFailure('b', 'm', { status: 401, message: 'bad key' });
    let calls = 0;
    const res = await r.run('m', r.registry.candidates('m'), async () => {
      calls++;
      return { ok: true, value: 'x' };
    });
    expect(calls).toBe(0);
    expect(res).toMatchObject({ ok: false, kind: 'cooling' });
  });
});
