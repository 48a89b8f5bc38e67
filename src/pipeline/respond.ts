import type { Cancellation } from '../util/cancel.js';
import type { ServerResponse } from 'node:http';
import type { CanonicalRequest } from '../ir/index.js';
import type { SseEvent } from '../formats/types.js';
import { InvalidRequestError } from '../formats/types.js';
import { codecFor } from '../formats/index.js';
import { streamErrorEvent } from '../formats/stream-errors.js';
import { responseToEvents } from '../formats/shared/aggregate.js';
import { SseWriter } from '../server/sse.js';
import { sendJson } from '../server/respond.js';
import { restoreModelNames } from './model-name.js';
import { estimateTokens } from './estimate-tokens.js';
import type { InboundCall, Success } from './call-types.js';
import { sendError } from './errors.js';

/** Writing a served call back to the caller: pass-through and translated streams, local token counts, JSON. */
export async function pipePassthrough(
  call: InboundCall,
  primed: NonNullable<Success['primed']>,
  writer: SseWriter,
  signal: Cancellation,
): Promise<void> {
  const sink = callerSink(call, writer);
  // Same format: the upstream's events go out as they are, with the caller's model name restored.
  const emit = (batch: SseEvent[]) =>
    sink.emit(batch.map((ev) => {
      const data = restoreModelNames(ev.data, call.model);
      return ev.event ? { event: ev.event, data } : { data };
    }));
  writer.start();
  try {
    await emit(primed.first);
    for await (const batch of primed.rest) {
      if (signal.aborted) break;
      await emit(batch);
    }
  } catch (err) {
    if (!signal.aborted) await writer.write([streamErrorEvent(call.format, 502, `upstream stream failed: ${(err as Error).message}`)]);
  } finally {
    await sink.close();
  }
}

export async function pipeTranslated(
  call: InboundCall,
  ok: Success,
  writer: SseWriter,
  toCanonical: () => CanonicalRequest,
  signal: Cancellation,
): Promise<void> {
  const upstreamCodec = codecFor(ok.executor.format);
  const clientCodec = codecFor(call.format);
  const request = toCanonical();
  const encoder = clientCodec.createStreamEncoder({ model: call.model, includeUsage: request.includeUsage, request });
  const sink = callerSink(call, writer);
  const emit = (events: SseEvent[]) => sink.emit(events);
  writer.start();
  try {
    if (ok.primed) {
      const decoder = upstreamCodec.createStreamDecoder();
      const translate = (batch: SseEvent[]): SseEvent[] => {
        const out: SseEvent[] = [];
        for (const ev of batch) for (const ce of decoder.push(ev)) for (const o of encoder.push(ce)) out.push(o);
        return out;
      };
      try {
        await emit(translate(ok.primed.first));
        for await (const batch of ok.primed.rest) {
          if (signal.aborted) return;
          await emit(translate(batch));
        }
        const tail: SseEvent[] = [];
        for (const ce of decoder.end()) for (const o of encoder.push(ce)) tail.push(o);
        await emit(tail);
      } catch (err) {
        if (signal.aborted) return;
        const out: SseEvent[] = [];
        for (const o of encoder.push({ type: 'error', error: { message: `upstream stream failed: ${(err as Error).message}`, status: 502 } })) out.push(o);
        await emit(out);
      }
    } else {
      const res = upstreamCodec.decodeResponse(ok.json ?? {});
      const out: SseEvent[] = [];
      for (const ce of responseToEvents(res)) for (const o of encoder.push(ce)) out.push(o);
      await emit(out);
    }
    await emit(encoder.end());
  } finally {
    await sink.close();
  }
}

/**
 * Where a caller's stream events go: SSE frames, or for Gemini's `alt=json` one JSON array written element by
 * element; the legacy-completions reshaping (`transformChunk`) applies on the way.
 */
function callerSink(call: InboundCall, writer: SseWriter): { emit(events: SseEvent[]): Promise<void>; close(): Promise<void> } {
  const jsonArray = call.format === 'gemini' && call.geminiAlt === 'json';
  let wroteArrayItem = false;
  return {
    async emit(events) {
      if (events.length === 0) return;
      if (jsonArray) {
        let text = '';
        for (const ev of events) {
          text += (wroteArrayItem ? ',\n' : '[') + ev.data;
          wroteArrayItem = true;
        }
        return writer.writeRaw(text);
      }
      if (!call.transformChunk) return writer.write(events);
      const out: SseEvent[] = [];
      for (const ev of events) {
        const t = call.transformChunk(ev);
        if (t) out.push(t);
      }
      return writer.write(out);
    },
    async close() {
      if (jsonArray) await writer.writeRaw(wroteArrayItem ? ']' : '[]');
      writer.end();
    },
  };
}

export function serveLocalCount(call: InboundCall, res: ServerResponse, toCanonical: () => CanonicalRequest): void {
  let tokens: number;
  try {
    tokens = estimateTokens(toCanonical());
  } catch (err) {
    if (err instanceof InvalidRequestError) return sendError(res, call.format, 400, err.message);
    throw err;
  }
  if (call.format === 'gemini') return sendJson(res, 200, { totalTokens: tokens, promptTokensDetails: [{ modality: 'TEXT', tokenCount: tokens }] });
  return sendJson(res, 200, { input_tokens: tokens });
}

export function looksLikeJson(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    return c === 0x7b /* { */ || c === 0x5b /* [ */;
  }
  return false;
}

export function safeParseObject(text: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    if (Array.isArray(v) && v.length > 0 && typeof v[0] === 'object') return v[0] as Record<string, unknown>;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

