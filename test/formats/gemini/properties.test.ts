import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { geminiCodec } from '../../../src/formats/gemini/index.js';
import { ResponseAggregator, responseToEvents } from '../../../src/formats/shared/aggregate.js';
import type { CanonicalResponse, StreamEvent } from '../../../src/ir/index.js';
import type { SseEvent } from '../../../src/formats/types.js';
import {
  canonicalRequestArb,
  canonicalResponseArb,
  geminiRequestArb,
  geminiResponseArb,
  streamEventsArb,
} from './arbitraries.js';

const RUNS = { numRuns: Number(process.env.FC_RUNS ?? 200) };

function fold(events: StreamEvent[]): CanonicalResponse {
  const agg = new ResponseAggregator();
  for (const e of events) agg.push(e);
  const res = agg.result();
  // Adjacent text blocks are one text on Gemini's wire (it has no block boundaries).
  const content: CanonicalResponse['content'] = [];
  for (const p of res.content) {
    const last = content[content.length - 1];
    if (p.type === 'text' && last?.type === 'text') last.text += p.text;
    else content.push(p.type === 'text' ? { ...p } : p);
  }
  return { ...res, content, created: 0 };
}

function pipe(events: StreamEvent[], model: string): StreamEvent[] {
  const enc = geminiCodec.createStreamEncoder({ model });
  const sse: SseEvent[] = [...events.flatMap((e) => enc.push(e)), ...enc.end()];
  const dec = geminiCodec.createStreamDecoder();
  return [...sse.flatMap((e) => dec.push(e)), ...dec.end()];
}

describe('gemini codec properties: meaning survives a round trip', () => {
  it('request: decode(encode(decode(x))) == decode(x)', () => {
    fc.assert(
      fc.property(geminiRequestArb, fc.constantFrom('gemini-2.0-flash', 'gemini-3-flash-preview'), (body, model) => {
        const first = geminiCodec.decodeRequest(structuredClone(body));
        const wire = geminiCodec.encodeRequest(first, model);
        const second = geminiCodec.decodeRequest(JSON.parse(JSON.stringify(wire)));
        // thinkingLevel only exists on Gemini 3; on 2.5 the level travels as its table budget.
        if (!model.startsWith('gemini-3') && first.reasoning?.effort && first.reasoning.budgetTokens === undefined) {
          expect(second.reasoning?.budgetTokens).toBeDefined();
          second.reasoning = { ...second.reasoning };
          delete second.reasoning.budgetTokens;
          second.reasoning.effort = first.reasoning.effort;
        }
        expect(second).toEqual(first);
      }),
      RUNS,
    );
  });

  it('response: decode(encode(decode(x))) == decode(x)', () => {
    fc.assert(
      fc.property(geminiResponseArb, (body) => {
        const first = geminiCodec.decodeResponse(structuredClone(body));
        const second = geminiCodec.decodeResponse(JSON.parse(JSON.stringify(geminiCodec.encodeResponse(first, { model: first.model }))));
        expect({ ...second, created: 0 }).toEqual({ ...first, created: 0 });
      }),
      RUNS,
    );
  });

  it('stream: events → gemini SSE → events fold to the same response', () => {
    fc.assert(
      fc.property(geminiResponseArb, (body) => {
        // Canonical streams have no image event, so images are left out of this comparison.
        const cand = (body.candidates as Array<{ content: { parts: Array<Record<string, unknown>> } }>)[0]!;
        cand.content.parts = cand.content.parts.filter((p) => !p.inlineData);
        const res = geminiCodec.decodeResponse(body);
        const events = responseToEvents(res);
        const back = pipe(events, res.model);
        expect(back.filter((e) => e.type === 'finish')).toHaveLength(1);
        expect(fold(back)).toEqual(fold(events));
      }),
      RUNS,
    );
  });
});

describe('gemini codec properties: every direction survives well-typed input', () => {
  it('encodeRequest / decodeRequest on arbitrary canonical requests', () => {
    fc.assert(
      fc.property(canonicalRequestArb, (req) => {
        const wire = geminiCodec.encodeRequest(req, req.model || 'gemini-2.5-pro');
        const json = JSON.parse(JSON.stringify(wire)) as Record<string, unknown>;
        const back = geminiCodec.decodeRequest(json);
        // Tool calls keep their names and count; results stay paired with a call or keep their own id.
        const calls = req.messages.flatMap((m) => (m.role === 'assistant' ? m.content.filter((p) => p.type === 'tool-call') : []));
        const backCalls = back.messages.flatMap((m) => (m.role === 'assistant' ? m.content.filter((p) => p.type === 'tool-call') : []));
        expect(backCalls.map((c) => c.name)).toEqual(calls.map((c) => c.name));
      }),
      RUNS,
    );
  });

  it('encodeResponse / decodeResponse on arbitrary canonical responses', () => {
    fc.assert(
      fc.property(canonicalResponseArb, (res) => {
        const wire = geminiCodec.encodeResponse(res, { model: 'gemini-2.5-pro' });
        const back = geminiCodec.decodeResponse(JSON.parse(JSON.stringify(wire)));
        expect(back.finishReason === res.finishReason || ['error', 'other'].includes(res.finishReason) || res.finishReason === 'tool-calls' || back.finishReason === 'tool-calls').toBe(true);
      }),
      RUNS,
    );
  });

  it('stream encoder on arbitrary event sequences: valid JSON, last chunk carries finishReason', () => {
    fc.assert(
      fc.property(streamEventsArb, (events) => {
        const enc = geminiCodec.createStreamEncoder({ model: 'm' });
        const out = [...events.flatMap((e) => enc.push(e)), ...enc.end()];
        expect(out.length).toBeGreaterThan(0);
        const last = JSON.parse(out.at(-1)!.data) as { error?: unknown; candidates?: Array<{ finishReason?: string }> };
        if (!last.error) expect(last.candidates?.[0]?.finishReason).toBeTruthy();
        const errors = out.filter((e) => e.data.startsWith('{"error"'));
        expect(errors.length).toBeLessThanOrEqual(1);
        if (errors.length) expect(out.at(-1)).toBe(errors[0]);
        // And our own decoder reads it back with exactly one finish or one error.
        const dec = geminiCodec.createStreamDecoder();
        const back = [...out.flatMap((e) => dec.push(e)), ...dec.end()];
        expect(back.filter((e) => e.type === 'finish' || e.type === 'error')).toHaveLength(1);
      }),
      RUNS,
    );
  });

  it('stream decoder on arbitrary data frames never throws and finishes once', () => {
    const frame = fc.oneof(
      fc.string(),
      fc.json(),
      geminiResponseArb.map((b) => JSON.stringify(b)),
      fc.constant('[DONE]'),
      fc.constant('{"error":{"code":500}}'),
    );
    fc.assert(
      fc.property(fc.array(frame, { maxLength: 8 }), (frames) => {
        const dec = geminiCodec.createStreamDecoder();
        const out = [...frames.flatMap((data) => dec.push({ data })), ...dec.end()];
        expect(out.filter((e) => e.type === 'finish' || e.type === 'error')).toHaveLength(1);
        expect(dec.end()).toEqual([]);
      }),
      RUNS,
    );
  });

  it('decodeRequest never crashes on arbitrary JSON (only InvalidRequestError)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('contents', 'tools', 'generationConfig', 'systemInstruction', 'toolConfig', 'x'), fc.jsonValue({ maxDepth: 4 })), (body) => {
        try {
          geminiCodec.decodeRequest(body);
        } catch (e) {
          expect((e as Error).name).toBe('InvalidRequestError');
        }
      }),
      RUNS,
    );
  });
});
