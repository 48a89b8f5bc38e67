import type { FinishReason, StreamEvent, Usage } from '../../ir/index.js';
import { mergeUsage } from '../shared/aggregate.js';
import { randomId } from '../shared/ids.js';
import type { EncodeContext, SseEvent, StreamEncoder } from '../types.js';
import { anthropicErrorType } from './errors.js';
import { messageId } from './response.js';
import { STATUS_BY_ERROR_TYPE, stopFromFinish, usageToWire, type Json } from './wire.js';

interface Block {
  /** `content_block` of content_block_start. */
  start: Json;
  /** Deltas (serialised) received while another block was open on the wire. */
  buffered: string[];
  ended: boolean;
  /** Anthropic-family thinking: signature deltas are forwarded. */
  signed: boolean;
  index?: number;
}

function sse(event: string, payload: Json): SseEvent {
  return { event, data: JSON.stringify(payload) };
}

/**
 * Canonical events → Anthropic SSE. Anthropic allows one open content block at a time, while canonical
 * blocks may interleave (two tool calls streamed in parallel by a Responses upstream). The block that
 * opened first owns the wire; blocks started meanwhile queue up with their deltas buffered and are
 * written out, in start order, as soon as the wire is free. Indices therefore count 0,1,2… in wire order.
 */
export class AnthropicStreamEncoder implements StreamEncoder {
  private readonly blocks = new Map<string, Block>();
  /** Non-Anthropic thinking not yet written: opened only once it has text, so empty blocks never appear. */
  private readonly dormant = new Map<string, Block>();
  private readonly ignored = new Set<string>();
  private current: Block | undefined;
  private readonly queue: Block[] = [];
  private nextIndex = 0;
  private started = false;
  private done = false;
  private msgId = '';
  private usage: Usage | undefined;
  private sawToolUse = false;

  constructor(private readonly ctx: EncodeContext) {}

  push(ev: StreamEvent): SseEvent[] {
    if (this.done) return [];
    const out: SseEvent[] = [];
    switch (ev.type) {
      case 'message-start':
        this.msgId = ev.id;
        if (ev.usage) this.usage = mergeUsage(this.usage, ev.usage);
        this.ensureStarted(out);
        break;
      case 'text-start':
        this.open(out, `t:${ev.id}`, { start: { type: 'text', text: '' }, buffered: [], ended: false, signed: false });
        break;
      case 'text-delta':
        if (ev.text) this.delta(out, this.keyOf('t:', ev.id), `{"type":"text_delta","text":${ev.textJson ?? JSON.stringify(ev.text)}}`);
        break;
      case 'reasoning-start':
        this.openReasoning(out, ev);
        break;
      case 'reasoning-delta':
        if (ev.text) this.delta(out, this.keyOf('r:', ev.id), `{"type":"thinking_delta","thinking":${JSON.stringify(ev.text)}}`);
        break;
      case 'reasoning-signature': {
        const b = this.blocks.get(`r:${ev.id}`);
        if (b?.signed && ev.signature) this.delta(out, `r:${ev.id}`, `{"type":"signature_delta","signature":${JSON.stringify(ev.signature)}}`);
        break;
      }
      case 'tool-call-start': {
        const start = { type: 'tool_use', id: ev.id || `toolu_${randomId(24)}`, name: ev.name, input: {} };
        this.open(out, `c:${ev.id}`, { start, buffered: [], ended: false, signed: false });
        break;
      }
      case 'tool-call-delta':
        if (ev.argumentsDelta) this.delta(out, this.keyOf('c:', ev.id), `{"type":"input_json_delta","partial_json":${JSON.stringify(ev.argumentsDelta)}}`);
        break;
      case 'text-end':
        this.close(out, `t:${ev.id}`);
        break;
      case 'reasoning-end':
        this.close(out, `r:${ev.id}`);
        break;
      case 'tool-call-end':
        this.close(out, `c:${ev.id}`);
        break;
      case 'usage':
        this.usage = mergeUsage(this.usage, ev.usage);
        break;
      case 'finish':
        if (ev.usage) this.usage = mergeUsage(this.usage, ev.usage);
        this.complete(out, ev.reason, ev.rawReason);
        break;
      case 'error': {
        // An error mid-stream is Anthropic's `event: error`; nothing may follow it.
        const code = ev.error.code && STATUS_BY_ERROR_TYPE[ev.error.code] ? ev.error.code : anthropicErrorType(ev.error.status ?? 500);
        out.push(sse('error', { type: 'error', error: { type: code, message: ev.error.message } }));
        this.done = true;
        break;
      }
    }
    return out;
  }

  end(): SseEvent[] {
    if (this.done) return [];
    const out: SseEvent[] = [];
    this.complete(out, 'stop', undefined);
    return out;
  }

