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
import { latin1View, restoreModelNames } from './model-name.js';
import { estimateTokens } from './estimate-tokens.js';
import type { InboundCall, Success } from './call-types.js';
import { sendError } from './errors.js';

/** Writing a served call back to the caller: pass-through and translated streams, local token counts, JSON. */
export function pipePassthrough(
  call: InboundCall,
  primed: NonNullable<Success['primed']>,
  writer: SseWriter,
  signal: Cancellation,
): Promise<void> {
  const view = primed.view === true;
  const sink = callerSink(call, writer, view);
  const model = view ? latin1View(call.model) : call.model;
  // Same format: the upstream's events go out as they are, with the caller's model name restored.
  const emit = (batch: SseEvent[]): boolean => {
    for (let i = 0; i < batch.length; i++) {
      const ev = batch[i]!;
      const data = restoreModelNames(ev.data, model);
      if (data !== ev.data) batch[i] = ev.raw ? { data, raw: true } : ev.event ? { event: ev.event, data } : { data };
    }
    return sink.emit(batch);
  };
  writer.start();
  return pump(primed, emit, writer, signal, (err) => {
    if (err && !signal.aborted) writer.send([streamErrorEvent(call.format, 502, `upstream stream failed: ${err.message}`)]);
    sink.close();
  });
}

export function pipeTranslated(
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
  writer.start();
  if (!ok.primed) {
    const res = upstreamCodec.decodeResponse(ok.json ?? {});
    const out: SseEvent[] = [];
    for (const ce of responseToEvents(res)) for (const o of encoder.push(ce)) out.push(o);
    for (const o of encoder.end()) out.push(o);
    sink.emit(out);
    sink.close();
    return Promise.resolve();
  }
  const decoder = upstreamCodec.createStreamDecoder();
  const translate = (batch: SseEvent[]): boolean => {
    const out: SseEvent[] = [];
    for (const ev of batch) for (const ce of decoder.push(ev)) for (const o of encoder.push(ce)) out.push(o);
    return sink.emit(out);
  };
  return pump(ok.primed, translate, writer, signal, (err) => {
    if (signal.aborted) return sink.close();
    const out: SseEvent[] = [];
    if (err) for (const o of encoder.push({ type: 'error', error: { message: `upstream stream failed: ${err.message}`, status: 502 } })) out.push(o);
    else for (const ce of decoder.end()) for (const o of encoder.push(ce)) out.push(o);
    for (const o of encoder.end()) out.push(o);
    sink.emit(out);
    sink.close();
  });
}

/**
 * Drive a primed upstream stream into the caller, push-style: each batch is written the moment it is parsed
 * (no promise per event), the upstream pauses while the caller's socket is full, and `finish` runs once at the
 * end (with the error if the upstream failed, or nothing after a client abort was noticed).
 */
function pump(
  primed: NonNullable<Success['primed']>,
  emit: (batch: SseEvent[]) => boolean,
  writer: SseWriter,
  signal: Cancellation,
  finish: (err?: Error) => void,
): Promise<void> {
  return new Promise((resolve) => {
    const end = (err?: Error) => {
      try {
        finish(err);
      } finally {
        resolve();
      }
    };
    let first = true;
    const onBatch = (batch: SseEvent[]): boolean => {
      if (signal.aborted) return true;
      if (emit(batch)) return true;
      writer.onDrain(() => primed.rest.resumePipe());
      return false;
    };
    if (!onBatch(primed.first)) {
      // The socket is full already: start piping once it drains.
      first = false;
      writer.onDrain(() => primed.rest.pipe(onBatch, end));
    }
    if (first) primed.rest.pipe(onBatch, end);
  });
}

/**
 * Where a caller's stream events go: SSE frames, or for Gemini's `alt=json` one JSON array written element by
 * element; the legacy-completions reshaping (`transformChunk`) applies on the way. `emit` returns false when
 * the caller's socket is full. `view`: the events are latin1 views of upstream bytes (no reshaping applies then).
 */
function callerSink(call: InboundCall, writer: SseWriter, view = false): { emit(events: SseEvent[]): boolean; close(): void } {
  const jsonArray = call.format === 'gemini' && call.geminiAlt === 'json';
  let wroteArrayItem = false;
  return {
    emit(events) {
      if (events.length === 0) return true;
      if (jsonArray) {
        let text = '';
        for (const ev of events) {
          text += (wroteArrayItem ? ',\n' : '[') + ev.data;
          wroteArrayItem = true;
        }
        return writer.sendRaw(text, view);
      }
      if (!call.transformChunk) return writer.send(events, view);
      const out: SseEvent[] = [];
      for (const ev of events) {
        const t = call.transformChunk(ev);
        if (t) out.push(t);
      }
      return writer.send(out);
    },
    close() {
      if (jsonArray) writer.sendRaw(wroteArrayItem ? ']' : '[]');
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

