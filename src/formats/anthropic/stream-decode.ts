import type { FinishReason, StreamEvent, Usage } from '../../ir/index.js';
import type { SseEvent, StreamDecoder } from '../types.js';
import { STATUS_BY_ERROR_TYPE, finishFromStop, isObject, str, usageFromWire, type Json } from './wire.js';

type BlockKind = 'text' | 'reasoning' | 'tool';

interface OpenBlock {
  kind: BlockKind;
  /** Canonical id: the block index for text/reasoning, the tool_use id for tool calls. */
  id: string;
}

const END_BY_KIND = { text: 'text-end', reasoning: 'reasoning-end', tool: 'tool-call-end' } as const;

/**
 * Anthropic SSE → canonical events. Blocks are tracked by upstream `index`; server-tool blocks
 * (server_tool_use, web_search_tool_result, …) are skipped along with their deltas.
 */
export class AnthropicStreamDecoder implements StreamDecoder {
  private readonly blocks = new Map<number, OpenBlock>();
  private started = false;
  private finished = false;
  private usage: Usage | undefined;
  private readonly rawUsage: Json = {};
  private stopReason: string | undefined;
  private sawToolCall = false;

  push(ev: SseEvent): StreamEvent[] {
    if (this.finished) return [];
    let data: unknown;
    try {
      data = JSON.parse(ev.data);
    } catch {
      return []; // keep-alive comments, `[DONE]` from odd proxies: nothing to decode
    }
    if (!isObject(data)) return [];
    const type = str(data.type) ?? ev.event;
    const out: StreamEvent[] = [];
    switch (type) {
      case 'message_start':
        this.onMessageStart(data, out);
        break;
      case 'content_block_start':
        this.ensureStarted(out);
        this.onBlockStart(data, out);
        break;
      case 'content_block_delta':
        this.onBlockDelta(data, out);
        break;
      case 'content_block_stop': {
        const idx = typeof data.index === 'number' ? data.index : -1;
        const b = this.blocks.get(idx);
        if (b) {
          this.blocks.delete(idx);
          out.push({ type: END_BY_KIND[b.kind], id: b.id });
        }
        break;
      }
      case 'message_delta': {
        const delta = isObject(data.delta) ? data.delta : {};
        const stop = str(delta.stop_reason);
        if (stop) this.stopReason = stop;
        this.addUsage(data.usage);
        break;
      }
      case 'message_stop':
        this.ensureStarted(out);
        this.finish(out);
        break;
      case 'error': {
        const err = isObject(data.error) ? data.error : {};
        const code = str(err.type) ?? 'api_error';
        out.push({
          type: 'error',
          error: { message: str(err.message) ?? 'upstream stream error', code, status: STATUS_BY_ERROR_TYPE[code] ?? 500 },
        });
        this.finished = true;
        break;
      }
      // ping and unknown events carry nothing canonical
    }
    return out;
  }

  end(): StreamEvent[] {
    if (this.finished) return [];
    const out: StreamEvent[] = [];
    this.ensureStarted(out);
    this.finish(out);
    return out;
  }

  private ensureStarted(out: StreamEvent[]): void {
    if (this.started) return;
    this.started = true;
    out.push({ type: 'message-start', id: '', model: '' });
  }

  private onMessageStart(data: Json, out: StreamEvent[]): void {
    const msg = isObject(data.message) ? data.message : {};
    this.addUsage(msg.usage);
    if (this.started) return;
    this.started = true;
    const ev: StreamEvent = { type: 'message-start', id: str(msg.id) ?? '', model: str(msg.model) ?? '' };
    if (this.usage) ev.usage = this.usage;
    out.push(ev);
  }

  /**
   * Anthropic usage fields are cumulative: message_start carries input and cache counts, message_delta the
   * output (and, on newer APIs, the input fields again). Raw fields are merged by key, then converted once.
   */
  private addUsage(raw: unknown): void {
    if (!isObject(raw)) return;
    for (const [k, v] of Object.entries(raw)) if (v !== null && v !== undefined) this.rawUsage[k] = v;
    this.usage = usageFromWire(this.rawUsage);
  }

  private onBlockStart(data: Json, out: StreamEvent[]): void {
    const idx = typeof data.index === 'number' ? data.index : this.blocks.size;
    const block = isObject(data.content_block) ? data.content_block : {};
    const id = String(idx);
    switch (block.type) {
      case 'text': {
        this.blocks.set(idx, { kind: 'text', id });
        out.push({ type: 'text-start', id });
        const text = str(block.text);
        if (text) out.push({ type: 'text-delta', id, text });
        return;
      }
      case 'thinking': {
        this.blocks.set(idx, { kind: 'reasoning', id });
        out.push({ type: 'reasoning-start', id, family: 'anthropic' });
        const text = str(block.thinking);
        if (text) out.push({ type: 'reasoning-delta', id, text });
        const sig = str(block.signature);
        if (sig) out.push({ type: 'reasoning-signature', id, signature: sig });
        return;
      }
      case 'redacted_thinking':
        this.blocks.set(idx, { kind: 'reasoning', id });
        out.push({ type: 'reasoning-start', id, family: 'anthropic', redactedData: str(block.data) ?? '' });
        return;
      case 'tool_use': {
        const callId = str(block.id) ?? `toolu_${idx}`;
        this.blocks.set(idx, { kind: 'tool', id: callId });
        this.sawToolCall = true;
        out.push({ type: 'tool-call-start', id: callId, name: str(block.name) ?? '' });
        // Input normally streams as input_json_delta; a non-empty start input is the whole input.
        if (isObject(block.input) && Object.keys(block.input).length) {
          out.push({ type: 'tool-call-delta', id: callId, argumentsDelta: JSON.stringify(block.input) });
        }
        return;
      }
    }
  }

  private onBlockDelta(data: Json, out: StreamEvent[]): void {
    const b = this.blocks.get(typeof data.index === 'number' ? data.index : -1);
    const delta = data.delta;
    if (!b || !isObject(delta)) return;
    switch (delta.type) {
      case 'text_delta':
        if (b.kind === 'text' && typeof delta.text === 'string' && delta.text) out.push({ type: 'text-delta', id: b.id, text: delta.text });
        return;
      case 'thinking_delta':
        if (b.kind === 'reasoning' && typeof delta.thinking === 'string' && delta.thinking) {
          out.push({ type: 'reasoning-delta', id: b.id, text: delta.thinking });
        }
        return;
      case 'signature_delta':
        if (b.kind === 'reasoning' && typeof delta.signature === 'string' && delta.signature) {
          out.push({ type: 'reasoning-signature', id: b.id, signature: delta.signature });
        }
        return;
      case 'input_json_delta':
        if (b.kind === 'tool' && typeof delta.partial_json === 'string' && delta.partial_json) {
          out.push({ type: 'tool-call-delta', id: b.id, argumentsDelta: delta.partial_json });
        }
        return;
    }
  }

  private finish(out: StreamEvent[]): void {
    for (const b of this.blocks.values()) out.push({ type: END_BY_KIND[b.kind], id: b.id });
    this.blocks.clear();
    const reason: FinishReason = finishFromStop(this.stopReason, this.sawToolCall);
    const ev: StreamEvent = { type: 'finish', reason };
    if (this.stopReason) ev.rawReason = this.stopReason;
    if (this.usage) ev.usage = this.usage;
    out.push(ev);
    this.finished = true;
  }
}
