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

interface Entry extends Deadline {
  at: number;
  fire: () => void;
}

const entries = new Set<Entry>();
let sweeper: NodeJS.Timeout | undefined;

function sweep(): void {
  const now = performance.now();
  for (const e of entries) {
    if (e.at <= now) {
      entries.delete(e);
      e.fire();
    }
  }
  if (entries.size === 0 && sweeper) {
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
  const entry: Entry = {
    at: performance.now() + ms,
    fire,
    cancel: () => {
      entries.delete(entry);
    },
  };
  entries.add(entry);
  if (!sweeper) {
    sweeper = setInterval(sweep, SWEEP_EVERY_MS);
    sweeper.unref();
  }
  return entry;
}
