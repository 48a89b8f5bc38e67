import type { StreamEvent, Usage } from '../../ir/index.js';
import type { SseEvent, StreamDecoder } from '../types.js';
import { fastContentDelta } from './fast-delta.js';
import { argumentsText, callId, chatId, finishFromChat, isObject, num, str, usageFromChat, type Json } from './wire.js';

interface CallState {
  id: string;
  name?: string;
  /** tool-call-start emitted (needs the name, which a few servers send after the first argument bytes). */
  started: boolean;
  ended: boolean;
  /** Argument text received before the name arrived. */
  pending: string;
}

/**
 * Chat chunks → canonical events. Text and reasoning are never open at the same time (block-based callers
 * need that); tool calls stay open, keyed by `index`, until the finish chunk, because parallel calls may
 * interleave. `finish` is held back until `[DONE]` / end so the usage-only chunk that follows the
 * finish_reason chunk (stream_options.include_usage) can ride on it.
 */
export class ChatStreamDecoder implements StreamDecoder {
  private started = false;
  private done = false;
  private seq = 0;
  private textId: string | undefined;
  private reasoningId: string | undefined;
  /** Lookup by index / id; `open` lists every unclosed call (a key may be reused by a later call). */
  private readonly calls = new Map<string, CallState>();
  private open: CallState[] = [];
  private lastCall: CallState | undefined;
  private sawCalls = false;
  private finishRaw: string | undefined;
  private usage: Usage | undefined;

  push(event: SseEvent): StreamEvent[] {
    if (this.done) return [];
    const data = event.data;
    if (data === '[DONE]') return this.finalize();
    if (this.textId !== undefined && event.event === undefined) {
      // A text block is open (so no reasoning block is): a plain content delta needs no full parse.
      const fast = fastContentDelta(data);
      if (fast !== undefined) return fast.text ? [{ type: 'text-delta', id: this.textId, text: fast.text, textJson: fast.json }] : [];
    }
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      return []; // keep-alive comments or garbage between chunks: nothing to say
    }
    if (!isObject(chunk)) return [];
    if (isObject(chunk.error) || event.event === 'error') return this.fail(isObject(chunk.error) ? chunk.error : chunk);

    const out: StreamEvent[] = [];
    if (!this.started) {
      this.started = true;
      out.push({ type: 'message-start', id: str(chunk.id) || chatId(undefined), model: str(chunk.model) ?? '' });
    }
    // Some servers repeat cumulative usage on every chunk; the last one wins.
    const usage = usageFromChat(chunk.usage);
    if (usage) this.usage = usage;

    const choices = chunk.choices;
    if (!Array.isArray(choices) || choices.length === 0) return out;
    const choice = choices.find((c) => isObject(c) && (c.index === 0 || c.index === undefined));
    if (!isObject(choice)) return out;
    const delta = isObject(choice.delta) ? choice.delta : isObject(choice.message) ? choice.message : undefined;
    if (delta) this.delta(delta, out);
    const finish = str(choice.finish_reason);
    if (finish) {
      this.finishRaw = finish;
      this.closeAll(out);
    }
    return out;
  }

  end(): StreamEvent[] {
    return this.done ? [] : this.finalize();
  }

  private delta(delta: Json, out: StreamEvent[]): void {
    const reasoning = str(delta.reasoning_content) ?? str(delta.reasoning);
    if (reasoning) {
      this.closeText(out);
      if (!this.reasoningId) {
        this.reasoningId = `reasoning-${this.seq++}`;
        out.push({ type: 'reasoning-start', id: this.reasoningId, family: 'openai' });
      }
      out.push({ type: 'reasoning-delta', id: this.reasoningId, text: reasoning });
    }
    const text = str(delta.content);
    if (text) {
      this.closeReasoning(out);
      if (!this.textId) {
        this.textId = `text-${this.seq++}`;
        out.push({ type: 'text-start', id: this.textId });
      }
      out.push({ type: 'text-delta', id: this.textId, text });
    }
    if (Array.isArray(delta.tool_calls)) {
      for (const tc of delta.tool_calls) if (isObject(tc)) this.toolDelta(tc, out);
    }
    if (isObject(delta.function_call)) this.toolDelta({ index: -1, function: delta.function_call }, out);
  }

  private toolDelta(tc: Json, out: StreamEvent[]): void {
    this.closeText(out);
    this.closeReasoning(out);
    const index = num(tc.index);
    const id = str(tc.id);
    let key: string;
    let st: CallState | undefined;
    if (index !== undefined) {
      key = `i:${index}`;
      st = this.calls.get(key);
      // A few servers put every parallel call on index 0, telling them apart only by id.
      if (st && id && id !== st.id) st = undefined;
    } else if (id) {
      key = `id:${id}`;
      st = this.calls.get(key);
    } else {
      key = `n:${this.seq}`;
      st = this.lastCall;
    }
    if (!st || st.ended) {
      st = { id: id || callId(), started: false, ended: false, pending: '' };
      this.calls.set(key, st);
      this.open.push(st);
    }
    this.lastCall = st;
    const fn = isObject(tc.function) ? tc.function : {};
    const args = argumentsText(fn.arguments);
    if (!st.started) {
      const name = str(fn.name);
      if (name) st.name = name;
      st.pending += args;
      if (st.name) this.startCall(st, out);
      return;
    }
    if (args) out.push({ type: 'tool-call-delta', id: st.id, argumentsDelta: args });
  }

  private startCall(st: CallState, out: StreamEvent[]): void {
    st.started = true;
    this.sawCalls = true;
    out.push({ type: 'tool-call-start', id: st.id, name: st.name ?? '' });
    if (st.pending) out.push({ type: 'tool-call-delta', id: st.id, argumentsDelta: st.pending });
    st.pending = '';
  }

  private closeText(out: StreamEvent[]): void {
    if (!this.textId) return;
    out.push({ type: 'text-end', id: this.textId });
    this.textId = undefined;
  }

  private closeReasoning(out: StreamEvent[]): void {
    if (!this.reasoningId) return;
    out.push({ type: 'reasoning-end', id: this.reasoningId });
    this.reasoningId = undefined;
  }

  private closeAll(out: StreamEvent[]): void {
    this.closeReasoning(out);
    this.closeText(out);
    for (const st of this.open) {
      st.ended = true;
      // A call whose name never arrived cannot be executed by anyone: drop it rather than invent one.
      if (st.started) out.push({ type: 'tool-call-end', id: st.id });
    }
    this.open = [];
    this.calls.clear();
    this.lastCall = undefined;
  }

  private finalize(): StreamEvent[] {
    const out: StreamEvent[] = [];
    if (!this.started) {
      this.started = true;
      out.push({ type: 'message-start', id: chatId(undefined), model: '' });
    }
    this.closeAll(out);
    this.done = true;
    const finish = finishFromChat(this.finishRaw, this.sawCalls);
    const ev: StreamEvent = { type: 'finish', reason: finish.reason };
    if (finish.raw !== undefined) ev.rawReason = finish.raw;
    if (this.usage) ev.usage = this.usage;
    out.push(ev);
    return out;
  }

  private fail(err: Json): StreamEvent[] {
    this.done = true;
    const message = str(err.message) ?? (typeof err.error === 'string' ? err.error : 'upstream stream error');
    const error: Extract<StreamEvent, { type: 'error' }>['error'] = { message };
    const code = str(err.code) ?? str(err.type);
    if (code) error.code = code;
    const status = num(err.status) ?? num(err.code);
    if (status !== undefined) error.status = status;
    return [{ type: 'error', error }];
  }
}
