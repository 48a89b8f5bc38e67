import type { FinishReason, StreamEvent, Usage } from '../../ir/index.js';
import type { SseEvent, StreamDecoder } from '../types.js';
import { randomId } from '../shared/ids.js';
import { decodeFinish, decodeUsage } from './finish.js';
import { codePartText, realSignature } from './parts.js';
import { responseCallId, unwrapResponse } from './response.js';
import { field, isObj, num, str, type Json } from './wire.js';

/**
 * Gemini `streamGenerateContent` → canonical events. Every SSE `data` is a whole GenerateContentResponse
 * (no `[DONE]`); text and thought parts are deltas, function calls arrive complete. The finish (with the
 * last usageMetadata seen) is emitted once the upstream closes, because usage may follow the finishReason.
 */
export function createStreamDecoder(): StreamDecoder {
  return new GeminiStreamDecoder();
}

interface OpenBlock {
  kind: 'text' | 'reasoning';
  id: string;
  /** Reasoning blocks are closed for further thought text once a signature arrives. */
  signed: boolean;
}

class GeminiStreamDecoder implements StreamDecoder {
  private started = false;
  private open: OpenBlock | undefined;
  private counter = 0;
  private usage: Usage | undefined;
  private rawFinish: string | undefined;
  private sawFinish = false;
  private sawToolCall = false;
  private done = false;

  push(event: SseEvent): StreamEvent[] {
    if (this.done) return [];
    const data = event.data.trim();
    if (!data || data === '[DONE]') return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      parsed = parseJsonArrayFragment(data);
      if (parsed === undefined) return [];
    }
    const out: StreamEvent[] = [];
    if (Array.isArray(parsed)) {
      for (const chunk of parsed) if (isObj(chunk) && !this.done) this.chunk(chunk, out);
    } else if (isObj(parsed)) this.chunk(parsed, out);
    return out;
  }

  end(): StreamEvent[] {
    if (this.done) return [];
    this.done = true;
    const out: StreamEvent[] = [];
    if (!this.started) out.push({ type: 'message-start', id: `resp_${randomId(24)}`, model: '' });
    this.close(out);
    let reason: FinishReason;
    if (this.sawFinish) reason = decodeFinish(this.rawFinish, this.sawToolCall);
    else reason = this.sawToolCall ? 'tool-calls' : 'stop';
    const finish: StreamEvent = { type: 'finish', reason };
    if (this.rawFinish) finish.rawReason = this.rawFinish;
    if (this.usage) finish.usage = this.usage;
    out.push(finish);
    return out;
  }

  private chunk(raw: Json, out: StreamEvent[]): void {
    const err = raw.error;
    if (isObj(err)) {
      this.close(out);
      const code = num(err.code);
      const status = str(err.status);
      const error: { message: string; status?: number; code?: string } = { message: str(err.message) ?? JSON.stringify(err) };
      if (code !== undefined) error.status = code;
      if (status) error.code = status;
      out.push({ type: 'error', error });
      this.done = true;
      return;
    }
    const body = unwrapResponse(raw);
    if (!this.started) {
      this.started = true;
      out.push({
        type: 'message-start',
        id: str(field(body, 'responseId')) ?? `resp_${randomId(24)}`,
        model: str(field(body, 'modelVersion')) ?? '',
      });
    }
    const usage = decodeUsage(field(body, 'usageMetadata'));
    if (usage) this.usage = usage;

    const cand = Array.isArray(body.candidates) ? body.candidates.find(isObj) : undefined;
    if (!cand) {
      const feedback = field(body, 'promptFeedback');
      const block = isObj(feedback) ? str(field(feedback, 'blockReason')) : undefined;
      if (block) this.finishWith(block);
      return;
    }
    const content = isObj(cand.content) ? cand.content : undefined;
    if (content && Array.isArray(content.parts)) for (const p of content.parts) if (isObj(p)) this.part(p, out);
    const finish = str(field(cand, 'finishReason'));
    if (finish) this.finishWith(finish);
  }

  private finishWith(raw: string): void {
    this.sawFinish = true;
    this.rawFinish = raw;
  }

  private part(p: Json, out: StreamEvent[]): void {
    const sig = realSignature(field(p, 'thoughtSignature'));
    const fc = field(p, 'functionCall');
    if (isObj(fc)) {
      this.close(out);
      this.sawToolCall = true;
      const id = responseCallId(fc);
      const start: StreamEvent = { type: 'tool-call-start', id, name: str(fc.name) ?? '' };
      if (sig) start.signature = sig;
      out.push(
        start,
        { type: 'tool-call-delta', id, argumentsDelta: JSON.stringify(isObj(fc.args) ? fc.args : {}) },
        { type: 'tool-call-end', id },
      );
      return;
    }
    const text = str(p.text);
    if (p.thought === true) {
      if (!this.open || this.open.kind !== 'reasoning' || this.open.signed) {
        if (!text && !sig) return;
        this.openBlock('reasoning', out);
      }
      const block = this.open!;
      if (text) out.push({ type: 'reasoning-delta', id: block.id, text });
      if (sig) {
        out.push({ type: 'reasoning-signature', id: block.id, signature: sig });
        block.signed = true;
      }
      return;
    }
    if (sig) {
      // A signature on a non-thought part marks its position: an empty, signed reasoning block before it.
      this.openBlock('reasoning', out);
      out.push({ type: 'reasoning-signature', id: this.open!.id, signature: sig });
      this.close(out);
    }
    if (text !== undefined) {
      if (!text) return;
      if (this.open?.kind !== 'text') this.openBlock('text', out);
      out.push({ type: 'text-delta', id: this.open!.id, text });
      return;
    }
    const code = codePartText(p);
    if (code) this.text(code, out);
    // inlineData (generated images) has no canonical stream event; it is dropped here.
  }

  private text(text: string, out: StreamEvent[]): void {
    if (this.open?.kind !== 'text') this.openBlock('text', out);
    out.push({ type: 'text-delta', id: this.open!.id, text });
  }

  private openBlock(kind: 'text' | 'reasoning', out: StreamEvent[]): void {
    this.close(out);
    const id = String(this.counter++);
    this.open = { kind, id, signed: false };
    out.push(kind === 'text' ? { type: 'text-start', id } : { type: 'reasoning-start', id, family: 'gemini' });
  }

  private close(out: StreamEvent[]): void {
    if (!this.open) return;
    out.push({ type: this.open.kind === 'text' ? 'text-end' : 'reasoning-end', id: this.open.id });
    this.open = undefined;
  }
}

/**
 * `alt=json` streams are one JSON array written piecewise (`[{...}`, `,{...}`, `]`). When an event holds
 * such a fragment, strip the array punctuation and parse what is left (possibly several elements).
 */
function parseJsonArrayFragment(data: string): unknown {
  let s = data;
  if (s.startsWith('[') || s.startsWith(',')) s = s.slice(1);
  if (s.endsWith(']')) s = s.slice(0, -1);
  s = s.trim();
  if (s.endsWith(',')) s = s.slice(0, -1);
  if (!s) return undefined;
  try {
    return JSON.parse(`[${s}]`);
  } catch {
    return undefined;
  }
}
