/**
 * Canonical stream events → Responses SSE for the caller.
 *
 * Every event carries `event: <type>` and a data JSON with `type` and an incrementing `sequence_number`
 * (SPEC 6.5). Each canonical block becomes one output item with the full lifecycle the openai SDK's strict
 * accumulator validates: `output_item.added` before any delta that names the item, matching
 * `item_id`/`output_index`/`content_index`, and `output_item.done` with the complete item. The terminal
 * `response.completed` (or `.incomplete` / `.failed`) repeats the whole `output[]` and `usage`; streamed text
 * is kept as chunk arrays and joined once when its item closes, never re-serialised per delta.
 */
import type { FinishReason, ReasoningFamily, StreamEvent, Usage } from '../../ir/index.js';
import { mergeUsage } from '../shared/aggregate.js';
import type { EncodeContext, SseEvent, StreamEncoder } from '../types.js';
import {
  customCallItem,
  finishResponse,
  functionCallItem,
  messageItem,
  newCustomCallId,
  newFunctionCallId,
  newMessageId,
  newReasoningId,
  outputText,
  reasoningItem,
  responseIdFrom,
  responseObject,
} from './items.js';
import { argumentsToCustomInput, customToolNames, packEncrypted, type Json } from './wire.js';

interface Block {
  kind: 'text' | 'reasoning' | 'call' | 'custom';
  itemId: string;
  outputIndex: number;
  chunks: string[];
  // reasoning
  family?: ReasoningFamily;
  redactedData?: string;
  signature?: string[];
  summaryOpen?: boolean;
  // calls
  callId?: string;
  name?: string;
}

export function createStreamEncoder(ctx: EncodeContext): StreamEncoder {
  return new ResponsesStreamEncoder(ctx);
}

class ResponsesStreamEncoder implements StreamEncoder {
  private seq = 0;
  private response: Json | undefined;
  private readonly output: Json[] = [];
  private readonly open = new Map<string, Block>();
  private readonly custom: Set<string>;
  private usage: Usage | undefined;
  private finish: { reason: FinishReason; raw?: string } | undefined;
  /** After an error event nothing more may be written. */
  private stopped = false;
  private out: SseEvent[] = [];

  constructor(private readonly ctx: EncodeContext) {
    this.custom = customToolNames(ctx.request);
  }

  push(ev: StreamEvent): SseEvent[] {
    if (this.stopped) return [];
    this.out = [];
    switch (ev.type) {
      case 'message-start':
        this.start(ev.id);
        if (ev.usage) this.usage = mergeUsage(this.usage, ev.usage);
        break;
      case 'text-start':
        this.openText(ev.id);
        break;
      case 'text-delta': {
        const b = this.open.get(`t:${ev.id}`) ?? this.openText(ev.id);
        if (ev.text === '') break;
        b.chunks.push(ev.text);
        this.emit('response.output_text.delta', {
          item_id: b.itemId,
          output_index: b.outputIndex,
          content_index: 0,
          delta: ev.text,
          logprobs: [],
        });
        break;
      }
      case 'reasoning-start':
        this.openReasoning(ev.id, ev.family, ev.redactedData);
        break;
      case 'reasoning-delta': {
        const b = this.open.get(`r:${ev.id}`) ?? this.openReasoning(ev.id, undefined, undefined);
        if (ev.text === '') break;
        if (!b.summaryOpen) {
          // The summary part opens lazily so signature-only (or redacted) reasoning carries no empty summary.
          b.summaryOpen = true;
          this.emit('response.reasoning_summary_part.added', {
            item_id: b.itemId,
            output_index: b.outputIndex,
            summary_index: 0,
            part: { type: 'summary_text', text: '' },
          });
        }
        b.chunks.push(ev.text);
        this.emit('response.reasoning_summary_text.delta', {
          item_id: b.itemId,
          output_index: b.outputIndex,
          summary_index: 0,
          delta: ev.text,
        });
        break;
      }
      case 'reasoning-signature': {
        const b = this.open.get(`r:${ev.id}`) ?? this.openReasoning(ev.id, undefined, undefined);
        b.signature!.push(ev.signature);
        break;
      }
      case 'tool-call-start':
        this.openCall(ev.id, ev.name);
        break;
      case 'tool-call-delta': {
        const b = this.open.get(`c:${ev.id}`);
        if (!b || ev.argumentsDelta === '') break; // a delta for a call that never started has no name to report
        b.chunks.push(ev.argumentsDelta);
        // Custom tools stream their free-form input, which is only known once the JSON wrapper is complete.
        if (b.kind === 'call') {
          this.emit('response.function_call_arguments.delta', {
            item_id: b.itemId,
            output_index: b.outputIndex,
            delta: ev.argumentsDelta,
          });
        }
        break;
      }
      case 'text-end':
        this.closeKey(`t:${ev.id}`);
        break;
      case 'reasoning-end':
        this.closeKey(`r:${ev.id}`);
        break;
      case 'tool-call-end':
        this.closeKey(`c:${ev.id}`);
        break;
      case 'usage':
        this.usage = mergeUsage(this.usage, ev.usage);
        break;
      case 'finish':
        this.start(undefined);
        this.closeAll();
        this.finish = { reason: ev.reason, raw: ev.rawReason };
        if (ev.usage) this.usage = mergeUsage(this.usage, ev.usage);
        break;
      case 'error':
        // The openai SDK throws on an `error` event; nothing after it would be read, so the stream stops here.
        this.start(undefined);
        this.emit('error', {
          code: ev.error.code ?? null,
          message: ev.error.message,
          param: null,
        });
        this.stopped = true;
        break;
    }
    return this.out;
  }

