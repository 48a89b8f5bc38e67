/**
 * Cancellation for the request hot path. Node's AbortController/AbortSignal are EventTargets that cost
 * several microseconds to create and to listen to; a proxied call needs two of them (caller gone, attempt
 * timeout), which showed up at a few percent of the proxy's CPU per request. `CancelSource` is a plain
 * object with the same meaning; `signal` gives a real AbortSignal on first use for APIs that need one.
 */
export interface Cancellation {
  readonly aborted: boolean;
  readonly reason: Error | undefined;
  /** Call `fn` once when cancelled (at once if already cancelled); returns the unsubscribe. */
  onAbort(fn: (reason: Error) => void): () => void;
  /**
   * Abort `target` once when cancelled (at once if already cancelled), until `unlink(target)`. For objects that
   * have an `abort`: no listener or unsubscribe closure to allocate, as onAbort needs.
   */
  link(target: Abortable): void;
  unlink(target: Abortable): void;
}

/** Something a cancellation can abort. */
export interface Abortable {
  abort(reason: Error): void;
}

type Listener = ((reason: Error) => void) | Abortable;

const notify = (l: Listener, reason: Error): void => (typeof l === 'function' ? l(reason) : l.abort(reason));

const noop = (): void => {};

export class CancelSource implements Cancellation {
  aborted = false;
  reason: Error | undefined;
  private first: Listener | undefined;
  private listeners: Listener[] | undefined;
  private controller: AbortController | undefined;

  abort(reason: Error = new Error('cancelled')): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const first = this.first;
    const listeners = this.listeners;
    this.first = undefined;
    this.listeners = undefined;
    if (first) notify(first, reason);
    if (listeners) for (const l of listeners) notify(l, reason);
    this.controller?.abort(reason);
  }

  onAbort(fn: (reason: Error) => void): () => void {
    this.link(fn);
    return () => this.unlink(fn);
  }

  link(target: Listener): void {
    if (this.aborted) {
      notify(target, this.reason!);
      return;
    }
    // Nearly every source has one listener at a time (the next attempt, or the upstream call): it lives in a
    // field, with no array to allocate and search.
    if (!this.first && !this.listeners?.length) this.first = target;
    else (this.listeners ??= []).push(target);
  }

  unlink(target: Listener): void {
    if (this.first === target) {
      this.first = undefined;
      return;
    }
    const l = this.listeners;
    if (!l) return;
    const i = l.indexOf(target);
    if (i >= 0) l.splice(i, 1);
  }

  /** A real AbortSignal tied to this source (created on first use). */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }
}

/**
 * An AbortSignal seen as a Cancellation (for callers that already have a signal). A class, not an object
 * literal with getters: a literal with accessor closures gets a new hidden class per call, which V8 keeps in
 * old space pointing at young objects (see server/http.ts Context).
 */
class SignalCancellation implements Cancellation {
  constructor(private readonly signal: AbortSignal) {}

  get aborted(): boolean {
    return this.signal.aborted;
  }

  get reason(): Error | undefined {
    return this.signal.aborted ? this.reasonOf() : undefined;
  }

  onAbort(fn: (reason: Error) => void): () => void {
    const signal = this.signal;
    if (signal.aborted) {
      fn(this.reasonOf());
      return noop;
    }
    const handler = (): void => fn(this.reasonOf());
    signal.addEventListener('abort', handler, { once: true });
    return () => signal.removeEventListener('abort', handler);
  }

  private linked: Map<Abortable, () => void> | undefined;

  link(target: Abortable): void {
    const off = this.onAbort((reason) => target.abort(reason));
    if (off !== noop) (this.linked ??= new Map()).set(target, off);
  }

  unlink(target: Abortable): void {
    const off = this.linked?.get(target);
    if (!off) return;
    this.linked!.delete(target);
    off();
  }

  private reasonOf(): Error {
    return this.signal.reason instanceof Error ? this.signal.reason : new Error('cancelled');
  }
}

export function cancellationOf(signal: AbortSignal): Cancellation {
  return new SignalCancellation(signal);
}

/** Accept either kind where both are passed around. */
export function asCancellation(c: Cancellation | AbortSignal): Cancellation {
  return c instanceof AbortSignal ? cancellationOf(c) : c;
}
