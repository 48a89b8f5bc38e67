import type { StreamEvent, Usage } from '../../ir/index.js';
import type { EncodeContext, SseEvent, StreamEncoder } from '../types.js';
import { mergeUsage } from '../shared/aggregate.js';
import { randomId } from '../shared/ids.js';
import { geminiStatusName } from './errors.js';
import { encodeFinish, encodeUsage } from './finish.js';
import { parseArgs } from './parts.js';
import type { Json } from './wire.js';

/**
 * Canonical events → Gemini `streamGenerateContent` SSE chunks (`data: <GenerateContentResponse>`).
 * One chunk per text/thought delta; function calls are buffered and sent whole (Gemini never streams
 * arguments); the last chunk always carries `finishReason` and `usageMetadata`, which gemini-cli requires
 * (without it the stream is "invalid" and the turn is retried).
 */
export function createStreamEncoder(ctx: EncodeContext): StreamEncoder {
  return new GeminiStreamEncoder(ctx);
}

interface ReasoningState {
  gemini: boolean;
  hasText: boolean;
  signature: string;
}

interface CallState {
  name: string;
  signature?: string;
  args: string;
}

class GeminiStreamEncoder implements StreamEncoder {
  private responseId = `resp_${randomId(24)}`;
  private usage: Usage | undefined;
  private readonly reasoning = new Map<string, ReasoningState>();
  private readonly calls = new Map<string, CallState>();
  /** A signature from an empty reasoning block, to ride on the next part (where Gemini had it). */
  private pending: string | undefined;
  private closed = false;

  constructor(private readonly ctx: EncodeContext) {}

  push(ev: StreamEvent): SseEvent[] {
    if (this.closed) return [];
    const out: SseEvent[] = [];
    switch (ev.type) {
      case 'message-start':
        if (ev.id) this.responseId = ev.id;
        if (ev.usage) this.usage = ev.usage;
        break;
      case 'text-delta':
        if (ev.text || this.pending !== undefined) this.emit(out, [this.withPending({ text: ev.text })]);
        break;
      case 'reasoning-start':
        this.reasoning.set(ev.id, { gemini: ev.family === 'gemini', hasText: false, signature: '' });
        break;
      case 'reasoning-delta': {
        if (!ev.text) break;
        const r = this.reasoning.get(ev.id);
        if (r) r.hasText = true;
        this.flushPending(out);
        this.emit(out, [{ text: ev.text, thought: true }]);
        break;
      }
      case 'reasoning-signature': {
        const r = this.reasoning.get(ev.id);
        // Only Gemini's own signatures mean anything to a Gemini client.
        if (r?.gemini) r.signature += ev.signature;
        break;
      }
      case 'reasoning-end': {
        const r = this.reasoning.get(ev.id);
        this.reasoning.delete(ev.id);
        if (!r?.signature) break;
        if (r.hasText) this.emit(out, [{ text: '', thought: true, thoughtSignature: r.signature }]);
        else {
          this.flushPending(out);
          this.pending = r.signature;
        }
        break;
      }
      case 'tool-call-start': {
        const call: CallState = { name: ev.name, args: '' };
        if (ev.signature) call.signature = ev.signature;
        this.calls.set(ev.id, call);
        break;
      }
      case 'tool-call-delta': {
        const call = this.calls.get(ev.id);
        if (call) call.args += ev.argumentsDelta;
        break;
      }
      case 'tool-call-end':
        this.emitCall(ev.id, out);
        break;
      case 'usage':
        this.usage = mergeUsage(this.usage, ev.usage);
        break;
      case 'finish':
        if (ev.usage) this.usage = mergeUsage(this.usage, ev.usage);
        this.finish(out, encodeFinish(ev.reason, ev.rawReason));
        break;
      case 'error': {
        const code = ev.error.status ?? 500;
        out.push({ data: JSON.stringify({ error: { code, message: ev.error.message, status: geminiStatusName(code) } }) });
        this.closed = true;
        break;
      }
      case 'text-start':
      case 'text-end':
        break;
    }
    return out;
  }

  end(): SseEvent[] {
    if (this.closed) return [];
    const out: SseEvent[] = [];
    this.finish(out, 'STOP');
    return out;
  }

  private withPending(part: Json): Json {
    if (this.pending !== undefined) {
      part.thoughtSignature = this.pending;
      this.pending = undefined;
    }
    return part;
  }

  private flushPending(out: SseEvent[]): void {
    if (this.pending === undefined) return;
    this.emit(out, [{ text: '', thoughtSignature: this.pending }]);
    this.pending = undefined;
  }

  private emitCall(id: string, out: SseEvent[]): void {
    const call = this.calls.get(id);
    if (!call) return;
    this.calls.delete(id);
    // A pending signature sat on its own part (a call's own signature is on the call): keep it apart.
    this.flushPending(out);
    const part: Json = { functionCall: { id, name: call.name, args: parseArgs(call.args) } };
    if (call.signature) part.thoughtSignature = call.signature;
    this.emit(out, [part]);
  }

  /** Final chunk: any unfinished calls first, then finishReason + usageMetadata (required by clients). */
  private finish(out: SseEvent[], finishReason: string): void {
    for (const id of [...this.calls.keys()]) this.emitCall(id, out);
    const parts: Json[] = this.pending !== undefined ? [this.withPending({ text: '' })] : [{ text: '' }];
    const candidate = { content: { role: 'model', parts }, finishReason, index: 0 };
    out.push({
      data: JSON.stringify({
        candidates: [candidate],
        usageMetadata: encodeUsage(this.usage),
        modelVersion: this.ctx.model,
        responseId: this.responseId,
      }),
    });
    this.closed = true;
  }

  private emit(out: SseEvent[], parts: Json[]): void {
    out.push({
      data: JSON.stringify({
        candidates: [{ content: { role: 'model', parts }, index: 0 }],
        modelVersion: this.ctx.model,
        responseId: this.responseId,
      }),
    });
  }
}
