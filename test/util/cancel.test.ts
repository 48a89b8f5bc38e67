import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CancelSource } from '../../src/util/cancel.js';

describe('CancelSource', () => {
  it('calls listeners in subscription order, once, and never after unsubscribing', () => {
    // Any interleaving of subscribe / unsubscribe, then abort: exactly the still-subscribed listeners run, in
    // the order they subscribed (the first one lives in a field, the rest in an array).
    fc.assert(
      // Listeners are functions (onAbort, undone by its returned function) or objects (link, undone by unlink).
      fc.property(fc.array(fc.oneof(fc.constant('add' as const), fc.constant('link' as const), fc.nat(20)), { maxLength: 30 }), (ops) => {
        const source = new CancelSource();
        const calls: number[] = [];
        const subs: Array<{ id: number; off: () => void; live: boolean }> = [];
        for (const op of ops) {
          if (op === 'add') {
            const id = subs.length;
            subs.push({ id, off: source.onAbort(() => calls.push(id)), live: true });
          } else if (op === 'link') {
            const id = subs.length;
            const target = { abort: () => calls.push(id) };
            source.link(target);
            subs.push({ id, off: () => source.unlink(target), live: true });
          } else if (subs.length) {
            const s = subs[op % subs.length]!;
            s.off();
            s.live = false;
          }
        }
        source.abort(new Error('gone'));
        source.abort(new Error('again'));
        expect(calls).toEqual(subs.filter((s) => s.live).map((s) => s.id));
      }),
    );
  });

  it('runs a listener added after the abort at once with the reason', () => {
    const source = new CancelSource();
    const reason = new Error('gone');
    source.abort(reason);
    const seen: Error[] = [];
    source.onAbort((r) => seen.push(r));
    source.link({ abort: (r) => seen.push(r) });
    expect(seen).toEqual([reason, reason]);
    expect(source.signal.aborted).toBe(true);
  });
});
