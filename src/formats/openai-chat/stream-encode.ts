import type { FinishReason, StreamEvent, Usage } from '../../ir/index.js';
import { mergeUsage } from '../shared/aggregate.js';
import type { EncodeContext, SseEvent, StreamEncoder } from '../types.js';
import { openAIErrorBody } from './errors.js';
import { chatId, finishToChat, usageToChat, type Json } from './wire.js';

const DONE: SseEvent = { data: '[DONE]' };

/**
 * Canonical events → `chat.completion.chunk` SSE events, in the order the openai SDKs expect:
 * a role chunk, content / reasoning_content / tool_calls deltas, one chunk with finish_reason and an empty
 * delta, the usage-only chunk (`choices: []`) when the caller asked for it, then `[DONE]`.
 */
export class ChatStreamEncoder implements StreamEncoder {
  private id = chatId(undefined);
  private readonly created = Math.floor(Date.now() / 1000);
  private started = false;
  private closed = false;
  private readonly toolIndex = new Map<string, number>();
  private usage: Usage | undefined;

  constructor(private readonly ctx: EncodeContext) {}

  push(ev: StreamEvent): SseEvent[] {
    if (this.closed) return [];
    const out: SseEvent[] = [];
    switch (ev.type) {
      case 'message-start':
        if (!this.started) this.id = chatId(ev.id);
        if (ev.usage) this.usage = mergeUsage(this.usage, ev.usage);
        this.ensureStarted(out);
        return out;
      case 'text-delta':
        if (ev.text) this.delta(out, { content: ev.text });
        return out;
      case 'reasoning-delta':
        if (ev.text) this.delta(out, { reasoning_content: ev.text });
        return out;
      case 'tool-call-start': {
        // A repeated start for the same id would announce a second call; ignore it.
        if (this.toolIndex.has(ev.id)) return out;
        const index = this.toolIndex.size;
        this.toolIndex.set(ev.id, index);
        this.delta(out, {
          tool_calls: [{ index, id: ev.id, type: 'function', function: { name: ev.name, arguments: '' } }],
        });
        return out;
      }
      case 'tool-call-delta': {
        const index = this.toolIndex.get(ev.id);
        if (index !== undefined && ev.argumentsDelta) {
          this.delta(out, { tool_calls: [{ index, function: { arguments: ev.argumentsDelta } }] });
        }
        return out;
      }
      case 'usage':
        this.usage = mergeUsage(this.usage, ev.usage);
        return out;
      case 'finish':
        if (ev.usage) this.usage = mergeUsage(this.usage, ev.usage);
        this.finish(out, ev.reason);
        return out;
      case 'error': {
        // The SDKs raise an APIError for a `data: {"error":…}` frame; nothing may follow it.
        this.closed = true;
        const body = openAIErrorBody(ev.error.status ?? 500, ev.error.message, ev.error.code);
        out.push({ data: JSON.stringify(body) });
        return out;
      }
      default:
        // text/reasoning start and end carry nothing chat can express; signatures are not sent to chat callers.
        return out;
    }
  }

  end(): SseEvent[] {
    if (this.closed) return [];
    const out: SseEvent[] = [];
    // The stream ended without a finish event: close it the way a normal completion would.
    this.finish(out, 'stop');
    return out;
  }

  private chunk(delta: Json, finishReason: string | null): SseEvent {
    return {
      data: JSON.stringify({
        id: this.id,
        object: 'chat.completion.chunk',
        created: this.created,
        model: this.ctx.model,
        choices: [{ index: 0, delta, finish_reason: finishReason }],
      }),
    };
  }

  private ensureStarted(out: SseEvent[]): void {
    if (this.started) return;
    this.started = true;
    out.push(this.chunk({ role: 'assistant', content: '' }, null));
  }

  private delta(out: SseEvent[], delta: Json): void {
    this.ensureStarted(out);
    out.push(this.chunk(delta, null));
  }

  private finish(out: SseEvent[], reason: FinishReason): void {
    this.ensureStarted(out);
    this.closed = true;
    out.push(this.chunk({}, finishToChat(reason, this.toolIndex.size > 0)));
    if (this.ctx.includeUsage) {
      const usage = usageToChat(this.usage ?? { inputTokens: 0, outputTokens: 0 });
      out.push({
        data: JSON.stringify({
          id: this.id,
          object: 'chat.completion.chunk',
          created: this.created,
          model: this.ctx.model,
          choices: [],
          usage,
        }),
      });
    }
    out.push(DONE);
  }
}
