import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import OpenAI from 'openai';
import { accumulateResponse } from 'openai/lib/responses/ResponseAccumulator';
import { describe, expect, it } from 'vitest';
import { openAIResponsesCodec as codec } from '../../../src/formats/openai-responses/index.js';
import { ResponseAggregator } from '../../../src/formats/shared/aggregate.js';
import type { SseEvent } from '../../../src/formats/types.js';
import type { CanonicalRequest, CanonicalResponse, StreamEvent } from '../../../src/ir/index.js';
import { canonicalEvents } from './arbitraries.js';

function parseSse(text: string): SseEvent[] {
  return text
    .split(/\n\n+/)
    .filter((block) => block.trim())
    .map((block) => {
      const ev: SseEvent = { data: '' };
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) ev.event = line.slice(7);
        else if (line.startsWith('data: ')) ev.data = line.slice(6);
      }
      return ev;
    });
}

const toSse = (events: SseEvent[]) => events.map((e) => `event: ${e.event}\ndata: ${e.data}\n\n`).join('');

function decodeAll(events: SseEvent[]): StreamEvent[] {
  const d = codec.createStreamDecoder();
  return [...events.flatMap((e) => d.push(e)), ...d.end()];
}

function encodeAll(events: StreamEvent[], request?: CanonicalRequest): SseEvent[] {
  const e = codec.createStreamEncoder({ model: 'gpt-5', request });
  return [...events.flatMap((ev) => e.push(ev)), ...e.end()];
}

function fold(events: StreamEvent[]): CanonicalResponse {
  const agg = new ResponseAggregator();
  for (const ev of events) agg.push(ev);
  return agg.result();
}

