import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AssistantPart, CanonicalRequest, CanonicalResponse, Message, StreamEvent } from '../../../src/ir/index.js';
import { openAIChatCodec as codec } from '../../../src/formats/openai-chat/index.js';
import { ResponseAggregator, responseToEvents } from '../../../src/formats/shared/aggregate.js';
import { InvalidRequestError, type SseEvent } from '../../../src/formats/types.js';
import { canonicalRequest, canonicalResponse, chatRequest, chatResponse, eventSequence } from './arbitraries.js';

const RUNS = { numRuns: 150 };

/**
 * What chat can carry, in the shape a second decode produces: one system string, assistant text joined and
 * reasoning dropped (not sent back upstream), tool-result text joined, empty turns gone.
 */
function normalizeRequest(r: CanonicalRequest): unknown {
  const text = r.system.map((p) => p.text).filter(Boolean).join('\n\n');
  const messages: Message[] = [];
  for (const m of r.messages) {
    if (m.role === 'assistant') {
      const t = m.content.filter((p) => p.type === 'text').map((p) => (p as { text: string }).text).join('');
      const content: AssistantPart[] = t ? [{ type: 'text', text: t }] : [];
      content.push(...m.content.filter((p) => p.type === 'tool-call'));
      if (content.length > 0) messages.push({ role: 'assistant', content });
    } else {
      const content = m.content.map((p) => {
        if (p.type !== 'tool-result') return p;
        const joined = p.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
        return { ...p, content: joined ? [{ type: 'text' as const, text: joined }] : [] };
      });
      messages.push({ role: 'user', content });
    }
  }
  // Upstream streams always ask for usage (we report it), whatever the caller asked.
  return { ...r, includeUsage: undefined, system: text ? [{ type: 'text', text }] : [], messages };
}

function fold(events: StreamEvent[]): CanonicalResponse & { error?: unknown } {
  const agg = new ResponseAggregator();
  for (const e of events) agg.push(e);
  return { ...agg.result(), error: agg.error };
}

function decodeSse(events: SseEvent[]): StreamEvent[] {
  const dec = codec.createStreamDecoder();
  return [...events.flatMap((e) => dec.push(e)), ...dec.end()];
}

/** What survives a chat stream: text/reasoning text (adjacent blocks merged), tool calls; no images or signatures. */
function streamShape(r: CanonicalResponse): unknown {
  const parts: Array<Record<string, unknown>> = [];
  for (const p of r.content) {
    if (p.type === 'image' || ((p.type === 'text' || p.type === 'reasoning') && !p.text)) continue;
    const last = parts[parts.length - 1];
    if ((p.type === 'text' || p.type === 'reasoning') && last?.type === p.type) last.text += p.text;
    else if (p.type === 'text' || p.type === 'reasoning') parts.push({ type: p.type, text: p.text });
    else if (p.type === 'tool-call') parts.push({ type: p.type, id: p.id, name: p.name, arguments: p.arguments || '{}' });
  }
  const hasCalls = parts.some((p) => p.type === 'tool-call');
  let reason = r.finishReason;
  if (reason === 'error' || reason === 'other') reason = 'stop';
  if (reason === 'stop' && hasCalls) reason = 'tool-calls';
  const u = r.usage ?? { inputTokens: 0, outputTokens: 0 };
  const usage = JSON.parse(JSON.stringify({ ...u, cacheWriteTokens: undefined }));
  return { parts, reason, usage };
}