  private ensureStarted(out: SseEvent[]): void {
    if (this.started) return;
    this.started = true;
    const usage = usageToWire(this.usage);
    usage.output_tokens = 0;
    out.push(
      sse('message_start', {
        type: 'message_start',
        message: {
          id: messageId(this.msgId),
          type: 'message',
          role: 'assistant',
          content: [],
          model: this.ctx.model,
          stop_reason: null,
          stop_sequence: null,
          usage,
        },
      }),
    );
  }

  private openReasoning(out: SseEvent[], ev: Extract<StreamEvent, { type: 'reasoning-start' }>): void {
    const key = `r:${ev.id}`;
    const own = ev.family === 'anthropic';
    if (ev.redactedData !== undefined) {
      // Redacted thinking is only meaningful to Anthropic; from anywhere else it is dropped.
      if (own) this.open(out, key, { start: { type: 'redacted_thinking', data: ev.redactedData }, buffered: [], ended: false, signed: false });
      else this.ignored.add(key);
      return;
    }
    // `signature: ""` up front: clients that echo thinking blocks back require the key (see response.ts).
    const block: Block = { start: { type: 'thinking', thinking: '', signature: '' }, buffered: [], ended: false, signed: own };
    if (own) this.open(out, key, block);
    else this.dormant.set(key, block);
  }

  private open(out: SseEvent[], key: string, block: Block): void {
    this.blocks.set(key, block);
    if (this.current) this.queue.push(block);
    else {
      this.current = block;
      this.write(out, block);
    }
  }

  private lastKey = { prefix: '', id: '', key: '' };

  /**
   * The block key of a delta. Consecutive deltas nearly always belong to one block: reusing its key string
   * (hashed once) saves building and hashing a new one per event.
   */
  private keyOf(prefix: string, id: string): string {
    const last = this.lastKey;
    if (last.id !== id || last.prefix !== prefix) this.lastKey = { prefix, id, key: prefix + id };
    return this.lastKey.key;
  }

  /** `delta` is the delta object already serialised: the hot path (one event per upstream delta) builds text only. */
  private delta(out: SseEvent[], key: string, delta: string): void {
    let b = this.blocks.get(key);
    if (!b) {
      if (this.ignored.has(key)) return;
      const sleeping = this.dormant.get(key);
      if (sleeping) {
        this.dormant.delete(key);
        b = sleeping;
      } else {
        // A delta without a start: open the block it implies rather than lose content.
        const kind = key[0];
        const start = kind === 't' ? { type: 'text', text: '' } : kind === 'r' ? { type: 'thinking', thinking: '', signature: '' } : { type: 'tool_use', id: key.slice(2) || `toolu_${randomId(24)}`, name: '', input: {} };
        b = { start, buffered: [], ended: false, signed: false };
      }
      this.open(out, key, b);
    }
    if (b === this.current) out.push({ event: 'content_block_delta', data: `{"type":"content_block_delta","index":${b.index},"delta":${delta}}` });
    else b.buffered.push(delta);
  }

  private close(out: SseEvent[], key: string): void {
    this.dormant.delete(key);
    const b = this.blocks.get(key);
    if (!b) return;
    this.blocks.delete(key);
    if (b !== this.current) {
      b.ended = true;
      return;
    }
    this.stop(out, b);
    this.current = undefined;
    while (!this.current && this.queue.length) {
      const next = this.queue.shift()!;
      this.write(out, next);
      if (next.ended) this.stop(out, next);
      else this.current = next;
    }
  }

  /** content_block_start for `b`, then any deltas it collected while waiting. */
  private write(out: SseEvent[], b: Block): void {
    this.ensureStarted(out);
    b.index = this.nextIndex++;
    if (b.start.type === 'tool_use') this.sawToolUse = true;
    out.push(sse('content_block_start', { type: 'content_block_start', index: b.index, content_block: b.start }));
    for (const delta of b.buffered) out.push({ event: 'content_block_delta', data: `{"type":"content_block_delta","index":${b.index},"delta":${delta}}` });
    b.buffered = [];
  }

  private stop(out: SseEvent[], b: Block): void {
    out.push(sse('content_block_stop', { type: 'content_block_stop', index: b.index }));
  }

  /** Close everything still open (in wire order), then message_delta + message_stop. */
  private complete(out: SseEvent[], reason: FinishReason, raw: string | undefined): void {
    this.ensureStarted(out);
    if (this.current) this.stop(out, this.current);
    this.current = undefined;
    for (const b of this.queue) {
      this.write(out, b);
      this.stop(out, b);
    }
    this.queue.length = 0;
    this.blocks.clear();
    this.dormant.clear();
    out.push(
      sse('message_delta', {
        type: 'message_delta',
        delta: { stop_reason: stopFromFinish(reason, raw, this.sawToolUse), stop_sequence: null },
        usage: usageToWire(this.usage),
      }),
      sse('message_stop', { type: 'message_stop' }),
    );
    this.done = true;
  }
}
