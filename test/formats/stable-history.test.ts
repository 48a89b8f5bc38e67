import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codecFor } from '../../src/formats/index.js';
import type { Format } from '../../src/formats/types.js';
import type { CanonicalRequest, Message } from '../../src/ir/index.js';
import { markStable } from '../../src/ir/stable.js';
import { serializeBody } from '../../src/util/frozen-json.js';

const stringifyBody = (body: Record<string, unknown>, nestedKey?: string) => String(serializeBody(body, nestedKey));
import { canonicalRequest, message } from './anthropic/arbitraries.js';

const FORMATS: Format[] = ['anthropic', 'openai-chat', 'openai-responses', 'gemini'];
const MODEL: Record<Format, string> = { anthropic: 'claude-sonnet-4-5', 'openai-chat': 'gpt-4o', 'openai-responses': 'gpt-5', gemini: 'gemini-2.5-pro' };

/**
 * A stored thread's history is marked stable and re-sent every turn; encoders then reuse each message's wire
 * form and the body serialiser reuses its JSON text. Whatever the history, the bytes on the wire must be exactly
 * those of a fresh encode, turn after turn, and no turn may change what a later turn sends.
 */
describe.each(FORMATS)('stable history and tools, %s encoder', (format) => {
  it('sends byte-for-byte what a fresh encode sends, across growing turns', () => {
    const { encodeRequest } = codecFor(format);
    fc.assert(
      fc.property(canonicalRequest, fc.array(message, { maxLength: 4 }), (req, later) => {
        const stored: Message[] = structuredClone(req.messages).map(markStable);
        // The thread actor keeps one tool list while the executor's tools stay registered.
        const tools = markStable(structuredClone(req.tools));
        for (let turn = 0; turn <= later.length; turn++) {
          // The same stored objects every turn, as the thread actor keeps them, plus this turn's new message.
          if (turn > 0) stored.push(markStable(structuredClone(later[turn - 1]!)));
          const asStored: CanonicalRequest = { ...req, messages: stored, tools };
          const fresh: CanonicalRequest = { ...structuredClone(req), messages: structuredClone([...req.messages, ...later.slice(0, turn)]) };
          const got = encodeRequest(asStored, MODEL[format]) as Record<string, unknown>;
          const want = encodeRequest(fresh, MODEL[format]) as Record<string, unknown>;
          expect(got).toEqual(want);
          expect(stringifyBody(got)).toBe(JSON.stringify(want));
          // Envelope executors (Gemini CLI, Antigravity) serialise the body one level down.
          expect(stringifyBody({ model: 'm', request: got }, 'request')).toBe(JSON.stringify({ model: 'm', request: want }));
        }
      }),
      { numRuns: 150 },
    );
  });
});
