import type { Message } from './request.js';
import { freezeJson } from '../util/frozen-json.js';

/**
 * Canonical values their owner promises never to change, such as a stored Amp thread's messages and the tool
 * list its executor registered, which the agent loop re-sends on every turn. Encoders may cache the wire form
 * of a stable value instead of rebuilding it per call; every other value is encoded afresh, and nothing is
 * cached for it. Marks and caches are non-enumerable symbol properties: cheap to read on every turn,
 * invisible to JSON, spreads and clones.
 */
const STABLE = Symbol('stable canonical value');

export function markStable<T extends object>(value: T): T {
  Object.defineProperty(value, STABLE, { value: true, enumerable: false });
  return value;
}

/** Per-encoder memo of stable values' wire forms (one stable message or tool list → its encoding). */
export class StableCache<T extends object> {
  private readonly key = Symbol('cached wire form');

  get(value: object): T | undefined {
    return (value as Record<symbol, T | undefined>)[this.key];
  }

  /**
   * Remember `wire` only if `value` is stable; returns `wire` either way. A remembered wire form is shared by
   * every later request, so it is frozen JSON (its text is cached too) and callers must copy, not mutate.
   */
  keep(value: object, wire: T): T {
    if (STABLE in value) {
      // A list of wire items (one message may become several) is spliced into the body item by item.
      if (Array.isArray(wire)) {
        for (const item of wire) if (item && typeof item === 'object') freezeJson(compactArrays(item));
      } else freezeJson(compactArrays(wire));
      Object.defineProperty(value, this.key, { value: wire, enumerable: false });
    }
    return wire;
  }
}

/**
 * Give `wire`'s array fields (a message's `content`, `parts`, ...) backing stores of their exact length. Built
 * by push, a one-block array holds room for 16; a stable wire form lives as long as its thread, and every
 * young-generation collection until it is promoted copies that room too.
 */
export function compactArrays<W extends object>(wire: W): W {
  const fields = wire as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    const v = fields[key];
    if (Array.isArray(v)) fields[key] = v.slice();
  }
  return wire;
}

/**
 * Where an encoder left off folding a list of stable messages into wire items, kept on the list's first
 * message: the list (by reference, with its length then) and the state reached. A thread's next turn sends the
 * same messages plus new ones, so the encoder carries on from there instead of visiting every stored message
 * again (an identity scan of two arrays of references is cheap; reading each message's cache is not).
 */
export class ResumeCache<S> {
  private readonly key = Symbol('resume point');

  /** The state after the messages a previous call folded, if `messages` starts with exactly those. */
  resume(messages: readonly Message[]): { state: S; from: number } | undefined {
    const first = messages[0];
    if (!first || !(STABLE in first)) return undefined;
    const point = (first as unknown as Record<symbol, { messages: readonly Message[]; count: number; state: S } | undefined>)[this.key];
    if (!point || point.count > messages.length) return undefined;
    for (let i = 0; i < point.count; i++) if (point.messages[i] !== messages[i]) return undefined;
    return { state: point.state, from: point.count };
  }

  /** Remember `state` as the fold of all of `messages` (kept by reference: callers build a new list per call). */
  remember(messages: readonly Message[], state: S): void {
    const first = messages[0];
    if (!first || !(STABLE in first)) return;
    const point = { messages, count: messages.length, state };
    if (this.key in first) (first as unknown as Record<symbol, unknown>)[this.key] = point;
    else Object.defineProperty(first, this.key, { value: point, writable: true, enumerable: false });
  }
}
