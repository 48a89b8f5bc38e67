/**
 * Responses SSE (upstream) → canonical stream events.
 *
 * The `type` inside each data JSON drives everything (the `event:` line is optional upstream). Items are
 * tracked by `output_index`; canonical ids are the item's own ids (call_id for tool calls, so ids stay paired
 * with the tool results of the next turn). Events that arrive without their opening event (a delta with no
 * `output_item.added`, a `done` with no deltas) are still turned into proper start/delta/end triples.
 */
import type { FinishReason, StreamEvent, Usage } from '../../ir/index.js';
import type { SseEvent, StreamDecoder } from '../types.js';
import {
  finishFromWire,
  isObject,
  num,
  reasoningItemText,
  statusForErrorCode,
  str,
  unpackEncrypted,
  usageFromWire,
  type Json,
} from './wire.js';

type ItemKind = 'message' | 'reasoning' | 'call' | 'custom';

interface ItemState {
  kind: ItemKind;
  /** Canonical id: call_id for calls, item id (or a synthetic one) otherwise. */
  id: string;
  closed: boolean;
  /** message: content_index → open(true)/closed(false) text part. */
  texts?: Map<number, boolean>;
  /** call/custom: any argument text emitted; reasoning: any text emitted. */
  sawDelta: boolean;
  /** reasoning: which stream carries the text (summary or raw reasoning_text) and which part is current. */
  source?: 'summary' | 'content';
  partIndex?: number;
}

export function createStreamDecoder(): StreamDecoder {
  return new ResponsesStreamDecoder();
}

class ResponsesStreamDecoder implements StreamDecoder {
  private started = false;
  private finished = false;
  private errored = false;
  private sawToolCall = false;
  private readonly items = new Map<number, ItemState>();
  private readonly indexByItemId = new Map<string, number>();
  private out: StreamEvent[] = [];

  push(event: SseEvent): StreamEvent[] {
    const data = event.data;
    if (!data || data === '[DONE]') return [];
    let ev: Json;
    try {
      const parsed = JSON.parse(data) as unknown;
      if (!isObject(parsed)) return [];
      ev = parsed;
    } catch {
      return []; // a malformed frame is skipped rather than aborting an otherwise healthy stream
    }
    this.out = [];
    this.handle(typeof ev.type === 'string' ? ev.type : (event.event ?? ''), ev);
    return this.out;
  }

  end(): StreamEvent[] {
    this.out = [];
    if (!this.finished) {
      this.closeAll();
      this.ensureStarted('', '');
      // No terminal event arrived: the upstream dropped the stream. Say so rather than pretend it completed.
      this.emitFinish(this.errored ? 'error' : 'other', this.errored ? 'error' : 'stream_ended_before_completion');
    }
    return this.out;
  }

  private handle(type: string, ev: Json): void {
    if (this.finished) return;
    switch (type) {
      case 'response.created':
      case 'response.in_progress':
      case 'response.queued': {
        const r = isObject(ev.response) ? ev.response : {};
        this.ensureStarted(str(r.id) ?? '', str(r.model) ?? '');
        return;
      }
      case 'response.output_item.added':
        if (isObject(ev.item)) this.itemAdded(this.indexOf(ev, ev.item), ev.item);
        return;
      case 'response.output_item.done':
        if (isObject(ev.item)) this.itemDone(this.indexOf(ev, ev.item), ev.item);
        return;
      case 'response.content_part.added':
        if (isObject(ev.part) && ev.part.type !== 'reasoning_text') this.openText(this.indexOf(ev), num(ev.content_index) ?? 0);
        return;
      case 'response.output_text.delta':
      case 'response.refusal.delta':
        this.textDelta(this.indexOf(ev), num(ev.content_index) ?? 0, str(ev.delta) ?? '');
        return;
      case 'response.output_text.done':
      case 'response.refusal.done':
      case 'response.content_part.done':
        this.textDone(this.indexOf(ev), num(ev.content_index) ?? 0, ev);
        return;
      case 'response.function_call_arguments.delta':
      case 'response.custom_tool_call_input.delta':
        this.argsDelta(this.indexOf(ev), str(ev.delta) ?? '');
        return;
      case 'response.function_call_arguments.done':
      case 'response.custom_tool_call_input.done': {
        const st = this.items.get(this.indexOf(ev));
        const full = str(ev.arguments) ?? str(ev.input);
        if (st && !st.sawDelta && full) this.argsDelta(this.indexOf(ev), full);
        return;
      }
      case 'response.reasoning_summary_text.delta':
        this.reasoningDelta(this.indexOf(ev), 'summary', num(ev.summary_index) ?? 0, str(ev.delta) ?? '');
        return;
      case 'response.reasoning_text.delta':
        this.reasoningDelta(this.indexOf(ev), 'content', num(ev.content_index) ?? 0, str(ev.delta) ?? '');
        return;
      case 'response.reasoning_summary_text.done': {
        const st = this.items.get(this.indexOf(ev));
        const idx = num(ev.summary_index) ?? 0;
        // Text given only at `done` (no deltas for this part) still has to reach the caller.
        if (st && (st.partIndex !== idx || st.source !== 'summary')) {
          this.reasoningDelta(this.indexOf(ev), 'summary', idx, str(ev.text) ?? '');
        }
        return;
      }
      case 'response.completed':
      case 'response.incomplete':
      case 'response.failed':
        this.terminal(type, isObject(ev.response) ? ev.response : {});
        return;
      case 'error':
        this.error(isObject(ev.error) ? ev.error : ev);
        return;
      default:
        return; // hosted-tool progress, annotations, keepalives: no canonical meaning
    }
  }

