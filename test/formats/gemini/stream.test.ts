import { describe, expect, it } from 'vitest';
import { geminiCodec } from '../../../src/formats/gemini/index.js';
import { ResponseAggregator } from '../../../src/formats/shared/aggregate.js';
import type { SseEvent } from '../../../src/formats/types.js';
import type { StreamEvent } from '../../../src/ir/index.js';

/** Real-shaped `streamGenerateContent?alt=sse` chunks from a thinking model that calls a tool. */
const chunks = [
  { candidates: [{ content: { role: 'model', parts: [{ text: '**Planning**\n', thought: true }] }, index: 0 }], usageMetadata: { promptTokenCount: 50, totalTokenCount: 50 }, modelVersion: 'gemini-2.5-flash', responseId: 'r-1' },
  { candidates: [{ content: { role: 'model', parts: [{ text: 'I should read it.', thought: true }] }, index: 0 }], modelVersion: 'gemini-2.5-flash', responseId: 'r-1' },
  { candidates: [{ content: { role: 'model', parts: [{ text: 'Reading', thoughtSignature: 'SIG' }] }, index: 0 }], modelVersion: 'gemini-2.5-flash', responseId: 'r-1' },
  { candidates: [{ content: { role: 'model', parts: [{ text: ' the file.' }] }, index: 0 }], modelVersion: 'gemini-2.5-flash', responseId: 'r-1' },
  {
    candidates: [{ content: { role: 'model', parts: [{ functionCall: { name: 'read_file', args: { path: 'a.ts' } } }] }, finishReason: 'STOP', index: 0 }],
    usageMetadata: { promptTokenCount: 50, candidatesTokenCount: 12, thoughtsTokenCount: 40, totalTokenCount: 102 },
    modelVersion: 'gemini-2.5-flash',
    responseId: 'r-1',
  },
];

function decodeAll(events: SseEvent[]): StreamEvent[] {
  const d = geminiCodec.createStreamDecoder();
  return [...events.flatMap((e) => d.push(e)), ...d.end()];
}

describe('gemini stream decoder', () => {
  const events = decodeAll(chunks.map((c) => ({ data: JSON.stringify(c) })));

  it('emits start/delta/end triples, whole tool calls, one finish at the end', () => {
    const shape = events.map((e) => e.type);
    expect(shape).toEqual([
      'message-start',
      'reasoning-start', 'reasoning-delta', 'reasoning-delta', 'reasoning-end',
      'reasoning-start', 'reasoning-signature', 'reasoning-end',
      'text-start', 'text-delta', 'text-delta', 'text-end',
      'tool-call-start', 'tool-call-delta', 'tool-call-end',
      'finish',
    ]);
    expect(events[0]).toEqual({ type: 'message-start', id: 'r-1', model: 'gemini-2.5-flash' });
    expect(events.at(-1)).toEqual({
      type: 'finish',
      reason: 'tool-calls',
      rawReason: 'STOP',
      usage: { inputTokens: 50, outputTokens: 52, reasoningTokens: 40 },
    });
    const call = events.find((e) => e.type === 'tool-call-delta');
    expect(call).toMatchObject({ argumentsDelta: '{"path":"a.ts"}' });
  });

  it('folds to the same response as the non-stream decoder', () => {
    const agg = new ResponseAggregator();
    events.forEach((e) => agg.push(e));
    const merged = {
      ...chunks[4],
      candidates: [{ content: { role: 'model', parts: chunks.flatMap((c) => c.candidates[0]!.content.parts as unknown[]) }, finishReason: 'STOP' }],
    };
    const res = geminiCodec.decodeResponse(merged);
    const folded = agg.result();
    const strip = (r: typeof res) => ({ ...r, created: 0, content: r.content.map((p) => (p.type === 'tool-call' ? { ...p, id: 'x' } : p)) });
    expect(strip(folded)).toEqual(strip(res));
  });

  it('turns an error chunk into a canonical error and stops', () => {
    const d = geminiCodec.createStreamDecoder();
    const out = [
      ...d.push({ data: JSON.stringify(chunks[0]) }),
      ...d.push({ data: '{"error":{"code":429,"message":"Resource exhausted","status":"RESOURCE_EXHAUSTED"}}' }),
      ...d.push({ data: JSON.stringify(chunks[1]) }),
      ...d.end(),
    ];
    expect(out.map((e) => e.type)).toEqual(['message-start', 'reasoning-start', 'reasoning-delta', 'reasoning-end', 'error']);
    expect(out.at(-1)).toEqual({ type: 'error', error: { message: 'Resource exhausted', status: 429, code: 'RESOURCE_EXHAUSTED' } });
  });

  it('accepts alt=json array bodies and fragments, ignores [DONE] and blanks', () => {
    const whole = decodeAll([{ data: JSON.stringify([chunks[2], chunks[3]]) }]);
    const frag = decodeAll([
      { data: `[${JSON.stringify(chunks[2])}` },
      { data: `,${JSON.stringify(chunks[3])}` },
      { data: ']' },
      { data: '[DONE]' },
      { data: '' },
    ]);
    expect(frag.map((e) => e.type)).toEqual(whole.map((e) => e.type));
    expect(whole.filter((e) => e.type === 'text-delta').map((e) => (e as { text: string }).text).join('')).toBe('Reading the file.');
  });

  it('synthesizes message-start and finish for an empty stream; maps blocked prompts', () => {
    expect(decodeAll([]).map((e) => e.type)).toEqual(['message-start', 'finish']);
    const blocked = decodeAll([{ data: JSON.stringify({ promptFeedback: { blockReason: 'PROHIBITED_CONTENT' } }) }]);
    expect(blocked.at(-1)).toMatchObject({ type: 'finish', reason: 'content-filter', rawReason: 'PROHIBITED_CONTENT' });
    const long = decodeAll([{ data: JSON.stringify({ candidates: [{ content: { parts: [{ text: 'x' }] }, finishReason: 'MAX_TOKENS' }] }) }]);
    expect(long.at(-1)).toMatchObject({ type: 'finish', reason: 'length' });
  });
});

