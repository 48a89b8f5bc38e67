import { afterEach, describe, expect, it, vi } from 'vitest';
import { deadline } from '../../src/util/deadlines.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('deadline', () => {
  it('fires long limits from the shared sweeper within its granularity, and never after cancel', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'performance'] });
    const fired: string[] = [];
    deadline(120_000, () => fired.push('a'));
    const b = deadline(120_000, () => fired.push('b'));
    deadline(300_000, () => fired.push('c'));
    vi.advanceTimersByTime(119_000);
    expect(fired).toEqual([]);
    b.cancel();
    vi.advanceTimersByTime(1_500);
    expect(fired).toEqual(['a']);
    vi.advanceTimersByTime(180_000);
    expect(fired).toEqual(['a', 'c']);
  });

  it('a deadline that cancels another due in the same sweep stops it; the rest still fire', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'performance'] });
    const fired: string[] = [];
    const later = deadline(60_000, () => fired.push('cancelled one'));
    deadline(60_000, () => fired.push('b'));
    deadline(60_000, () => {
      fired.push('a');
      later.cancel();
    });
    deadline(60_000, () => fired.push('c'));
    vi.advanceTimersByTime(61_000);
    // Newest first is the list's order; what matters: `later` never fires, every other one fires once.
    expect(fired.sort()).toEqual(['a', 'b', 'c']);
    later.cancel(); // cancelling twice is harmless
    vi.advanceTimersByTime(120_000);
    expect(fired).toHaveLength(3);
  });

  it('keeps a precise timer for short limits', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'performance'] });
    const fired: number[] = [];
    deadline(200, () => fired.push(1));
    const d = deadline(300, () => fired.push(2));
    vi.advanceTimersByTime(199);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual([1]);
    d.cancel();
    vi.advanceTimersByTime(1_000);
    expect(fired).toEqual([1]);
  });
});
