import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { plainlyValid, validateBySchema, validateEdge } from '../../src/server/validate.js';
import type { Format } from '../../src/formats/types.js';

// The hand-written fast path may only accept what the zod edge schema accepts; everything else must reach the
// schema (which words the 400). Bodies are built from the shapes the checks look at, valid and not.
const anyValue = fc.oneof(fc.constant(undefined), fc.constant(null), fc.boolean(), fc.integer({ min: -3, max: 5 }), fc.constantFrom(2 ** 53 - 1, 2 ** 53, 1e300), fc.double(), fc.string({ maxLength: 4 }), fc.constant('  '), fc.constant([]), fc.constant({}));
const message = fc.oneof(fc.record({ role: fc.oneof(fc.string({ maxLength: 6 }), anyValue), content: fc.string({ maxLength: 4 }) }), anyValue);
const body = fc.record(
  {
    model: fc.oneof(fc.string({ maxLength: 8 }), anyValue),
    stream: anyValue,
    messages: fc.oneof(fc.array(message, { maxLength: 4 }), anyValue),
    max_tokens: anyValue,
    input: fc.oneof(fc.array(anyValue, { maxLength: 2 }), anyValue),
    contents: fc.oneof(fc.array(anyValue, { maxLength: 2 }), anyValue),
  },
  { requiredKeys: [] },
);
const formats: Format[] = ['openai-chat', 'openai-responses', 'anthropic', 'gemini'];

describe('edge validation fast path', () => {
  it('accepts only bodies the schema accepts', () => {
    fc.assert(
      fc.property(body, fc.constantFrom(...formats), fc.boolean(), (b, format, countTokens) => {
        const input = b as Record<string, unknown>;
        if (!plainlyValid(format, input, countTokens)) return;
        // Bypass the fast path: the schema's own verdict.
        const viaSchema = validateBySchema(format, input, countTokens);
        expect(viaSchema).toEqual({ ok: true });
      }),
      { numRuns: 3000 },
    );
  });

  it('still answers the schema error for a body the fast path refuses', () => {
    expect(validateEdge('openai-chat', { model: 'm', messages: [{ content: 'x' }] })).toEqual({ ok: false, message: 'each message needs a string `role` (at messages.0.role)' });
    expect(validateEdge('anthropic', { model: 'm', messages: [], max_tokens: 1.5 })).toMatchObject({ ok: false });
    // zod's int() stops at the safe-integer range (found by the property above).
    expect(validateEdge('anthropic', { model: 'm', messages: [], max_tokens: 2 ** 53 })).toMatchObject({ ok: false });
    expect(validateEdge('openai-chat', { model: '  ', messages: [] })).toMatchObject({ ok: false, message: '`model` must not be empty' });
  });

  it('accepts the common shapes without the schema', () => {
    expect(plainlyValid('openai-chat', { model: 'gpt-5', messages: [{ role: 'user', content: 'hi' }], stream: true }, false)).toBe(true);
    expect(plainlyValid('anthropic', { model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }, false)).toBe(true);
    expect(plainlyValid('openai-responses', { model: 'gpt-5', input: 'hi' }, false)).toBe(true);
    expect(plainlyValid('gemini', { contents: [] }, false)).toBe(true);
  });
});