describe('openai-responses stream decoder', () => {
  const upstream = parseSse(readFileSync(new URL('../../fixtures/openai-responses/stream.sse', import.meta.url), 'utf8'));

  it('turns an OpenAI/Codex stream into canonical start/delta/end triples', () => {
    const events = decodeAll(upstream);
    expect(events.map((e) => e.type)).toEqual([
      'message-start',
      'reasoning-start',
      'reasoning-delta',
      'reasoning-delta',
      'reasoning-delta',
      'reasoning-signature',
      'reasoning-end',
      'text-start',
      'text-delta',
      'text-delta',
      'text-end',
      'tool-call-start',
      'tool-call-delta',
      'tool-call-delta',
      'tool-call-end',
      'tool-call-start',
      'tool-call-delta',
      'tool-call-end',
      'finish',
    ]);
    expect(events[0]).toEqual({ type: 'message-start', id: 'resp_abc', model: 'gpt-5-codex' });
    const res = fold(events);
    expect(res.content).toEqual([
      { type: 'reasoning', text: '**Plan**\n\nRun ls.', family: 'openai', signature: 'gAAAAenc' },
      { type: 'text', text: 'Listing files.' },
      { type: 'tool-call', id: 'call_1', name: 'shell', arguments: '{"command":["ls"]}' },
      { type: 'tool-call', id: 'call_2', name: 'noop', arguments: '{"a":1}' },
    ]);
    expect(res.finishReason).toBe('tool-calls');
    expect(res.usage).toEqual({ inputTokens: 120, outputTokens: 40, cachedInputTokens: 64, reasoningTokens: 16 });
  });

  it('works without event: lines and ignores [DONE] and garbage', () => {
    const events = decodeAll([...upstream.map((e) => ({ data: e.data })), { data: '[DONE]' }, { data: '{not json' }]);
    expect(events.filter((e) => e.type === 'finish')).toHaveLength(1);
  });

  it('maps error events and response.failed to one error and one finish', () => {
    const events = decodeAll([
      { data: JSON.stringify({ type: 'response.created', response: { id: 'resp_1', model: 'm' } }) },
      { event: 'error', data: JSON.stringify({ type: 'error', code: 'rate_limit_exceeded', message: 'slow down', param: null }) },
      { data: JSON.stringify({ type: 'response.failed', response: { id: 'resp_1', status: 'failed', error: { code: 'server_error', message: 'x' } } }) },
    ]);
    expect(events).toEqual([
      { type: 'message-start', id: 'resp_1', model: 'm' },
      { type: 'error', error: { message: 'slow down', code: 'rate_limit_exceeded', status: 429 } },
      { type: 'finish', reason: 'error', rawReason: 'failed' },
    ]);
  });

  it('synthesizes the missing pieces of a truncated stream', () => {
    const events = decodeAll([
      { data: JSON.stringify({ type: 'response.output_text.delta', output_index: 0, content_index: 0, item_id: 'msg_1', delta: 'Hi' }) },
    ]);
    expect(events.map((e) => e.type)).toEqual(['message-start', 'text-start', 'text-delta', 'text-end', 'finish']);
    expect(events.at(-1)).toMatchObject({ reason: 'other' });
  });

  it('recovers items that only appear in the final response.completed snapshot', () => {
    const events = decodeAll([
      { data: JSON.stringify({ type: 'response.completed', response: { id: 'resp_9', model: 'm', status: 'completed', output: [
        { id: 'msg_1', type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'whole' }] },
        { id: 'fc_1', type: 'function_call', call_id: 'call_9', name: 'f', arguments: '{"x":1}' },
      ] } }) },
    ]);
    const res = fold(events);
    expect(res.content).toEqual([
      { type: 'text', text: 'whole' },
      { type: 'tool-call', id: 'call_9', name: 'f', arguments: '{"x":1}' },
    ]);
    expect(res.finishReason).toBe('tool-calls');
  });

  it('maps incomplete (max_output_tokens) to length and decodes custom tool calls as {"input"} JSON', () => {
    const events = decodeAll([
      { data: JSON.stringify({ type: 'response.output_item.added', output_index: 0, item: { id: 'ctc_1', type: 'custom_tool_call', call_id: 'call_p', name: 'apply_patch', input: '' } }) },
      { data: JSON.stringify({ type: 'response.custom_tool_call_input.delta', output_index: 0, item_id: 'ctc_1', delta: '*** Begin "Patch"\n' }) },
      { data: JSON.stringify({ type: 'response.custom_tool_call_input.delta', output_index: 0, item_id: 'ctc_1', delta: '*** End Patch' }) },
      { data: JSON.stringify({ type: 'response.output_item.done', output_index: 0, item: { id: 'ctc_1', type: 'custom_tool_call', call_id: 'call_p', name: 'apply_patch', input: '*** Begin "Patch"\n*** End Patch' } }) },
      { data: JSON.stringify({ type: 'response.incomplete', response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } } }) },
    ]);
    const res = fold(events);
    expect(res.content).toEqual([{ type: 'tool-call', id: 'call_p', name: 'apply_patch', arguments: JSON.stringify({ input: '*** Begin "Patch"\n*** End Patch' }) }]);
    expect(res.finishReason).toBe('length');
  });
});

