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

  /** Usable candidates in strategy order, lazily. */
  order(strategy: Strategy, key: string, candidates: readonly Candidate[], usable: Usable): Iterable<Candidate> {
    if (candidates.length === 0) return [];
    switch (strategy) {
      case 'fill-first':
        return new Pass(candidates, 0, usable);
      case 'round-robin':
        return this.rotate(key, candidates, usable);
      case 'priority':
        return this.byPriority(key, candidates, usable);
    }
  }

  private *byPriority(key: string, candidates: readonly Candidate[], usable: Usable): Generator<Candidate> {
    for (const tier of this.tiersOf(candidates)) yield* this.rotate(`${key}\u0000${tier.priority}`, tier.list, usable);
  }

  private rotate(key: string, list: readonly Candidate[], usable: Usable): Pass {
    return new Pass(list, (this.cursors.get(key) ?? 0) % list.length, usable, this.cursors, key);
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

/**
 * One pass over a candidate list from `start`, wrapping around, giving the usable candidates (checked as the pass
 * reaches them: the caller's attempts change what is usable). With `cursors`, the first candidate given moves
 * `key`'s cursor just past it, whatever happens to that attempt. An iterator object, not a generator: a
 * generator's frame per request showed in the allocation profile.
 */
class Pass implements IterableIterator<Candidate> {
  private i = 0;

  constructor(
    private readonly list: readonly Candidate[],
    private readonly start: number,
    private readonly usable: Usable,
    private cursors?: Map<string, number>,
    private readonly key?: string,
  ) {}

  [Symbol.iterator](): this {
    return this;
  }

  next(): IteratorResult<Candidate> {
    const { list, start } = this;
    const n = list.length;
    while (this.i < n) {
      const idx = start + this.i < n ? start + this.i : start + this.i - n;
      this.i++;
      const c = list[idx]!;
      if (!this.usable(c)) continue;
      if (this.cursors) {
        this.cursors.set(this.key!, idx + 1 === n ? 0 : idx + 1);
        this.cursors = undefined;
      }
      return { value: c, done: false };
    }
    return { value: undefined, done: true };
  }
}
