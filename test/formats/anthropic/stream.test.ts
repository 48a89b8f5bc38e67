import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anthropicCodec } from '../../../src/formats/anthropic/index.js';
import { ResponseAggregator } from '../../../src/formats/shared/aggregate.js';
import type { SseEvent } from '../../../src/formats/types.js';
import type { AssistantPart, StreamEvent } from '../../../src/ir/index.js';
import { anyStreamEvents, canonicalStream, clean } from './arbitraries.js';
import { parseSse } from './sse.js';

const sseFixture = (name: string) => parseSse(readFileSync(new URL(`../../fixtures/anthropic/${name}`, import.meta.url), 'utf8'));

function decodeAll(events: SseEvent[]): StreamEvent[] {
  const d = anthropicCodec.createStreamDecoder();
  return [...events.flatMap((e) => d.push(e)), ...d.end()];
}

function encodeAll(events: StreamEvent[], model = 'claude-opus-4-7'): SseEvent[] {
  const e = anthropicCodec.createStreamEncoder({ model });
  return [...events.flatMap((ev) => e.push(ev)), ...e.end()];
}

function fold(events: StreamEvent[]) {
  const agg = new ResponseAggregator();
  for (const ev of events) agg.push(ev);
  return { res: { ...agg.result(), created: 0 }, error: agg.error };
}

const payloads = (events: SseEvent[]) => events.map((e) => JSON.parse(e.data) as Record<string, any>);