describe('openai-responses stream encoder', () => {
  const canonical: StreamEvent[] = [
    { type: 'message-start', id: 'msg_up', model: 'claude' },
    { type: 'reasoning-start', id: 'r0', family: 'anthropic' },
    { type: 'reasoning-delta', id: 'r0', text: 'Let me ' },
    { type: 'reasoning-delta', id: 'r0', text: 'think.' },
    { type: 'reasoning-signature', id: 'r0', signature: 'sigA' },
    { type: 'reasoning-end', id: 'r0' },
    { type: 'text-start', id: 't1' },
    { type: 'text-delta', id: 't1', text: 'Hel' },
    { type: 'text-delta', id: 't1', text: 'lo' },
    { type: 'text-end', id: 't1' },
    { type: 'tool-call-start', id: 'toolu_1', name: 'shell' },
    { type: 'tool-call-delta', id: 'toolu_1', argumentsDelta: '{"cmd":' },
    { type: 'tool-call-delta', id: 'toolu_1', argumentsDelta: '"ls"}' },
    { type: 'tool-call-end', id: 'toolu_1' },
    { type: 'finish', reason: 'tool-calls', usage: { inputTokens: 9, outputTokens: 4 } },
  ];

  it('emits the SPEC 6.5 sequence with event lines, types and increasing sequence numbers', () => {
    const out = encodeAll(canonical);
    const datas = out.map((e) => JSON.parse(e.data) as Record<string, unknown>);
    expect(out.map((e) => e.event)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    datas.forEach((d, i) => {
      expect(d.type).toBe(out[i]!.event);
      expect(d.sequence_number).toBe(i);
    });
    expect(datas[11]).toMatchObject({ delta: 'Hel', output_index: 1, content_index: 0 });
    expect(datas[11]!.item_id).toMatch(/^msg_/);
    expect(datas[16]).toMatchObject({ item: { type: 'function_call', call_id: 'toolu_1', name: 'shell', arguments: '' } });
    const completed = datas.at(-1)!.response as Record<string, unknown>;
    expect(completed).toMatchObject({ status: 'completed', model: 'gpt-5', usage: { input_tokens: 9, output_tokens: 4, total_tokens: 13 } });
    expect((completed.output as unknown[]).length).toBe(3);
    expect(completed.id).toBe((datas[0]!.response as Record<string, unknown>).id);
  });

  it('is accepted by the official openai SDK stream helper', async () => {
    const sse = toSse(encodeAll(canonical));
    const client = new OpenAI({
      apiKey: 'k',
      baseURL: 'http://127.0.0.1:1/v1',
      fetch: async () => new Response(sse, { headers: { 'content-type': 'text/event-stream' } }),
    });
    const stream = client.responses.stream({ model: 'gpt-5', input: 'hi' });
    const deltas: string[] = [];
    stream.on('response.output_text.delta', (e) => deltas.push(e.delta));
    const final = await stream.finalResponse();
    expect(deltas.join('')).toBe('Hello');
    expect(final.output_text).toBe('Hello');
    expect(final.status).toBe('completed');
    expect(final.output.map((o) => o.type)).toEqual(['reasoning', 'message', 'function_call']);
  });

  it('makes the SDK throw on a canonical error, and writes nothing after it', async () => {
    const e = codec.createStreamEncoder({ model: 'gpt-5' });
    const out = [
      ...e.push({ type: 'message-start', id: 'x', model: 'm' }),
      ...e.push({ type: 'text-start', id: 't' }),
      ...e.push({ type: 'text-delta', id: 't', text: 'partial' }),
      ...e.push({ type: 'error', error: { message: 'overloaded', status: 529, code: 'overloaded_error' } }),
    ];
    expect(e.push({ type: 'text-delta', id: 't', text: 'more' })).toEqual([]);
    expect(e.end()).toEqual([]);
    const last = out.at(-1)!;
    expect(last.event).toBe('error');
    expect(JSON.parse(last.data)).toEqual({ type: 'error', sequence_number: 5, code: 'overloaded_error', message: 'overloaded', param: null });
    const client = new OpenAI({
      apiKey: 'k',
      baseURL: 'http://127.0.0.1:1/v1',
      maxRetries: 0,
      fetch: async () => new Response(toSse(out), { headers: { 'content-type': 'text/event-stream' } }),
    });
    await expect(client.responses.stream({ model: 'gpt-5', input: 'hi' }).finalResponse()).rejects.toThrow(/overloaded/);
  });

  it('reports length as response.incomplete and closes blocks left open', () => {
    const out = encodeAll([
      { type: 'message-start', id: 'x', model: 'm' },
      { type: 'text-start', id: 't' },
      { type: 'text-delta', id: 't', text: 'cut' },
      { type: 'finish', reason: 'length' },
    ]);
    expect(out.map((e) => e.event).slice(-4)).toEqual([
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.incomplete',
    ]);
    expect(JSON.parse(out.at(-1)!.data).response).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } });
  });

  it('streams calls to custom tools as custom_tool_call items', () => {
    const request: CanonicalRequest = {
      model: 'm',
      system: [],
      messages: [],
      tools: [],
      stream: true,
      providerOptions: { 'openai-responses': { customTools: { apply_patch: {} } } },
    };
    const out = encodeAll(
      [
        { type: 'tool-call-start', id: 'c1', name: 'apply_patch' },
        { type: 'tool-call-delta', id: 'c1', argumentsDelta: '{"input":"*** Begin' },
        { type: 'tool-call-delta', id: 'c1', argumentsDelta: ' Patch"}' },
        { type: 'tool-call-end', id: 'c1' },
        { type: 'finish', reason: 'tool-calls' },
      ],
      request,
    );
    const datas = out.map((e) => JSON.parse(e.data) as Record<string, unknown>);
    expect(datas.map((d) => d.type)).toContain('response.custom_tool_call_input.delta');
    expect(datas.find((d) => d.type === 'response.output_item.done')!.item).toMatchObject({
      type: 'custom_tool_call',
      call_id: 'c1',
      name: 'apply_patch',
      input: '*** Begin Patch',
    });
    const back = fold(decodeAll(out));
    expect(back.content).toEqual([{ type: 'tool-call', id: 'c1', name: 'apply_patch', arguments: '{"input":"*** Begin Patch"}' }]);
  });
});