describe('gemini stream encoder', () => {
  const parse = (evs: SseEvent[]) => evs.map((e) => JSON.parse(e.data) as Record<string, unknown>);

  it('emits one chunk per delta, whole function calls, and a final chunk with finishReason + usage', () => {
    const enc = geminiCodec.createStreamEncoder({ model: 'gemini-2.5-pro' });
    const input: StreamEvent[] = [
      { type: 'message-start', id: 'msg_1', model: 'claude' },
      { type: 'reasoning-start', id: 'r', family: 'anthropic' },
      { type: 'reasoning-delta', id: 'r', text: 'think' },
      { type: 'reasoning-signature', id: 'r', signature: 'anthropic-sig' },
      { type: 'reasoning-end', id: 'r' },
      { type: 'text-start', id: 't' },
      { type: 'text-delta', id: 't', text: 'Hel' },
      { type: 'text-delta', id: 't', text: 'lo' },
      { type: 'text-end', id: 't' },
      { type: 'tool-call-start', id: 'toolu_1', name: 'f' },
      { type: 'tool-call-delta', id: 'toolu_1', argumentsDelta: '{"a"' },
      { type: 'tool-call-delta', id: 'toolu_1', argumentsDelta: ':1}' },
      { type: 'tool-call-end', id: 'toolu_1' },
      { type: 'finish', reason: 'tool-calls', usage: { inputTokens: 3, outputTokens: 4 } },
    ];
    const out = parse([...input.flatMap((e) => enc.push(e)), ...enc.end()]);
    const parts = out.map((c) => ((c.candidates as Array<{ content: { parts: unknown[] } }>)[0]!.content.parts));
    expect(parts).toEqual([
      [{ text: 'think', thought: true }],
      [{ text: 'Hel' }],
      [{ text: 'lo' }],
      [{ functionCall: { id: 'toolu_1', name: 'f', args: { a: 1 } } }],
      [{ text: '' }],
    ]);
    expect(out[0]).toMatchObject({ modelVersion: 'gemini-2.5-pro', responseId: 'msg_1' });
    const last = out.at(-1)!;
    expect((last.candidates as Array<Record<string, unknown>>)[0]!.finishReason).toBe('STOP');
    expect(last.usageMetadata).toEqual({ promptTokenCount: 3, candidatesTokenCount: 4, totalTokenCount: 7 });
    expect(out.slice(0, -1).every((c) => !(c.candidates as Array<Record<string, unknown>>)[0]!.finishReason)).toBe(true);
  });

  it('places gemini signatures where Gemini had them', () => {
    const enc = geminiCodec.createStreamEncoder({ model: 'm' });
    const input: StreamEvent[] = [
      { type: 'reasoning-start', id: '0', family: 'gemini' },
      { type: 'reasoning-delta', id: '0', text: 'a' },
      { type: 'reasoning-signature', id: '0', signature: 'S0' },
      { type: 'reasoning-end', id: '0' },
      { type: 'reasoning-start', id: '1', family: 'gemini' },
      { type: 'reasoning-signature', id: '1', signature: 'S1' },
      { type: 'reasoning-end', id: '1' },
      { type: 'tool-call-start', id: 'c', name: 'f' },
      { type: 'tool-call-delta', id: 'c', argumentsDelta: 'garbage' },
    ];
    const out = parse([...input.flatMap((e) => enc.push(e)), ...enc.end()]);
    const parts = out.map((c) => ((c.candidates as Array<{ content: { parts: unknown[] } }>)[0]!.content.parts));
    expect(parts).toEqual([
      [{ text: 'a', thought: true }],
      [{ text: '', thought: true, thoughtSignature: 'S0' }],
      [{ text: '', thoughtSignature: 'S1' }],
      [{ functionCall: { id: 'c', name: 'f', args: {} } }],
      [{ text: '' }],
    ]);
    expect((out.at(-1)!.candidates as Array<Record<string, unknown>>)[0]!.finishReason).toBe('STOP');
  });

  it('writes a Google error body on error and nothing after', () => {
    const enc = geminiCodec.createStreamEncoder({ model: 'm' });
    const out = [
      ...enc.push({ type: 'text-start', id: 't' }),
      ...enc.push({ type: 'text-delta', id: 't', text: 'partial' }),
      ...enc.push({ type: 'error', error: { message: 'overloaded', status: 503 } }),
      ...enc.push({ type: 'text-delta', id: 't', text: 'more' }),
      ...enc.push({ type: 'finish', reason: 'stop' }),
      ...enc.end(),
    ];
    expect(out).toHaveLength(2);
    expect(JSON.parse(out[1]!.data)).toEqual({ error: { code: 503, message: 'overloaded', status: 'UNAVAILABLE' } });
  });

  it('ends an abrupt stream with a finish chunk exactly once', () => {
    const enc = geminiCodec.createStreamEncoder({ model: 'm' });
    const first = enc.push({ type: 'text-delta', id: 't', text: 'x' });
    const tail = enc.end();
    expect(first).toHaveLength(1);
    expect(tail).toHaveLength(1);
    expect(JSON.parse(tail[0]!.data).candidates[0].finishReason).toBe('STOP');
    expect(enc.end()).toEqual([]);
  });
});
