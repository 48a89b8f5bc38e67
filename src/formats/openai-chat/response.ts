import type { AssistantPart, CanonicalResponse } from '../../ir/index.js';
import type { EncodeContext } from '../types.js';
import {
  argumentsText,
  callId,
  chatId,
  finishFromChat,
  finishToChat,
  imageFromUrl,
  imageToUrl,
  isObject,
  num,
  str,
  usageFromChat,
  usageToChat,
  type Json,
} from './wire.js';

/** Raised for a 200 body that carries `{error}` instead of choices (some OpenAI-compatible servers do that). */
export class ChatUpstreamError extends Error {
  constructor(
    message: string,
    readonly code?: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ChatUpstreamError';
  }
}

export function decodeResponse(body: Record<string, unknown>): CanonicalResponse {
  const choices = Array.isArray(body.choices) ? body.choices : [];
  if (choices.length === 0 && isObject(body.error)) {
    const e = body.error;
    throw new ChatUpstreamError(str(e.message) ?? 'upstream error', str(e.code) ?? str(e.type), num(e.code) ?? num(e.status));
  }
  const choice = choices.find((c) => isObject(c) && (c.index === 0 || c.index === undefined)) ?? choices[0];
  const msg = isObject(choice) && isObject(choice.message) ? choice.message : {};

  const content: AssistantPart[] = [];
  const reasoning = str(msg.reasoning_content) ?? str(msg.reasoning);
  if (reasoning) content.push({ type: 'reasoning', text: reasoning, family: 'openai' });
  if (typeof msg.content === 'string') {
    if (msg.content) content.push({ type: 'text', text: msg.content });
  } else if (Array.isArray(msg.content)) {
    for (const p of msg.content) if (isObject(p) && typeof p.text === 'string' && p.text) content.push({ type: 'text', text: p.text });
  }
  const refusal = str(msg.refusal);
  if (refusal) content.push({ type: 'text', text: refusal });
  // Image-generating models behind OpenAI-compatible fronts (OpenRouter, our own Gemini path) use `images`.
  if (Array.isArray(msg.images)) {
    for (const img of msg.images) {
      const url = isObject(img) && isObject(img.image_url) ? str(img.image_url.url) : undefined;
      if (url) content.push(imageFromUrl(url));
    }
  }
  let sawCalls = false;
  if (Array.isArray(msg.tool_calls)) {
    for (const tc of msg.tool_calls) {
      if (!isObject(tc) || !isObject(tc.function)) continue;
      sawCalls = true;
      content.push({
        type: 'tool-call',
        id: str(tc.id) || callId(),
        name: str(tc.function.name) ?? '',
        arguments: argumentsText(tc.function.arguments) || '{}',
      });
    }
  }
  if (isObject(msg.function_call)) {
    sawCalls = true;
    const fc = msg.function_call;
    content.push({ type: 'tool-call', id: callId(), name: str(fc.name) ?? '', arguments: argumentsText(fc.arguments) || '{}' });
  }

  const finish = finishFromChat(isObject(choice) ? choice.finish_reason : undefined, sawCalls);
  const res: CanonicalResponse = {
    id: str(body.id) ?? chatId(undefined),
    model: str(body.model) ?? '',
    content,
    finishReason: finish.reason,
    created: num(body.created) ?? Math.floor(Date.now() / 1000),
  };
  if (finish.raw !== undefined) res.rawFinishReason = finish.raw;
  const usage = usageFromChat(body.usage);
  if (usage) res.usage = usage;
  return res;
}

export function encodeResponse(res: CanonicalResponse, ctx: EncodeContext): Record<string, unknown> {
  let text = '';
  let reasoning = '';
  const toolCalls: Json[] = [];
  const images: Json[] = [];
  for (const p of res.content) {
    switch (p.type) {
      case 'text':
        text += p.text;
        break;
      case 'reasoning':
        reasoning += p.text;
        break;
      case 'tool-call':
        toolCalls.push({ id: p.id, type: 'function', function: { name: p.name, arguments: p.arguments || '{}' } });
        break;
      case 'image':
        images.push({ type: 'image_url', image_url: { url: imageToUrl(p) } });
        break;
    }
  }
  const message: Json = { role: 'assistant', content: text || null };
  if (reasoning) message.reasoning_content = reasoning;
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  if (images.length > 0) message.images = images;
  message.refusal = null;

  const out: Json = {
    id: chatId(res.id),
    object: 'chat.completion',
    created: res.created || Math.floor(Date.now() / 1000),
    model: ctx.model,
    choices: [{ index: 0, message, finish_reason: finishToChat(res.finishReason, toolCalls.length > 0), logprobs: null }],
  };
  if (res.usage) out.usage = usageToChat(res.usage);
  return out;
}
