/**
 * Long per-call time limits (first-byte and idle timeouts default to minutes) checked by one shared coarse
 * timer instead of one timer each. A timer per call is created and cancelled on every request, and timer
 * objects live in long-lived lists, which shows up as garbage-collection work at high request rates. Short
 * limits (under 5 s, e.g. in tests or tight configs) keep a precise timer of their own.
 */
export interface Deadline {
  cancel(): void;
}

const PRECISE_BELOW_MS = 5_000;
const SWEEP_EVERY_MS = 500;

/**
 * Pending deadlines form a doubly linked list through the entries themselves: adding and cancelling are a few
 * pointer writes, where a Set hashed every entry and rehashed as the number in flight rose and fell.
 */
class Entry implements Deadline {
  prev: Entry | undefined;
  next: Entry | undefined;
  linked = true;

  constructor(
    readonly at: number,
    readonly fire: () => void,
  ) {}

  cancel(): void {
    if (!this.linked) return;
    this.linked = false;
    if (this.prev) this.prev.next = this.next;
    else head = this.next;
    if (this.next) this.next.prev = this.prev;
    this.prev = this.next = undefined;
  }
}

let head: Entry | undefined;
let sweeper: NodeJS.Timeout | undefined;

function sweep(): void {
  const now = performance.now();
  // Due entries first, then fire them: a firing deadline may cancel others, which unlinks them mid-walk.
  const due: Entry[] = [];
  for (let e = head; e; e = e.next) if (e.at <= now) due.push(e);
  for (const e of due) {
    if (!e.linked) continue;
    e.cancel();
    e.fire();
  }
  if (!head && sweeper) {
    clearInterval(sweeper);
    sweeper = undefined;
  }
}

/** Call `fire` once, about `ms` from now, unless cancelled first. */
export function deadline(ms: number, fire: () => void): Deadline {
  if (ms < PRECISE_BELOW_MS) {
    const t = setTimeout(fire, ms);
    t.unref();
    return { cancel: () => clearTimeout(t) };
  }
  const entry = new Entry(performance.now() + ms, fire);
  entry.next = head;
  if (head) head.prev = entry;
  head = entry;
  if (!sweeper) {
    sweeper = setInterval(sweep, SWEEP_EVERY_MS);
    sweeper.unref();
  }
  return entry;
}
