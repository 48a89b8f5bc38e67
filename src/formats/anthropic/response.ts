import type { AssistantPart, CanonicalResponse } from '../../ir/index.js';
import type { EncodeContext } from '../types.js';
import { randomId } from '../shared/ids.js';
import { parseArguments } from './request-encode.js';
import { finishFromStop, isObject, stopFromFinish, str, usageFromWire, usageToWire, type Json } from './wire.js';

/** Anthropic message ids look like `msg_…`; ids from other formats get the prefix so clients see the usual shape. */
export function messageId(id: string): string {
  if (!id) return `msg_${randomId(24)}`;
  return id.startsWith('msg_') ? id : `msg_${id}`;
}

/** Anthropic Message JSON → canonical response. Server-tool blocks (web search, code execution) are dropped. */
export function decodeResponse(body: Json): CanonicalResponse {
  const content: AssistantPart[] = [];
  const blocks = Array.isArray(body.content) ? body.content : [];
  for (const b of blocks) {
    if (!isObject(b)) continue;
    switch (b.type) {
      case 'text':
        if (typeof b.text === 'string') content.push({ type: 'text', text: b.text });
        break;
      case 'thinking': {
        const part: AssistantPart = { type: 'reasoning', text: str(b.thinking) ?? '', family: 'anthropic' };
        if (typeof b.signature === 'string' && b.signature) part.signature = b.signature;
        content.push(part);
        break;
      }
      case 'redacted_thinking':
        if (typeof b.data === 'string' && b.data) content.push({ type: 'reasoning', text: '', redactedData: b.data, family: 'anthropic' });
        break;
      case 'tool_use':
        content.push({
          type: 'tool-call',
          id: str(b.id) ?? '',
          name: str(b.name) ?? '',
          arguments: typeof b.input === 'string' ? b.input : JSON.stringify(b.input ?? {}),
        });
        break;
    }
  }
  const raw = str(body.stop_reason);
  const res: CanonicalResponse = {
    id: str(body.id) ?? '',
    model: str(body.model) ?? '',
    content,
    finishReason: finishFromStop(raw, content.some((p) => p.type === 'tool-call')),
    created: Math.floor(Date.now() / 1000),
  };
  if (raw !== undefined) res.rawFinishReason = raw;
  const usage = usageFromWire(body.usage);
  if (usage) res.usage = usage;
  return res;
}

/**
 * One canonical assistant part → Anthropic content block, or undefined when it cannot be expressed.
 * Thinking blocks always carry a `signature` key because clients (Amp) crash without one: the part's own
 * signature when it is Anthropic's, else "" (an empty string is not a fabricated signature; when the client
 * sends it back, our decoder treats it as absent and the block is dropped before reaching Anthropic).
 */
export function contentBlock(p: AssistantPart): Json | undefined {
  switch (p.type) {
    case 'text':
      return p.text ? { type: 'text', text: p.text } : undefined;
    case 'reasoning': {
      const own = p.family === 'anthropic';
      if (p.redactedData !== undefined) return own ? { type: 'redacted_thinking', data: p.redactedData } : undefined;
      const signature = own ? (p.signature ?? '') : '';
      if (!p.text && !signature) return undefined;
      return { type: 'thinking', thinking: p.text, signature };
    }
    case 'tool-call':
      return { type: 'tool_use', id: p.id || `toolu_${randomId(24)}`, name: p.name, input: parseArguments(p.arguments) };
    case 'image':
      return undefined; // Anthropic responses have no image blocks
  }
}

/** Canonical response → Anthropic Message JSON as the SDK expects it. */
export function encodeResponse(res: CanonicalResponse, ctx: EncodeContext): Json {
  const content: Json[] = [];
  for (const p of res.content) {
    const b = contentBlock(p);
    if (b) content.push(b);
  }
  const hasToolCall = content.some((b) => b.type === 'tool_use');
  return {
    id: messageId(res.id),
    type: 'message',
    role: 'assistant',
    model: ctx.model,
    content,
    stop_reason: stopFromFinish(res.finishReason, res.rawFinishReason, hasToolCall),
    stop_sequence: null,
    usage: usageToWire(res.usage),
  };
}

