import type { AssistantPart, CanonicalResponse, StreamEvent, Usage } from '../../ir/index.js';

/**
 * Folds a canonical event stream into a non-stream response (used when the caller wants JSON but the
 * upstream only streams, e.g. the Codex backend), and the reverse: replays a response as events (used
 * when the caller streams but the upstream answered with one JSON body).
 */
export class ResponseAggregator {
  private id = '';
  private model = '';
  private readonly parts: AssistantPart[] = [];
  private readonly open = new Map<string, AssistantPart>();
  private finish: Pick<CanonicalResponse, 'finishReason' | 'rawFinishReason'> = { finishReason: 'stop' };
  private usage: Usage | undefined;
  error: { message: string; status?: number; code?: string } | undefined;

  push(ev: StreamEvent): void {
    switch (ev.type) {
      case 'message-start':
        this.id = ev.id;
        this.model = ev.model;
        if (ev.usage) this.usage = ev.usage;
        return;
      case 'text-start': {
        const part: AssistantPart = { type: 'text', text: '' };
        this.parts.push(part);
        this.open.set(`t:${ev.id}`, part);
        return;
      }
      case 'text-delta': {
        const part = this.open.get(`t:${ev.id}`);
        if (part?.type === 'text') part.text += ev.text;
        else this.parts.push({ type: 'text', text: ev.text });
        return;
      }
      case 'reasoning-start': {
        const part: AssistantPart = { type: 'reasoning', text: '', family: ev.family };
        if (ev.redactedData !== undefined) part.redactedData = ev.redactedData;
        this.parts.push(part);
        this.open.set(`r:${ev.id}`, part);
        return;
      }
      case 'reasoning-delta': {
        const part = this.open.get(`r:${ev.id}`);
        if (part?.type === 'reasoning') part.text += ev.text;
        return;
      }
      case 'reasoning-signature': {
        const part = this.open.get(`r:${ev.id}`);
        if (part?.type === 'reasoning') part.signature = (part.signature ?? '') + ev.signature;
        return;
      }
      case 'tool-call-start': {
        const part: AssistantPart = { type: 'tool-call', id: ev.id, name: ev.name, arguments: '' };
        if (ev.signature) part.signature = ev.signature;
        this.parts.push(part);
        this.open.set(`c:${ev.id}`, part);
        return;
      }
      case 'tool-call-delta': {
        const part = this.open.get(`c:${ev.id}`);
        if (part?.type === 'tool-call') part.arguments += ev.argumentsDelta;
        return;
      }
      case 'text-end':
      case 'reasoning-end':
      case 'tool-call-end':
        return;
      case 'usage':
        this.usage = mergeUsage(this.usage, ev.usage);
        return;
      case 'finish':
        this.finish = { finishReason: ev.reason, rawFinishReason: ev.rawReason };
        if (ev.usage) this.usage = mergeUsage(this.usage, ev.usage);
        return;
      case 'error':
        this.error = ev.error;
        return;
    }
  }

  result(): CanonicalResponse {
    for (const p of this.parts) if (p.type === 'tool-call' && p.arguments === '') p.arguments = '{}';
    return {
      id: this.id,
      model: this.model,
      content: this.parts,
      finishReason: this.finish.finishReason,
      rawFinishReason: this.finish.rawFinishReason,
      usage: this.usage,
      created: Math.floor(Date.now() / 1000),
    };
  }
}

export function mergeUsage(a: Usage | undefined, b: Usage): Usage {
  if (!a) return { ...b };
  return {
    inputTokens: b.inputTokens || a.inputTokens,
    outputTokens: b.outputTokens || a.outputTokens,
    cachedInputTokens: b.cachedInputTokens ?? a.cachedInputTokens,
    cacheWriteTokens: b.cacheWriteTokens ?? a.cacheWriteTokens,
    reasoningTokens: b.reasoningTokens ?? a.reasoningTokens,
  };
}

/** Replays a complete response as the canonical event sequence a streaming upstream would have produced. */
export function responseToEvents(res: CanonicalResponse): StreamEvent[] {
  const out: StreamEvent[] = [{ type: 'message-start', id: res.id, model: res.model }];
  res.content.forEach((part, i) => {
    const id = String(i);
    switch (part.type) {
      case 'text':
        out.push({ type: 'text-start', id }, { type: 'text-delta', id, text: part.text }, { type: 'text-end', id });
        return;
      case 'reasoning':
        out.push({ type: 'reasoning-start', id, family: part.family, redactedData: part.redactedData });
        if (part.text) out.push({ type: 'reasoning-delta', id, text: part.text });
        if (part.signature) out.push({ type: 'reasoning-signature', id, signature: part.signature });
        out.push({ type: 'reasoning-end', id });
        return;
      case 'tool-call':
        out.push(
          { type: 'tool-call-start', id: part.id, name: part.name, signature: part.signature },
          { type: 'tool-call-delta', id: part.id, argumentsDelta: part.arguments },
          { type: 'tool-call-end', id: part.id },
        );
        return;
      case 'image':
        return;
    }
  });
  out.push({ type: 'finish', reason: res.finishReason, rawReason: res.rawFinishReason, usage: res.usage });
  return out;
}