describe('anthropic stream decoder', () => {
  it('decodes a real thinking + text + tool_use stream', () => {
    const events = decodeAll(sseFixture('stream-tool-use.sse'));
    expect(events).toEqual([
      { type: 'message-start', id: 'msg_01XFDUDYJgAACzvnptvVoYEL', model: 'claude-opus-4-7', usage: { inputTokens: 2572, outputTokens: 2, cachedInputTokens: 2000, cacheWriteTokens: 100 } },
      { type: 'reasoning-start', id: '0', family: 'anthropic' },
      { type: 'reasoning-delta', id: '0', text: 'The user wants the weather. ' },
      { type: 'reasoning-delta', id: '0', text: 'I will call get_weather.' },
      { type: 'reasoning-signature', id: '0', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds' },
      { type: 'reasoning-end', id: '0' },
      { type: 'text-start', id: '1' },
      { type: 'text-delta', id: '1', text: "Okay, let's check" },
      { type: 'text-delta', id: '1', text: ' the weather.' },
      { type: 'text-end', id: '1' },
      { type: 'tool-call-start', id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather' },
      { type: 'tool-call-delta', id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', argumentsDelta: '{"location":' },
      { type: 'tool-call-delta', id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', argumentsDelta: ' "San Francisco, CA"}' },
      { type: 'tool-call-end', id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6' },
      { type: 'finish', reason: 'tool-calls', rawReason: 'tool_use', usage: { inputTokens: 2572, outputTokens: 89, cachedInputTokens: 2000, cacheWriteTokens: 100 } },
    ]);
  });

  it('turns an error frame into a canonical error with a status, and nothing after', () => {
    const d = anthropicCodec.createStreamDecoder();
    d.push({ event: 'message_start', data: '{"type":"message_start","message":{"id":"msg_1","model":"m","usage":{"input_tokens":1,"output_tokens":0}}}' });
    expect(d.push({ event: 'error', data: '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}' })).toEqual([
      { type: 'error', error: { message: 'Overloaded', code: 'overloaded_error', status: 529 } },
    ]);
    expect(d.end()).toEqual([]);
  });

  it('synthesises closing events and one finish when the upstream stops abruptly', () => {
    const events = decodeAll([
      { event: 'message_start', data: '{"type":"message_start","message":{"id":"msg_1","model":"m","usage":{"input_tokens":3,"output_tokens":0}}}' },
      { event: 'content_block_start', data: '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}' },
      { event: 'content_block_delta', data: '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"par"}}' },
      { data: '[DONE]' },
    ]);
    expect(events.slice(-2)).toEqual([{ type: 'text-end', id: '0' }, { type: 'finish', reason: 'stop', usage: { inputTokens: 3, outputTokens: 0 } }]);
    expect(events.filter((e) => e.type === 'finish')).toHaveLength(1);
  });

  it('skips server tool blocks and pings', () => {
    const events = decodeAll([
      { event: 'ping', data: '{"type":"ping"}' },
      { event: 'content_block_start', data: '{"type":"content_block_start","index":0,"content_block":{"type":"server_tool_use","id":"srv","name":"web_search","input":{}}}' },
      { event: 'content_block_delta', data: '{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{}"}}' },
      { event: 'content_block_stop', data: '{"type":"content_block_stop","index":0}' },
      { event: 'message_stop', data: '{"type":"message_stop"}' },
    ]);
    expect(events).toEqual([{ type: 'message-start', id: '', model: '' }, { type: 'finish', reason: 'stop' }]);
  });
});

describe('anthropic stream encoder', () => {
  it('emits the exact SDK event sequence with event names', () => {
    const out = encodeAll([
      { type: 'message-start', id: 'chatcmpl-9', model: 'gpt', usage: { inputTokens: 10, outputTokens: 0 } },
      { type: 'reasoning-start', id: 'r', family: 'anthropic' },
      { type: 'reasoning-delta', id: 'r', text: 'hmm' },
      { type: 'reasoning-signature', id: 'r', signature: 'SIG' },
      { type: 'reasoning-end', id: 'r' },
      { type: 'text-start', id: 't' },
      { type: 'text-delta', id: 't', text: 'Hi' },
      { type: 'text-end', id: 't' },
      { type: 'tool-call-start', id: 'call_1', name: 'f' },
      { type: 'tool-call-delta', id: 'call_1', argumentsDelta: '{"a":' },
      { type: 'tool-call-delta', id: 'call_1', argumentsDelta: '1}' },
      { type: 'tool-call-end', id: 'call_1' },
      { type: 'finish', reason: 'tool-calls', usage: { inputTokens: 10, outputTokens: 7 } },
    ]);
    expect(out.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop',
      'content_block_start', 'content_block_delta', 'content_block_stop',
      'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop',
      'message_delta', 'message_stop',
    ]);
    const p = payloads(out);
    expect(p.every((x, i) => x.type === out[i]!.event)).toBe(true);
    expect(p[0]).toEqual({
      type: 'message_start',
      message: {
        id: 'msg_chatcmpl-9', type: 'message', role: 'assistant', content: [], model: 'claude-opus-4-7', stop_reason: null, stop_sequence: null,
        usage: { input_tokens: 10, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      },
    });
    expect(p[1]).toEqual({ type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } });
    expect(p[3]).toEqual({ type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'SIG' } });
    expect(p[8]).toEqual({ type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'call_1', name: 'f', input: {} } });
    expect(p[9]).toEqual({ type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{"a":' } });
    expect(p[12]).toEqual({ type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { input_tokens: 10, output_tokens: 7, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 } });
  });

  it('serialises interleaved tool calls: one open block at a time, buffered deltas flushed in order', () => {
    const out = encodeAll([
      { type: 'message-start', id: 'x', model: 'm' },
      { type: 'tool-call-start', id: 'a', name: 'fa' },
      { type: 'tool-call-start', id: 'b', name: 'fb' },
      { type: 'tool-call-delta', id: 'b', argumentsDelta: '{"b":' },
      { type: 'tool-call-delta', id: 'a', argumentsDelta: '{"a":1}' },
      { type: 'tool-call-delta', id: 'b', argumentsDelta: '2}' },
      { type: 'tool-call-end', id: 'b' },
      { type: 'tool-call-end', id: 'a' },
      { type: 'finish', reason: 'tool-calls' },
    ]);
    const p = payloads(out).slice(1, -2);
    expect(p).toEqual([
      { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'a', name: 'fa', input: {} } },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"a":1}' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'b', name: 'fb', input: {} } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"b":' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '2}' } },
      { type: 'content_block_stop', index: 1 },
    ]);
  });

  it('ends with an error event and nothing after it', () => {
    const e = anthropicCodec.createStreamEncoder({ model: 'm' });
    e.push({ type: 'message-start', id: 'x', model: 'm' });
    e.push({ type: 'text-start', id: 't' });
    const err = e.push({ type: 'error', error: { message: 'slow down', status: 429 } });
    expect(err).toEqual([{ event: 'error', data: JSON.stringify({ type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } }) }]);
    expect(e.push({ type: 'text-delta', id: 't', text: 'x' })).toEqual([]);
    expect(e.end()).toEqual([]);
  });

  it('closes open blocks and completes the message when the canonical stream just ends', () => {
    const out = encodeAll([{ type: 'text-delta', id: 't', text: 'orphan' }]);
    expect(out.map((e) => e.event)).toEqual(['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
  });

  it('opens foreign reasoning only once it has text, and never forwards foreign signatures', () => {
    const out = encodeAll([
      { type: 'reasoning-start', id: 'e', family: 'openai' },
      { type: 'reasoning-signature', id: 'e', signature: 'enc' },
      { type: 'reasoning-end', id: 'e' },
      { type: 'reasoning-start', id: 'g', family: 'gemini' },
      { type: 'reasoning-delta', id: 'g', text: 'think' },
      { type: 'reasoning-signature', id: 'g', signature: 'gsig' },
      { type: 'reasoning-end', id: 'g' },
      { type: 'finish', reason: 'stop' },
    ]);
    expect(payloads(out).slice(1, -2)).toEqual([
      { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'think' } },
      { type: 'content_block_stop', index: 0 },
    ]);
  });
});

/** What survives an Anthropic stream round trip: Anthropic reasoning as is, `stop` with tool calls reads as tool-calls. */
function expectedAfterRoundTrip(events: StreamEvent[]) {
  const { res, error } = fold(events);
  const hasTool = res.content.some((p: AssistantPart) => p.type === 'tool-call');
  return clean({
    content: res.content,
    finishReason: res.finishReason === 'stop' && hasTool ? 'tool-calls' : res.finishReason,
    usage: res.usage ?? { inputTokens: 0, outputTokens: 0 },
    error: error && { message: error.message, code: error.code },
  });
}

describe('anthropic stream properties', () => {
  it('encode → decode preserves the folded response (interleaved blocks, usage, errors)', () => {
    fc.assert(
      fc.property(canonicalStream(true), (events) => {
        const back = fold(decodeAll(encodeAll(events)));
        const got = clean({
          content: back.res.content,
          finishReason: back.res.finishReason,
          usage: back.res.usage ?? { inputTokens: 0, outputTokens: 0 },
          error: back.error && { message: back.error.message, code: back.error.code },
        });
        const want = expectedAfterRoundTrip(events);
        if (want.error) {
          expect(got.error).toEqual(want.error);
          return; // content after an error is not meaningful
        }
        expect(got).toEqual(want);
      }),
      { numRuns: 300 },
    );
  });

  it('decode → encode → decode is stable for Anthropic streams', () => {
    fc.assert(
      fc.property(canonicalStream(true), (events) => {
        const wire = encodeAll(events);
        const once = fold(decodeAll(wire));
        const twice = fold(decodeAll(encodeAll(decodeAll(wire))));
        expect(clean(twice)).toEqual(clean(once));
      }),
      { numRuns: 200 },
    );
  });

  it('every encoded stream is well-formed Anthropic SSE, whatever the canonical input', () => {
    fc.assert(
      fc.property(fc.oneof(canonicalStream(false), anyStreamEvents), (events) => {
        const out = encodeAll(events);
        let open: number | undefined;
        let next = 0;
        let ended = false;
        for (const [i, p] of payloads(out).entries()) {
          expect(ended).toBe(false);
          expect(p.type).toBe(out[i]!.event);
          if (i === 0) expect(['message_start', 'error']).toContain(p.type);
          if (p.type === 'content_block_start') {
            expect(open).toBeUndefined();
            expect(p.index).toBe(next++);
            open = p.index;
          } else if (p.type === 'content_block_delta') expect(p.index).toBe(open);
          else if (p.type === 'content_block_stop') {
            expect(p.index).toBe(open);
            open = undefined;
          } else if (p.type === 'message_delta') expect(open).toBeUndefined();
          else if (p.type === 'message_stop' || p.type === 'error') ended = true;
        }
        expect(ended).toBe(true);
        decodeAll(out);
      }),
      { numRuns: 400 },
    );
  });

  it('the decoder survives arbitrary frames', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ event: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }), data: fc.oneof(fc.string(), fc.json()) }), { maxLength: 20 }), (frames) => {
        const evs = decodeAll(frames);
        expect(evs.filter((e) => e.type === 'finish' || e.type === 'error').length).toBeLessThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  });
});
