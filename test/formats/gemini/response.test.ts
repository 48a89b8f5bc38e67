import { describe, expect, it } from 'vitest';
import { GenerateContentResponse } from '@google/genai';
import { geminiCodec } from '../../../src/formats/gemini/index.js';
import type { CanonicalResponse } from '../../../src/ir/index.js';

const upstream = {
  candidates: [
    {
      content: {
        role: 'model',
        parts: [
          { text: 'The user wants the weather.', thought: true },
          { text: 'Let me check', thoughtSignature: 'U0lH' },
          { text: ' now.' },
          { functionCall: { name: 'get_weather', args: { city: 'Paris' } } },
        ],
      },
      finishReason: 'STOP',
      index: 0,
      safetyRatings: [{ category: 'HARM_CATEGORY_HARASSMENT', probability: 'NEGLIGIBLE' }],
    },
  ],
  usageMetadata: { promptTokenCount: 100, candidatesTokenCount: 20, thoughtsTokenCount: 30, cachedContentTokenCount: 60, totalTokenCount: 150 },
  modelVersion: 'gemini-2.5-pro',
  responseId: 'abc123',
};

describe('gemini decodeResponse', () => {
  it('maps parts, tool-call finish, usage (output includes thoughts)', () => {
    const res = geminiCodec.decodeResponse(structuredClone(upstream));
    expect(res.id).toBe('abc123');
    expect(res.model).toBe('gemini-2.5-pro');
    expect(res.finishReason).toBe('tool-calls');
    expect(res.rawFinishReason).toBe('STOP');
    expect(res.usage).toEqual({ inputTokens: 100, outputTokens: 50, cachedInputTokens: 60, reasoningTokens: 30 });
    expect(res.content.slice(0, 3)).toEqual([
      { type: 'reasoning', text: 'The user wants the weather.', family: 'gemini' },
      { type: 'reasoning', text: '', signature: 'U0lH', family: 'gemini' },
      { type: 'text', text: 'Let me check now.' },
    ]);
    const call = res.content[3]!;
    expect(call).toMatchObject({ type: 'tool-call', name: 'get_weather', arguments: '{"city":"Paris"}' });
    expect(call.type === 'tool-call' && call.id).toMatch(/^call_/);
  });

  it('maps finish reasons', () => {
    const cases: Array<[string, string]> = [
      ['STOP', 'stop'],
      ['MAX_TOKENS', 'length'],
      ['SAFETY', 'content-filter'],
      ['RECITATION', 'content-filter'],
      ['PROHIBITED_CONTENT', 'content-filter'],
      ['SPII', 'content-filter'],
      ['BLOCKLIST', 'content-filter'],
      ['IMAGE_SAFETY', 'content-filter'],
      ['MALFORMED_FUNCTION_CALL', 'error'],
      ['OTHER', 'other'],
      ['SOMETHING_NEW', 'other'],
    ];
    for (const [raw, want] of cases) {
      const res = geminiCodec.decodeResponse({ candidates: [{ content: { role: 'model', parts: [{ text: 'x' }] }, finishReason: raw }] });
      expect(res.finishReason, raw).toBe(want);
    }
  });

  it('treats a blocked prompt as content-filter', () => {
    const res = geminiCodec.decodeResponse({ promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: 5, totalTokenCount: 5 } });
    expect(res.finishReason).toBe('content-filter');
    expect(res.rawFinishReason).toBe('SAFETY');
    expect(res.content).toEqual([]);
    expect(res.usage).toEqual({ inputTokens: 5, outputTokens: 0 });
  });

  it('unwraps the gemini-cli {response} envelope and keeps function call ids', () => {
    const res = geminiCodec.decodeResponse({ response: { candidates: [{ content: { parts: [{ functionCall: { id: 'fc1', name: 'f' } }] }, finishReason: 'STOP' }] } });
    expect(res.content).toEqual([{ type: 'tool-call', id: 'fc1', name: 'f', arguments: '{}' }]);
  });
});

describe('gemini encodeResponse', () => {
  it('produces the GenerateContentResponse shape', () => {
    const res: CanonicalResponse = {
      id: 'msg_1',
      model: 'claude-x',
      created: 1,
      finishReason: 'tool-calls',
      content: [
        { type: 'reasoning', text: 'hmm', signature: 'anthropic-sig', family: 'anthropic' },
        { type: 'text', text: 'Calling.' },
        { type: 'tool-call', id: 'toolu_1', name: 'f', arguments: '{"a":1}' },
      ],
      usage: { inputTokens: 10, outputTokens: 7, reasoningTokens: 3, cachedInputTokens: 4 },
    };
    expect(geminiCodec.encodeResponse(res, { model: 'gemini-2.5-pro' })).toEqual({
      candidates: [
        {
          content: {
            role: 'model',
            parts: [{ text: 'hmm', thought: true }, { text: 'Calling.' }, { functionCall: { name: 'f', args: { a: 1 }, id: 'toolu_1' } }],
          },
          finishReason: 'STOP',
          index: 0,
        },
      ],
      usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 4, thoughtsTokenCount: 3, cachedContentTokenCount: 4, totalTokenCount: 17 },
      modelVersion: 'gemini-2.5-pro',
      responseId: 'msg_1',
    });
  });

  it('maps length/content-filter and keeps Gemini-specific raw reasons', () => {
    const base: CanonicalResponse = { id: 'r', model: 'm', created: 0, content: [], finishReason: 'length' };
    const fr = (r: CanonicalResponse) => ((geminiCodec.encodeResponse(r, { model: 'x' }).candidates as Array<Record<string, unknown>>)[0]!.finishReason);
    expect(fr(base)).toBe('MAX_TOKENS');
    expect(fr({ ...base, finishReason: 'content-filter' })).toBe('SAFETY');
    expect(fr({ ...base, finishReason: 'content-filter', rawFinishReason: 'RECITATION' })).toBe('RECITATION');
    expect(fr({ ...base, finishReason: 'stop', rawFinishReason: 'end_turn' })).toBe('STOP');
    expect(fr({ ...base, finishReason: 'other' })).toBe('OTHER');
  });

  it('round-trips the upstream sample', () => {
    const res = geminiCodec.decodeResponse(structuredClone(upstream));
    const again = geminiCodec.decodeResponse(geminiCodec.encodeResponse(res, { model: res.model }));
    expect({ ...again, created: 0 }).toEqual({ ...res, created: 0 });
  });

  it('is read correctly by the official @google/genai response getters', () => {
    const body = geminiCodec.encodeResponse(
      {
        id: 'r',
        model: 'x',
        created: 0,
        finishReason: 'tool-calls',
        content: [
          { type: 'reasoning', text: 'think', family: 'gemini', signature: 'S' },
          { type: 'text', text: 'hello' },
          { type: 'tool-call', id: 'toolu_1', name: 'f', arguments: '{"a":1}' },
        ],
        usage: { inputTokens: 1, outputTokens: 2 },
      },
      { model: 'gemini-2.5-pro' },
    );
    const sdk = Object.assign(new GenerateContentResponse(), body);
    expect(sdk.text).toBe('hello');
    expect(sdk.functionCalls).toEqual([{ id: 'toolu_1', name: 'f', args: { a: 1 } }]);
    expect(sdk.usageMetadata?.totalTokenCount).toBe(3);
  });
});
