import type { Message } from './request.js';
import { freezeJson } from '../util/frozen-json.js';

/**
 * Messages their owner promises never to change, such as a stored Amp thread's history, which is re-sent on
 * every turn of the agent loop. Encoders may cache the wire form of a stable message instead of rebuilding it
 * per call; every other message is encoded afresh, and nothing is cached for it. Marks and caches are
 * non-enumerable symbol properties: cheap to read on every turn, invisible to JSON, spreads and clones.
 */
const STABLE = Symbol('stable message');

export function markStable(message: Message): Message {
  Object.defineProperty(message, STABLE, { value: true, enumerable: false });
  return message;
}

/** Per-encoder memo of stable messages' wire forms. */
export class StableMessageCache<T extends object> {
  private readonly key = Symbol('cached wire form');

  get(message: Message): T | undefined {
    return (message as unknown as Record<symbol, T | undefined>)[this.key];
  }

  /**
   * Remember `wire` only if `message` is stable; returns `wire` either way. A remembered wire form is shared
   * by every later request, so it is frozen JSON (its text is cached too) and callers must copy, not mutate.
   */
  keep(message: Message, wire: T): T {
    if (STABLE in message) {
      // A list of wire items (one message may become several) is spliced into the body item by item.
      if (Array.isArray(wire)) {
        for (const item of wire) if (item && typeof item === 'object') freezeJson(item);
      } else freezeJson(wire);
      Object.defineProperty(message, this.key, { value: wire, enumerable: false });
    }
    return wire;
  }
}
