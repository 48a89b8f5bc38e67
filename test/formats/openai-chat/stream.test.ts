import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../../src/ir/index.js';
import { openAIChatCodec as codec } from '../../../src/formats/openai-chat/index.js';
import { ResponseAggregator } from '../../../src/formats/shared/aggregate.js';
import type { SseEvent } from '../../../src/formats/types.js';

const head = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o' };
const chunk = (delta: Record<string, unknown>, finish: string | null = null): SseEvent => ({
  data: JSON.stringify({ ...head, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] }),
});

function decode(events: SseEvent[]): StreamEvent[] {
  const dec = codec.createStreamDecoder();
  return [...events.flatMap((e) => dec.push(e)), ...dec.end()];
}

function encode(events: StreamEvent[], includeUsage = false): SseEvent[] {
  const enc = codec.createStreamEncoder({ model: 'caller-model', includeUsage });
  return [...events.flatMap((e) => enc.push(e)), ...enc.end()];
}

describe('openai-chat stream decoder', () => {
  it('decodes reasoning, text, interleaved parallel tool calls, finish and the usage-only chunk', () => {
    const events = decode([
      chunk({ role: 'assistant', content: '' }),
      chunk({ reasoning_content: 'think ' }),
      chunk({ reasoning_content: 'more' }),
      chunk({ content: 'Checking.' }),
      chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'read', arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'list', arguments: '{"d' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"p":' } }] }),
      chunk({ tool_calls: [{ index: 1, function: { arguments: '":1}' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"x"}' } }] }),
      chunk({}, 'tool_calls'),
      { data: JSON.stringify({ ...head, choices: [], usage: { prompt_tokens: 9, completion_tokens: 5, total_tokens: 14, prompt_tokens_details: { cached_tokens: 3 }, completion_tokens_details: { reasoning_tokens: 2 } } }) },
      { data: '[DONE]' },
    ]);
    expect(events).toEqual<StreamEvent[]>([
      { type: 'message-start', id: 'chatcmpl-1', model: 'gpt-4o' },
      { type: 'reasoning-start', id: 'reasoning-0', family: 'openai' },
      { type: 'reasoning-delta', id: 'reasoning-0', text: 'think ' },
      { type: 'reasoning-delta', id: 'reasoning-0', text: 'more' },
      { type: 'reasoning-end', id: 'reasoning-0' },
      { type: 'text-start', id: 'text-1' },
      { type: 'text-delta', id: 'text-1', text: 'Checking.' },
      { type: 'text-end', id: 'text-1' },
      { type: 'tool-call-start', id: 'call_a', name: 'read' },
      { type: 'tool-call-start', id: 'call_b', name: 'list' },
      { type: 'tool-call-delta', id: 'call_b', argumentsDelta: '{"d' },
      { type: 'tool-call-delta', id: 'call_a', argumentsDelta: '{"p":' },
      { type: 'tool-call-delta', id: 'call_b', argumentsDelta: '":1}' },
      { type: 'tool-call-delta', id: 'call_a', argumentsDelta: '"x"}' },
      { type: 'tool-call-end', id: 'call_a' },
      { type: 'tool-call-end', id: 'call_b' },
      {
        type: 'finish',
        reason: 'tool-calls',
        rawReason: 'tool_calls',
        usage: { inputTokens: 9, outputTokens: 5, cachedInputTokens: 3, reasoningTokens: 2 },
      },
    ]);
    const agg = new ResponseAggregator();
    events.forEach((e) => agg.push(e));
    expect(agg.result().content.filter((p) => p.type === 'tool-call')).toEqual([
      { type: 'tool-call', id: 'call_a', name: 'read', arguments: '{"p":"x"}' },
      { type: 'tool-call', id: 'call_b', name: 'list', arguments: '{"d":1}' },
    ]);
  });

  it('turns an error frame into one error event and nothing after it', () => {
    const events = decode([
      chunk({ content: 'partial' }),
      { data: JSON.stringify({ error: { message: 'Rate limit reached', type: 'rate_limit_error', code: 'rate_limit_exceeded' } }) },
      chunk({ content: 'ignored' }),
    ]);
    expect(events.at(-1)).toEqual({ type: 'error', error: { message: 'Rate limit reached', code: 'rate_limit_exceeded' } });
    expect(events.filter((e) => e.type === 'finish')).toHaveLength(0);
  });

  it('synthesizes message-start and finish for a stream cut short, and reads `reasoning` / legacy function_call', () => {
    const events = decode([
      chunk({ reasoning: 'r' }),
      chunk({ function_call: { name: 'f', arguments: '{}' } }),
    ]);
    expect(events.map((e) => e.type)).toEqual([
      'message-start',
      'reasoning-start',
      'reasoning-delta',
      'reasoning-end',
      'tool-call-start',
      'tool-call-delta',
      'tool-call-end',
      'finish',
    ]);
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'tool-calls' });
    expect(decode([])).toMatchObject([{ type: 'message-start' }, { type: 'finish', reason: 'stop' }]);
  });

  it('waits for the name before starting a call, and splits calls sharing index 0 by id', () => {
    const events = decode([
      chunk({ tool_calls: [{ index: 0, id: 'c1', function: { arguments: '{"a"' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { name: 'f', arguments: ':1}' } }] }),
      chunk({ tool_calls: [{ index: 0, id: 'c2', function: { name: 'g', arguments: '{}' } }] }),
      chunk({}, 'stop'),
      { data: '[DONE]' },
    ]);
    const agg = new ResponseAggregator();
    events.forEach((e) => agg.push(e));
    const res = agg.result();
    expect(res.content).toEqual([
      { type: 'tool-call', id: 'c1', name: 'f', arguments: '{"a":1}' },
      { type: 'tool-call', id: 'c2', name: 'g', arguments: '{}' },
    ]);
    expect(res.finishReason).toBe('tool-calls');
  });
});

describe('openai-chat stream encoder', () => {
  const canonical: StreamEvent[] = [
    { type: 'message-start', id: 'msg_1', model: 'claude' },
    { type: 'reasoning-start', id: '0', family: 'anthropic' },
    { type: 'reasoning-delta', id: '0', text: 'hmm' },
    { type: 'reasoning-signature', id: '0', signature: 'sig' },
    { type: 'reasoning-end', id: '0' },
    { type: 'text-start', id: '1' },
    { type: 'text-delta', id: '1', text: 'Hi' },
    { type: 'text-end', id: '1' },
    { type: 'tool-call-start', id: 'toolu_1', name: 'f' },
    { type: 'tool-call-delta', id: 'toolu_1', argumentsDelta: '{"a":' },
    { type: 'tool-call-delta', id: 'toolu_1', argumentsDelta: '1}' },
    { type: 'tool-call-end', id: 'toolu_1' },
    { type: 'finish', reason: 'tool-calls', usage: { inputTokens: 10, outputTokens: 4 } },
  ];

  it('emits role chunk, deltas, finish chunk, usage chunk and [DONE]', () => {
    const out = encode(canonical, true);
    const base = { id: 'chatcmpl-msg_1', object: 'chat.completion.chunk', model: 'caller-model' };
    const parsed = out.slice(0, -1).map((e) => JSON.parse(e.data));
    const expected = [
      { role: 'assistant', content: '' },
      { reasoning_content: 'hmm' },
      { content: 'Hi' },
      { tool_calls: [{ index: 0, id: 'toolu_1', type: 'function', function: { name: 'f', arguments: '' } }] },
      { tool_calls: [{ index: 0, function: { arguments: '{"a":' } }] },
      { tool_calls: [{ index: 0, function: { arguments: '1}' } }] },
      {},
    ];
    expected.forEach((delta, i) => {
      expect(parsed[i]).toMatchObject({ ...base, choices: [{ index: 0, delta, finish_reason: i === 6 ? 'tool_calls' : null }] });
    });
    expect(parsed[7]).toMatchObject({ ...base, choices: [], usage: { prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 } });
    expect(parsed).toHaveLength(8);
    expect(out.at(-1)).toEqual({ data: '[DONE]' });
    expect(out.every((e) => e.event === undefined)).toBe(true);
  });

  it('omits the usage chunk unless asked, and closes an abruptly ended stream', () => {
    const out = encode([{ type: 'message-start', id: 'x', model: 'm' }, { type: 'text-delta', id: 't', text: 'a' }]);
    expect(out.map((e) => (e.data === '[DONE]' ? 'DONE' : JSON.parse(e.data).choices[0].finish_reason))).toEqual([null, null, 'stop', 'DONE']);
  });

  it('writes an error frame and stops', () => {
    const enc = codec.createStreamEncoder({ model: 'm', includeUsage: true });
    const out = [
      ...enc.push({ type: 'message-start', id: 'x', model: 'm' }),
      ...enc.push({ type: 'error', error: { message: 'overloaded', status: 529, code: 'overloaded_error' } }),
      ...enc.push({ type: 'text-delta', id: 't', text: 'late' }),
      ...enc.end(),
    ];
    expect(out).toHaveLength(2);
    expect(JSON.parse(out[1].data)).toEqual({ error: { message: 'overloaded', type: 'server_error', param: null, code: 'overloaded_error' } });
  });
});

describe('openai SDK against our output', () => {
  function sdkWith(respond: () => Response): OpenAI {
    return new OpenAI({ apiKey: 'k', baseURL: 'http://127.0.0.1:1/v1', maxRetries: 0, fetch: async () => respond() });
  }
  const sseBody = (events: SseEvent[]) => events.map((e) => `data: ${e.data}\n\n`).join('');

  it('ChatCompletionStream accumulates our chunks into the final completion', async () => {
    const client = sdkWith(() => new Response(sseBody(encode(canonical(), true)), { headers: { 'content-type': 'text/event-stream' } }));
    const stream = client.chat.completions.stream({ model: 'caller-model', messages: [{ role: 'user', content: 'hi' }], stream_options: { include_usage: true } });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0].message.content).toBe('Hi');
    expect(final.choices[0].message.tool_calls).toEqual([{ id: 'toolu_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }]);
    expect(final.choices[0].finish_reason).toBe('tool_calls');
    expect(final.usage?.total_tokens).toBe(14);
  });

  it('surfaces our error frame as an APIError', async () => {
    const out = encode([{ type: 'message-start', id: 'x', model: 'm' }, { type: 'error', error: { message: 'boom', status: 500 } }]);
    const client = sdkWith(() => new Response(sseBody(out), { headers: { 'content-type': 'text/event-stream' } }));
    const stream = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true });
    await expect(async () => {
      for await (const _ of stream) void _;
    }).rejects.toThrow(/boom/);
  });

  it('parses our non-stream body', async () => {
    const body = codec.encodeResponse(
      { id: 'r', model: 'x', created: 1, content: [{ type: 'text', text: 'yo' }], finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 1 } },
      { model: 'caller-model' },
    );
    const client = sdkWith(() => new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } }));
    const res = await client.chat.completions.create({ model: 'caller-model', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.choices[0].message.content).toBe('yo');
    expect(res.model).toBe('caller-model');
  });

  function canonical(): StreamEvent[] {
    return [
      { type: 'message-start', id: 'msg_1', model: 'claude' },
      { type: 'text-start', id: '1' },
      { type: 'text-delta', id: '1', text: 'Hi' },
      { type: 'text-end', id: '1' },
      { type: 'tool-call-start', id: 'toolu_1', name: 'f' },
      { type: 'tool-call-delta', id: 'toolu_1', argumentsDelta: '{"a":' },
      { type: 'tool-call-delta', id: 'toolu_1', argumentsDelta: '1}' },
      { type: 'tool-call-end', id: 'toolu_1' },
      { type: 'finish', reason: 'tool-calls', usage: { inputTokens: 10, outputTokens: 4 } },
    ];
  }
});
