import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anthropicCodec } from '../../../src/formats/anthropic/index.js';
import type { CanonicalResponse } from '../../../src/ir/index.js';
import { canonicalResponse, clean, wireResponse } from './arbitraries.js';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../fixtures/anthropic/${name}`, import.meta.url), 'utf8'));
const { decodeResponse, encodeResponse } = anthropicCodec;

describe('anthropic decodeResponse', () => {
  it('maps content, stop reason and usage (input includes cache reads and writes)', () => {
    const res = decodeResponse(fixture('message.json'));
    expect(res.id).toBe('msg_013Zva2CMHLNnXjNJJKqJ2EF');
    expect(res.model).toBe('claude-sonnet-4-5-20250929');
    expect(res.content).toEqual([
      { type: 'reasoning', text: 'Need the file.', signature: 'sig-abc', family: 'anthropic' },
      { type: 'reasoning', text: '', redactedData: 'EmwKAhgBEgy3va3pzix', family: 'anthropic' },
      { type: 'text', text: 'Reading it now.' },
      { type: 'tool-call', id: 'toolu_01', name: 'read_file', arguments: '{"path":"a.ts"}' },
    ]);
    expect(res.finishReason).toBe('tool-calls');
    expect(res.rawFinishReason).toBe('tool_use');
    expect(res.usage).toEqual({ inputTokens: 1070, outputTokens: 120, cachedInputTokens: 1000, cacheWriteTokens: 20, reasoningTokens: 40 });
  });

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['tool_use', 'tool-calls'],
    ['refusal', 'content-filter'],
    ['pause_turn', 'other'],
  ])('maps stop_reason %s to %s', (stop, finish) => {
    expect(decodeResponse({ content: [], stop_reason: stop }).finishReason).toBe(finish);
  });
});

describe('anthropic encodeResponse', () => {
  const base: CanonicalResponse = { id: 'chatcmpl-1', model: 'gemini-x', content: [], finishReason: 'stop', created: 0 };

  it('produces the Message shape with the caller model and reversed usage', () => {
    const body = encodeResponse(
      {
        ...base,
        content: [{ type: 'text', text: 'hi' }],
        usage: { inputTokens: 1070, outputTokens: 120, cachedInputTokens: 1000, cacheWriteTokens: 20 },
      },
      { model: 'claude-opus-4-7' },
    );
    expect(body).toEqual({
      id: 'msg_chatcmpl-1',
      type: 'message',
      role: 'assistant',
      model: 'claude-opus-4-7',
      content: [{ type: 'text', text: 'hi' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 50, output_tokens: 120, cache_creation_input_tokens: 20, cache_read_input_tokens: 1000 },
    });
  });

  it('floors input_tokens at 0 and survives invalid tool arguments', () => {
    const body = encodeResponse(
      { ...base, finishReason: 'stop', content: [{ type: 'tool-call', id: 'c', name: 'f', arguments: '{"a":' }], usage: { inputTokens: 1, outputTokens: 1, cachedInputTokens: 5 } },
      { model: 'm' },
    ) as Record<string, any>;
    expect(body.content).toEqual([{ type: 'tool_use', id: 'c', name: 'f', input: {} }]);
    expect(body.stop_reason).toBe('tool_use');
    expect(body.usage.input_tokens).toBe(0);
  });

  it('always gives thinking blocks a signature key, empty for foreign reasoning', () => {
    const body = encodeResponse(
      {
        ...base,
        content: [
          { type: 'reasoning', text: 'mine', signature: 'S', family: 'anthropic' },
          { type: 'reasoning', text: 'unsigned', family: 'anthropic' },
          { type: 'reasoning', text: 'theirs', signature: 'G', family: 'gemini' },
          { type: 'reasoning', text: '', signature: 'enc', family: 'openai' },
          { type: 'reasoning', text: '', redactedData: 'R', family: 'anthropic' },
        ],
      },
      { model: 'm' },
    ) as Record<string, any>;
    expect(body.content).toEqual([
      { type: 'thinking', thinking: 'mine', signature: 'S' },
      { type: 'thinking', thinking: 'unsigned', signature: '' },
      { type: 'thinking', thinking: 'theirs', signature: '' },
      { type: 'redacted_thinking', data: 'R' },
    ]);
  });

  it.each([
    ['length', undefined, 'max_tokens'],
    ['content-filter', undefined, 'refusal'],
    ['stop', 'stop_sequence', 'stop_sequence'],
    ['stop', 'STOP', 'end_turn'],
    ['other', 'pause_turn', 'pause_turn'],
    ['error', undefined, 'end_turn'],
  ] as const)('maps finish %s (raw %s) to %s', (finishReason, rawFinishReason, stop) => {
    expect(encodeResponse({ ...base, finishReason, rawFinishReason }, { model: 'm' }).stop_reason).toBe(stop);
  });
});

describe('anthropic response properties', () => {
  const strip = (r: CanonicalResponse) => clean({ ...r, created: 0 });

  it('decode(encode(decode(x))) equals decode(x)', () => {
    fc.assert(
      fc.property(wireResponse, (body) => {
        const once = decodeResponse(body);
        const twice = decodeResponse(encodeResponse(once, { model: once.model }));
        expect(strip(twice)).toEqual(strip(once));
      }),
      { numRuns: 300 },
    );
  });

  it('encodes any canonical response without throwing', () => {
    fc.assert(
      fc.property(canonicalResponse, (res) => {
        const body = encodeResponse(res, { model: 'm' }) as Record<string, any>;
        expect(body.id).toMatch(/^msg_/);
        expect(body.usage.input_tokens).toBeGreaterThanOrEqual(0);
        for (const b of body.content) if (b.type === 'thinking') expect(typeof b.signature).toBe('string');
        decodeResponse(body);
      }),
      { numRuns: 300 },
    );
  });
});