  end(): SseEvent[] {
    if (this.stopped) return [];
    this.out = [];
    this.start(undefined);
    this.closeAll();
    const hasCall = this.output.some((i) => i.type === 'function_call' || i.type === 'custom_tool_call');
    const finish = this.finish ?? { reason: hasCall ? 'tool-calls' : 'stop' };
    const res = finishResponse(this.response!, finish.reason, finish.raw, this.output, this.usage);
    const type =
      res.status === 'incomplete' ? 'response.incomplete' : res.status === 'failed' ? 'response.failed' : 'response.completed';
    this.emit(type, { response: res });
    this.stopped = true;
    return this.out;
  }

  // -------------------------------------------------------------------------------------------------------------

  private emit(type: string, payload: Json): void {
    const data = JSON.stringify({ type, sequence_number: this.seq++, ...payload });
    this.out.push({ event: type, data });
  }

  private start(id: string | undefined): void {
    if (this.response) return;
    this.response = responseObject(this.ctx, responseIdFrom(id), Math.floor(Date.now() / 1000), 'in_progress');
    this.emit('response.created', { response: this.response });
    this.emit('response.in_progress', { response: this.response });
  }

  private addItem(key: string, block: Block, item: Json): Block {
    this.output.push(item);
    this.open.set(key, block);
    this.emit('response.output_item.added', { output_index: block.outputIndex, item });
    return block;
  }

  private openText(id: string): Block {
    this.start(undefined);
    const b: Block = { kind: 'text', itemId: newMessageId(), outputIndex: this.output.length, chunks: [] };
    this.addItem(`t:${id}`, b, messageItem(b.itemId, [], 'in_progress'));
    this.emit('response.content_part.added', {
      item_id: b.itemId,
      output_index: b.outputIndex,
      content_index: 0,
      part: outputText(''),
    });
    return b;
  }

  private openReasoning(id: string, family: ReasoningFamily | undefined, redactedData: string | undefined): Block {
    this.start(undefined);
    const b: Block = {
      kind: 'reasoning',
      itemId: newReasoningId(),
      outputIndex: this.output.length,
      chunks: [],
      family,
      redactedData,
      signature: [],
    };
    return this.addItem(`r:${id}`, b, reasoningItem(b.itemId, '', undefined));
  }

  private openCall(callId: string, name: string): Block {
    this.start(undefined);
    const custom = this.custom.has(name);
    const b: Block = {
      kind: custom ? 'custom' : 'call',
      itemId: custom ? newCustomCallId() : newFunctionCallId(),
      outputIndex: this.output.length,
      chunks: [],
      callId,
      name,
    };
    const item = custom
      ? customCallItem(b.itemId, callId, name, '', 'in_progress')
      : functionCallItem(b.itemId, callId, name, '', 'in_progress');
    return this.addItem(`c:${callId}`, b, item);
  }

  private closeKey(key: string): void {
    const b = this.open.get(key);
    if (!b) return;
    this.open.delete(key);
    const ref = { item_id: b.itemId, output_index: b.outputIndex };
    const text = b.chunks.join('');
    let item: Json;
    switch (b.kind) {
      case 'text':
        this.emit('response.output_text.done', { ...ref, content_index: 0, text, logprobs: [] });
        this.emit('response.content_part.done', { ...ref, content_index: 0, part: outputText(text) });
        item = messageItem(b.itemId, [text], 'completed');
        break;
      case 'reasoning':
        if (b.summaryOpen) {
          this.emit('response.reasoning_summary_text.done', { ...ref, summary_index: 0, text });
          this.emit('response.reasoning_summary_part.done', { ...ref, summary_index: 0, part: { type: 'summary_text', text } });
        }
        item = reasoningItem(b.itemId, text, packEncrypted(b.family, b.signature!.join('') || undefined, b.redactedData));
        break;
      case 'call': {
        const args = text || '{}';
        this.emit('response.function_call_arguments.done', { ...ref, arguments: args });
        item = functionCallItem(b.itemId, b.callId!, b.name!, args, 'completed');
        break;
      }
      case 'custom': {
        const input = argumentsToCustomInput(text);
        if (input) this.emit('response.custom_tool_call_input.delta', { ...ref, delta: input });
        this.emit('response.custom_tool_call_input.done', { ...ref, input });
        item = customCallItem(b.itemId, b.callId!, b.name!, input, 'completed');
        break;
      }
    }
    this.output[b.outputIndex] = item;
    this.emit('response.output_item.done', { output_index: b.outputIndex, item });
  }

  private closeAll(): void {
    // Close in output order so `output_item.done` events follow the items' positions.
    const keys = [...this.open.entries()].sort((a, b) => a[1].outputIndex - b[1].outputIndex).map(([k]) => k);
    for (const k of keys) this.closeKey(k);
  }
}
