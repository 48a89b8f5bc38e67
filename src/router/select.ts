import type { Candidate } from './registry.js';

export type Strategy = 'round-robin' | 'fill-first' | 'priority';

/** Answers whether a credential may be tried now (not cooling, not already tried in this pass). */
export type Usable = (candidate: Candidate) => boolean;

/**
 * Selection strategies as lazy iterators: the caller usually needs only the first usable candidate, so with
 * 1,000 credentials a request costs a handful of checks rather than a filtered, rotated copy of the list.
 *
 * Round-robin keeps one cursor per key and moves it just past the credential actually chosen, so the spread
 * stays even over the credentials that are usable (a cooling one does not hand its turn to its neighbour).
 */
export class Selector {
  private readonly cursors = new Map<string, number>();
  /** Priority tiers per candidate list (lists are rebuilt, never mutated, so identity is a safe cache key). */
  private readonly tiers = new WeakMap<readonly Candidate[], Array<{ priority: number; list: Candidate[] }>>();

  /** Usable candidates in strategy order, lazily (no generator of its own: one layer less per request). */
  order(strategy: Strategy, key: string, candidates: readonly Candidate[], usable: Usable): Iterable<Candidate> {
    if (candidates.length === 0) return [];
    switch (strategy) {
      case 'fill-first':
        return this.fillFirst(candidates, usable);
      case 'round-robin':
        return this.rotate(key, candidates, usable);
      case 'priority':
        return this.byPriority(key, candidates, usable);
    }
  }

  private *fillFirst(candidates: readonly Candidate[], usable: Usable): Generator<Candidate> {
    for (const c of candidates) if (usable(c)) yield c;
  }

  private *byPriority(key: string, candidates: readonly Candidate[], usable: Usable): Generator<Candidate> {
    for (const tier of this.tiersOf(candidates)) yield* this.rotate(`${key}\u0000${tier.priority}`, tier.list, usable);
  }

  private *rotate(key: string, list: readonly Candidate[], usable: Usable): Generator<Candidate> {
    const n = list.length;
    const start = (this.cursors.get(key) ?? 0) % n;
    let first = true;
    for (let i = 0; i < n; i++) {
      const idx = start + i < n ? start + i : start + i - n;
      const c = list[idx]!;
      if (!usable(c)) continue;
      if (first) {
        // Next request starts after the credential this one got, whatever happens to this attempt.
        this.cursors.set(key, idx + 1 === n ? 0 : idx + 1);
        first = false;
      }
      yield c;
    }
  }

  private tiersOf(candidates: readonly Candidate[]): Array<{ priority: number; list: Candidate[] }> {
    let t = this.tiers.get(candidates);
    if (!t) {
      const byPriority = new Map<number, Candidate[]>();
      for (const c of candidates) {
        const p = c.credential.priority ?? 0;
        let list = byPriority.get(p);
        if (!list) byPriority.set(p, (list = []));
        list.push(c);
      }
      t = [...byPriority].sort((a, b) => b[0] - a[0]).map(([priority, list]) => ({ priority, list }));
      this.tiers.set(candidates, t);
    }
    return t;
  }
}