  private indexOf(ev: Json, item?: Json): number {
    const idx = num(ev.output_index);
    if (idx !== undefined) return idx;
    const itemId = str(ev.item_id) ?? (item ? str(item.id) : undefined);
    return (itemId !== undefined ? this.indexByItemId.get(itemId) : undefined) ?? -1;
  }

  private ensureStarted(id: string, model: string): void {
    if (this.started) return;
    this.started = true;
    this.out.push({ type: 'message-start', id, model });
  }

  private itemAdded(index: number, item: Json): ItemState | undefined {
    this.ensureStarted('', '');
    const itemId = str(item.id);
    if (itemId) this.indexByItemId.set(itemId, index);
    const synthetic = itemId ?? `item_${index}`;
    let st: ItemState;
    switch (item.type) {
      case 'message':
        st = { kind: 'message', id: synthetic, closed: false, texts: new Map(), sawDelta: false };
        break;
      case 'reasoning':
        st = { kind: 'reasoning', id: synthetic, closed: false, sawDelta: false };
        this.out.push({ type: 'reasoning-start', id: st.id, family: 'openai' });
        break;
      case 'function_call':
      case 'custom_tool_call': {
        const custom = item.type === 'custom_tool_call';
        st = { kind: custom ? 'custom' : 'call', id: str(item.call_id) ?? synthetic, closed: false, sawDelta: false };
        this.sawToolCall = true;
        this.out.push({ type: 'tool-call-start', id: st.id, name: str(item.name) ?? '' });
        // Custom tools take free text; canonically it is the JSON `{"input": ...}`, streamed as it arrives.
        if (custom) this.out.push({ type: 'tool-call-delta', id: st.id, argumentsDelta: '{"input":"' });
        break;
      }
      default:
        return undefined;
    }
    this.items.set(index, st);
    return st;
  }

  private itemDone(index: number, item: Json): void {
    const st = this.items.get(index) ?? this.itemAdded(index, item);
    if (!st || st.closed) return;
    switch (st.kind) {
      case 'message': {
        const content = Array.isArray(item.content) ? item.content : [];
        content.forEach((c, i) => {
          if (!st.texts!.has(i) && isObject(c)) this.textDone(index, i, c);
        });
        break;
      }
      case 'reasoning': {
        if (!st.sawDelta) {
          const text = reasoningItemText(item);
          if (text) this.out.push({ type: 'reasoning-delta', id: st.id, text });
        }
        const enc = str(item.encrypted_content);
        if (enc) {
          const u = unpackEncrypted(enc);
          // The block was opened as OpenAI's; a foreign-family payload cannot be attached to it.
          if (u.family === 'openai' && u.signature) this.out.push({ type: 'reasoning-signature', id: st.id, signature: u.signature });
        }
        break;
      }
      case 'call':
        if (!st.sawDelta) this.argsDelta(index, str(item.arguments) ?? '');
        break;
      case 'custom':
        if (!st.sawDelta) this.argsDelta(index, str(item.input) ?? '');
        break;
    }
    this.close(st);
  }

  private openText(index: number, contentIndex: number): string | undefined {
    let st = this.items.get(index);
    if (!st) st = this.itemAdded(index, { type: 'message' });
    if (!st || st.kind !== 'message' || st.closed) return undefined;
    const id = `${st.id}:${contentIndex}`;
    if (!st.texts!.has(contentIndex)) {
      st.texts!.set(contentIndex, true);
      this.out.push({ type: 'text-start', id });
    }
    return st.texts!.get(contentIndex) ? id : undefined;
  }

  private textDelta(index: number, contentIndex: number, delta: string): void {
    const id = this.openText(index, contentIndex);
    if (id === undefined || delta === '') return;
    this.items.get(index)!.sawDelta = true;
    this.out.push({ type: 'text-delta', id, text: delta });
  }