function normalise(res: CanonicalResponse): unknown {
  const c = structuredClone(res) as Partial<CanonicalResponse>;
  delete c.id;
  delete c.created;
  delete c.model;
  delete c.rawFinishReason;
  const hasCall = c.content!.some((p) => p.type === 'tool-call');
  if (c.finishReason === 'other' || c.finishReason === 'tool-calls' || c.finishReason === 'stop') c.finishReason = hasCall ? 'tool-calls' : 'stop';
  c.usage = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, reasoningTokens: 0, ...c.usage };
  c.content = c.content!.filter((p) => p.type !== 'reasoning' || p.text !== '' || p.signature);
  for (const p of c.content) if (p.type === 'reasoning') p.family = 'openai';
  return c;
}

describe('openai-responses stream properties', () => {
  it('encode then decode preserves the folded response (OpenAI-family reasoning)', () => {
    fc.assert(
      fc.property(canonicalEvents(fc.constant('openai' as const)), (events) => {
        const back = decodeAll(encodeAll(events));
        expect(normalise(fold(back))).toEqual(normalise(fold(events)));
        expect(back.filter((e) => e.type === 'finish')).toHaveLength(1);
      }),
      { numRuns: 200 },
    );
  });

  it('every encoded stream is valid for the SDK accumulator and matches the final response', () => {
    fc.assert(
      fc.property(canonicalEvents(), (events) => {
        const out = encodeAll(events);
        let snapshot: ReturnType<typeof accumulateResponse> | undefined;
        for (const e of out) {
          const data = JSON.parse(e.data);
          expect(data.type).toBe(e.event);
          snapshot = accumulateResponse(data, snapshot);
        }
        const final = JSON.parse(out.at(-1)!.data).response;
        expect(snapshot!.output.length).toBe(final.output.length);
      }),
      { numRuns: 100 },
    );
  });

  it('the SDK stream helper reads every encoded stream to the same final output as the fold', async () => {
    await fc.assert(
      fc.asyncProperty(canonicalEvents(), async (events) => {
        const sse = toSse(encodeAll(events));
        const client = new OpenAI({
          apiKey: 'k',
          baseURL: 'http://127.0.0.1:1/v1',
          fetch: async () => new Response(sse, { headers: { 'content-type': 'text/event-stream' } }),
        });
        const final = await client.responses.stream({ model: 'gpt-5', input: 'hi' }).finalResponse();
        const expected = fold(events).content.filter((p) => p.type === 'text').map((p) => (p as { text: string }).text).join('');
        expect(final.output_text).toBe(expected);
      }),
      { numRuns: 40 },
    );
  });

  it('decoder survives arbitrary interleavings of Responses frames', () => {
    const frame = fc.oneof(
      fc.record({ type: fc.constantFrom('response.output_text.delta', 'response.function_call_arguments.delta', 'response.reasoning_summary_text.delta', 'response.output_item.done', 'response.output_item.added', 'response.completed', 'error', 'response.content_part.done'), output_index: fc.nat(3), content_index: fc.nat(1), delta: fc.string(), item: fc.constantFrom(undefined, { type: 'message', id: 'm' }, { type: 'function_call', call_id: 'c', name: 'f' }, { type: 'reasoning', id: 'r', encrypted_content: 'cpx1:anthropic:s:x' }) }),
      fc.string(),
    );
    fc.assert(
      fc.property(fc.array(frame, { maxLength: 15 }), (frames) => {
        const events = decodeAll(frames.map((f) => ({ data: typeof f === 'string' ? f : JSON.stringify(f) })));
        expect(events.filter((e) => e.type === 'finish')).toHaveLength(1);
        fold(events);
      }),
      { numRuns: 200 },
    );
  });
});