describe('openai-chat codec properties', () => {
  it('request: decode(encode(decode(x))) keeps the meaning of decode(x)', () => {
    fc.assert(
      fc.property(chatRequest, (body) => {
        const once = codec.decodeRequest(body);
        const twice = codec.decodeRequest(codec.encodeRequest(once, once.model));
        expect(normalizeRequest(twice)).toEqual(normalizeRequest(once));
      }),
      RUNS,
    );
  });

  it('response: decode(encode(decode(x))) equals decode(x)', () => {
    fc.assert(
      fc.property(chatResponse, (body) => {
        const once = codec.decodeResponse(body);
        const twice = codec.decodeResponse(codec.encodeResponse(once, { model: once.model }));
        expect({ ...twice, rawFinishReason: undefined }).toEqual({ ...once, rawFinishReason: undefined });
      }),
      RUNS,
    );
  });

  it('stream: canonical events survive chat encode + decode (folded)', () => {
    fc.assert(
      fc.property(canonicalResponse, (res) => {
        const enc = codec.createStreamEncoder({ model: 'm', includeUsage: true });
        const sse = [...responseToEvents(res).flatMap((e) => enc.push(e)), ...enc.end()];
        expect(sse[sse.length - 1]).toEqual({ data: '[DONE]' });
        const decoded = decodeSse(sse);
        expect(decoded.filter((e) => e.type === 'finish')).toHaveLength(1);
        const got = fold(decoded);
        expect(got.model).toBe('m');
        expect(streamShape(got)).toEqual(streamShape(res));
      }),
      RUNS,
    );
  });

  it('stream: stream and non-stream encodings of one response agree', () => {
    fc.assert(
      fc.property(chatResponse, (body) => {
        const res = codec.decodeResponse(body);
        const enc = codec.createStreamEncoder({ model: res.model, includeUsage: true });
        const viaStream = fold(decodeSse([...responseToEvents(res).flatMap((e) => enc.push(e)), ...enc.end()]));
        expect(streamShape(viaStream)).toEqual(streamShape(res));
      }),
      RUNS,
    );
  });

  it('encodeRequest survives any canonical request and produces a decodable chat body', () => {
    fc.assert(
      fc.property(canonicalRequest, (req) => {
        const body = codec.encodeRequest(req, 'target');
        expect(body.model).toBe('target');
        const msgs = body.messages as Array<Record<string, unknown>>;
        // Every tool message directly follows the assistant message holding its call (or another tool message).
        msgs.forEach((m, i) => {
          if (m.role !== 'tool') return;
          const prev = msgs[i - 1];
          expect(prev.role === 'tool' || (prev.role === 'assistant' && Array.isArray(prev.tool_calls))).toBe(true);
        });
        const back = codec.decodeRequest(JSON.parse(JSON.stringify(body)));
        expect(back.stream).toBe(req.stream);
      }),
      RUNS,
    );
  });

  it('encodeResponse / decodeResponse survive any canonical response', () => {
    fc.assert(
      fc.property(canonicalResponse, (res) => {
        const body = codec.encodeResponse(res, { model: 'x' });
        const back = codec.decodeResponse(JSON.parse(JSON.stringify(body)));
        expect(back.content.filter((p) => p.type === 'tool-call').map((p) => (p as { id: string }).id)).toEqual(
          res.content.filter((p) => p.type === 'tool-call').map((p) => (p as { id: string }).id),
        );
      }),
      RUNS,
    );
  });

  it('stream encoder survives arbitrary event sequences and always terminates the stream', () => {
    fc.assert(
      fc.property(eventSequence, fc.boolean(), (events, includeUsage) => {
        const enc = codec.createStreamEncoder({ model: 'm', includeUsage });
        const sse = [...events.flatMap((e) => enc.push(e)), ...enc.end()];
        const last = sse[sse.length - 1];
        const errored = events.findIndex((e) => e.type === 'error');
        const finished = events.findIndex((e) => e.type === 'finish');
        if (errored >= 0 && (finished < 0 || errored < finished)) expect(JSON.parse(last.data).error).toBeDefined();
        else expect(last).toEqual({ data: '[DONE]' });
        expect(sse.filter((e) => e.data === '[DONE]').length).toBeLessThanOrEqual(1);
        const decoded = decodeSse(sse);
        expect(decoded.filter((e) => e.type === 'finish' || e.type === 'error')).toHaveLength(1);
      }),
      RUNS,
    );
  });

  it('stream decoder survives arbitrary chunk-shaped input and emits exactly one finish or error', () => {
    const delta = fc.record(
      {
        role: fc.constant('assistant'),
        content: fc.oneof(fc.string(), fc.constant(null)),
        reasoning_content: fc.string(),
        tool_calls: fc.array(
          fc.record(
            { index: fc.nat(3), id: fc.constantFrom('x', 'y'), function: fc.record({ name: fc.constantFrom('f', 'g'), arguments: fc.string() }, { requiredKeys: [] }) },
            { requiredKeys: [] },
          ),
          { maxLength: 3 },
        ),
      },
      { requiredKeys: [] },
    );
    const chunk = fc.oneof(
      fc.record({ id: fc.string(), choices: fc.array(fc.record({ index: fc.constant(0), delta, finish_reason: fc.constantFrom(null, 'stop', 'length', 'tool_calls', 'x') }), { maxLength: 1 }) }).map((c) => JSON.stringify(c)),
      fc.constant('[DONE]'),
      fc.constant('{"error":{"message":"boom","type":"server_error","code":null}}'),
      fc.string(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
    );
    fc.assert(
      fc.property(fc.array(chunk, { maxLength: 20 }), (datas) => {
        const events = decodeSse(datas.map((data) => ({ data })));
        expect(events.filter((e) => e.type === 'finish' || e.type === 'error')).toHaveLength(1);
        fold(events);
      }),
      RUNS,
    );
  });

  it('decodeRequest either decodes or throws InvalidRequestError on arbitrary JSON', () => {
    const message = fc.oneof(
      fc.record({ role: fc.constantFrom('system', 'user', 'assistant', 'tool', 'function', 'developer'), content: fc.jsonValue(), tool_calls: fc.jsonValue(), tool_call_id: fc.jsonValue() }, { requiredKeys: ['role'] }),
      fc.jsonValue(),
    );
    const body = fc.record(
      {
        model: fc.jsonValue(),
        messages: fc.oneof(fc.array(message, { maxLength: 4 }), fc.jsonValue()),
        tools: fc.jsonValue(),
        tool_choice: fc.jsonValue(),
        stop: fc.jsonValue(),
        response_format: fc.jsonValue(),
        reasoning_effort: fc.jsonValue(),
        thinking: fc.jsonValue(),
        temperature: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(body, (b) => {
        try {
          codec.decodeRequest(b as Record<string, unknown>);
        } catch (e) {
          expect(e).toBeInstanceOf(InvalidRequestError);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('decodeResponse never throws on chat-shaped bodies with odd fields', () => {
    fc.assert(
      fc.property(fc.record({ id: fc.jsonValue(), choices: fc.jsonValue(), usage: fc.jsonValue(), model: fc.jsonValue() }, { requiredKeys: [] }), (b) => {
        codec.decodeResponse(b as Record<string, unknown>);
      }),
      RUNS,
    );
  });
});