  /** Close a text part; if it never streamed (only a `done` with the full text), emit that text first. */
  private textDone(index: number, contentIndex: number, ev: Json): void {
    const st = this.items.get(index);
    const fresh = !st?.texts?.has(contentIndex);
    const id = this.openText(index, contentIndex);
    if (id === undefined) return;
    if (fresh) {
      const part = isObject(ev.part) ? ev.part : ev;
      const text = str(part.text) ?? str(part.refusal) ?? '';
      if (text) this.out.push({ type: 'text-delta', id, text });
    }
    this.items.get(index)!.texts!.set(contentIndex, false);
    this.out.push({ type: 'text-end', id });
  }

  private argsDelta(index: number, delta: string): void {
    const st = this.items.get(index);
    if (!st || st.closed || (st.kind !== 'call' && st.kind !== 'custom') || delta === '') return;
    st.sawDelta = true;
    // For custom tools the raw text becomes the body of a JSON string: escape it (stringify minus the quotes).
    const argumentsDelta = st.kind === 'custom' ? JSON.stringify(delta).slice(1, -1) : delta;
    this.out.push({ type: 'tool-call-delta', id: st.id, argumentsDelta });
  }

  private reasoningDelta(index: number, source: 'summary' | 'content', partIndex: number, text: string): void {
    let st = this.items.get(index);
    if (!st) st = this.itemAdded(index, { type: 'reasoning' });
    if (!st || st.kind !== 'reasoning' || st.closed || text === '') return;
    // Summary and raw reasoning text may both be streamed; the first one seen is the item's text.
    st.source ??= source;
    if (st.source !== source) return;
    // Summary parts are joined by a blank line, matching how the non-stream decoder joins them.
    if (st.partIndex !== undefined && st.partIndex !== partIndex && st.sawDelta) {
      this.out.push({ type: 'reasoning-delta', id: st.id, text: '\n\n' });
    }
    st.partIndex = partIndex;
    st.sawDelta = true;
    this.out.push({ type: 'reasoning-delta', id: st.id, text });
  }

  private close(st: ItemState): void {
    if (st.closed) return;
    if (st.kind === 'message') {
      for (const [i, open] of st.texts!) {
        if (!open) continue;
        st.texts!.set(i, false);
        this.out.push({ type: 'text-end', id: `${st.id}:${i}` });
      }
    } else if (st.kind === 'reasoning') {
      this.out.push({ type: 'reasoning-end', id: st.id });
    } else {
      if (st.kind === 'custom') this.out.push({ type: 'tool-call-delta', id: st.id, argumentsDelta: '"}' });
      this.out.push({ type: 'tool-call-end', id: st.id });
    }
    st.closed = true;
  }

  private closeAll(): void {
    const indexes = [...this.items.keys()].sort((a, b) => a - b);
    for (const i of indexes) this.close(this.items.get(i)!);
  }

  private terminal(type: string, r: Json): void {
    this.ensureStarted(str(r.id) ?? '', str(r.model) ?? '');
    // Items only present in the final snapshot (an upstream that skipped the per-item events) still count.
    if (Array.isArray(r.output)) {
      r.output.forEach((item, i) => {
        if (isObject(item) && !this.items.has(i)) this.itemDone(i, item);
      });
    }
    this.closeAll();
    const usage = usageFromWire(r.usage);
    if (type === 'response.failed') {
      if (!this.errored) {
        const err = isObject(r.error) ? r.error : {};
        this.error({ message: str(err.message) ?? 'upstream response failed', code: str(err.code) });
      }
      this.emitFinish('error', 'failed', usage);
      return;
    }
    const status = str(r.status) ?? (type === 'response.incomplete' ? 'incomplete' : 'completed');
    const incomplete = isObject(r.incomplete_details) ? str(r.incomplete_details.reason) : undefined;
    const finish = finishFromWire(status, incomplete, this.sawToolCall);
    this.emitFinish(finish.reason, finish.raw, usage);
  }

  private error(e: Json): void {
    this.ensureStarted('', '');
    this.errored = true;
    const code = str(e.code) ?? str(e.type);
    const message = str(e.message) ?? 'upstream stream error';
    const status = statusForErrorCode(code);
    this.out.push({ type: 'error', error: { message, ...(code ? { code } : {}), ...(status ? { status } : {}) } });
  }

  private emitFinish(reason: FinishReason, raw: string | undefined, usage?: Usage): void {
    this.finished = true;
    const ev: StreamEvent = { type: 'finish', reason };
    if (raw !== undefined) ev.rawReason = raw;
    if (usage) ev.usage = usage;
    this.out.push(ev);
  }
}
