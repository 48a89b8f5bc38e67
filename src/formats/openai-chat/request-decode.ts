import type {
  AssistantPart,
  CanonicalRequest,
  ImagePart,
  Message,
  TextPart,
  ToolDefinition,
  UserPart,
} from '../../ir/index.js';
import { InvalidRequestError } from '../types.js';
import { decodeReasoning, decodeResponseFormat, decodeToolChoice } from './request-options.js';
import { argumentsText, callId, imageFromUrl, isObject, str, type Json } from './wire.js';

/** Chat request fields with no canonical home, carried in `providerOptions['openai-chat']` for a chat upstream. */
export const PASSTHROUGH_FIELDS = [
  'frequency_penalty',
  'presence_penalty',
  'seed',
  'logit_bias',
  'logprobs',
  'top_logprobs',
  'service_tier',
  'prompt_cache_key',
  'safety_identifier',
  'verbosity',
  'metadata',
  'store',
  'modalities',
  'prediction',
] as const;

export function decodeRequest(body: Record<string, unknown>): CanonicalRequest {
  const { system, messages } = decodeMessages(body.messages);
  const tools = decodeTools(body.tools, body.functions);
  const req: CanonicalRequest = {
    model: str(body.model) ?? '',
    system,
    messages,
    tools,
    stream: body.stream === true,
  };

  // tool_choice / parallel_tool_calls without tools are rejected by OpenAI and Anthropic alike and mean nothing.
  if (tools.length > 0) {
    const choice = decodeToolChoice(body.tool_choice ?? body.function_call);
    if (choice) req.toolChoice = choice;
    if (typeof body.parallel_tool_calls === 'boolean') req.parallelToolCalls = body.parallel_tool_calls;
  }

  const maxTokens = optNumber(body, 'max_completion_tokens') ?? optNumber(body, 'max_tokens');
  if (maxTokens !== undefined) req.maxOutputTokens = maxTokens;
  const temperature = optNumber(body, 'temperature');
  if (temperature !== undefined) req.temperature = temperature;
  const topP = optNumber(body, 'top_p');
  if (topP !== undefined) req.topP = topP;
  // Not part of the OpenAI API, but vLLM/SGLang-style clients send it and other targets understand it.
  const topK = optNumber(body, 'top_k');
  if (topK !== undefined) req.topK = topK;
  const stop = decodeStop(body.stop);
  if (stop) req.stop = stop;

  const reasoning = decodeReasoning(body);
  if (reasoning) req.reasoning = reasoning;
  const responseFormat = decodeResponseFormat(body.response_format);
  if (responseFormat) req.responseFormat = responseFormat;
  if (req.stream && isObject(body.stream_options) && typeof body.stream_options.include_usage === 'boolean') {
    req.includeUsage = body.stream_options.include_usage;
  }
  const user = str(body.user);
  if (user) req.userId = user;

  const extras: Json = {};
  for (const key of PASSTHROUGH_FIELDS) if (body[key] !== undefined && body[key] !== null) extras[key] = body[key];
  // o-series / gpt-5 reject `max_tokens`; remember the spelling the caller used for a chat upstream.
  if (body.max_completion_tokens !== undefined && body.max_completion_tokens !== null) extras.maxTokensField = 'max_completion_tokens';
  if (Object.keys(extras).length > 0) req.providerOptions = { 'openai-chat': extras };
  return req;
}

function optNumber(body: Json, key: string): number | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new InvalidRequestError(`${key} must be a number`, key);
  return v;
}

function decodeStop(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v ? [v] : undefined;
  if (!Array.isArray(v)) throw new InvalidRequestError('stop must be a string or an array of strings', 'stop');
  const out = v.filter((s): s is string => typeof s === 'string' && s !== '');
  return out.length > 0 ? out : undefined;
}

/**
 * Walks the conversation once. System/developer messages (wherever they appear) feed `system`; consecutive
 * `tool`/`function` messages fold into one user message of tool results; calls without ids get stable ones and
 * results without `tool_call_id` pair with the oldest unanswered call of the preceding assistant turn.
 */
function decodeMessages(raw: unknown): { system: TextPart[]; messages: Message[] } {
  if (!Array.isArray(raw)) throw new InvalidRequestError('messages must be an array', 'messages');
  const system: TextPart[] = [];
  const messages: Message[] = [];
  const callNames = new Map<string, string>();
  let pending: Array<{ id: string; name: string }> = [];
  let toolTurn: { role: 'user'; content: UserPart[] } | undefined;

  raw.forEach((m, i) => {
    const where = `messages[${i}]`;
    if (!isObject(m)) throw new InvalidRequestError(`${where} must be an object`, where);
    const role = m.role;
    if (typeof role !== 'string') throw new InvalidRequestError(`${where}.role must be a string`, `${where}.role`);
    switch (role) {
      case 'system':
      case 'developer':
        for (const p of decodeContent(m.content, where)) if (p.type === 'text') system.push(p);
        return;
      case 'user': {
        const content = decodeContent(m.content, where);
        if (content.length > 0) messages.push({ role: 'user', content });
        return;
      }
      case 'assistant': {
        const content = decodeAssistant(m, where);
        pending = [];
        for (const p of content) {
          if (p.type !== 'tool-call') continue;
          callNames.set(p.id, p.name);
          pending.push({ id: p.id, name: p.name });
        }
        if (content.length > 0) messages.push({ role: 'assistant', content });
        return;
      }
      case 'tool':
      case 'function': {
        let id: string;
        if (role === 'tool') {
          id = str(m.tool_call_id) || pending[0]?.id || callId();
        } else {
          // Legacy function role: no ids at all, pair by name with the call it answers.
          const name = str(m.name);
          id = pending.find((p) => p.name === name)?.id ?? callId();
        }
        pending = pending.filter((p) => p.id !== id);
        const part: UserPart = { type: 'tool-result', callId: id, content: decodeContent(m.content, where) };
        const name = callNames.get(id) ?? str(m.name);
        if (name) part.name = name;
        if (toolTurn && messages[messages.length - 1] === toolTurn) toolTurn.content.push(part);
        else {
          toolTurn = { role: 'user', content: [part] };
          messages.push(toolTurn);
        }
        return;
      }
      default:
        throw new InvalidRequestError(`${where}.role "${role}" is not supported`, `${where}.role`);
    }
  });
  return { system, messages };
}

function decodeAssistant(m: Json, where: string): AssistantPart[] {
  const parts: AssistantPart[] = [];
  // DeepSeek/vLLM spell it `reasoning_content`, OpenRouter/Ollama `reasoning`.
  const reasoning = str(m.reasoning_content) ?? str(m.reasoning);
  if (reasoning) parts.push({ type: 'reasoning', text: reasoning, family: 'openai' });
  parts.push(...decodeContent(m.content, where));
  const refusal = str(m.refusal);
  if (refusal) parts.push({ type: 'text', text: refusal });

  if (m.tool_calls !== undefined && m.tool_calls !== null) {
    if (!Array.isArray(m.tool_calls)) throw new InvalidRequestError(`${where}.tool_calls must be an array`, `${where}.tool_calls`);
    m.tool_calls.forEach((tc, j) => {
      const at = `${where}.tool_calls[${j}]`;
      if (!isObject(tc)) throw new InvalidRequestError(`${at} must be an object`, at);
      if (tc.type !== undefined && tc.type !== 'function') return; // custom tools have no canonical home
      const fn = tc.function;
      if (!isObject(fn) || typeof fn.name !== 'string') {
        throw new InvalidRequestError(`${at}.function.name must be a string`, `${at}.function.name`);
      }
      parts.push({ type: 'tool-call', id: str(tc.id) || callId(), name: fn.name, arguments: argumentsText(fn.arguments) || '{}' });
    });
  }
  const fc = m.function_call;
  if (isObject(fc) && typeof fc.name === 'string') {
    parts.push({ type: 'tool-call', id: callId(), name: fc.name, arguments: argumentsText(fc.arguments) || '{}' });
  }
  return parts;
}

/**
 * Message content: a string or content parts. Empty text carries no meaning and is rejected by some upstreams,
 * so it is dropped; audio and file parts have no canonical home and are dropped too.
 */
function decodeContent(content: unknown, where: string): Array<TextPart | ImagePart> {
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  if (!Array.isArray(content)) {
    throw new InvalidRequestError(`${where}.content must be a string or an array of content parts`, `${where}.content`);
  }
  const out: Array<TextPart | ImagePart> = [];
  for (const p of content) {
    if (typeof p === 'string') {
      if (p) out.push({ type: 'text', text: p });
      continue;
    }
    if (!isObject(p)) continue;
    switch (p.type) {
      case 'text':
      case 'input_text':
      case 'output_text': {
        const text = str(p.text);
        if (text) out.push({ type: 'text', text });
        break;
      }
      case 'refusal': {
        const text = str(p.refusal);
        if (text) out.push({ type: 'text', text });
        break;
      }
      case 'image_url': {
        const iu = p.image_url;
        const url = typeof iu === 'string' ? iu : isObject(iu) ? str(iu.url) : undefined;
        if (url) out.push(imageFromUrl(url, isObject(iu) ? str(iu.detail) : undefined));
        break;
      }
      default:
        break;
    }
  }
  return out;
}

function decodeTools(tools: unknown, functions: unknown): ToolDefinition[] {
  const out: ToolDefinition[] = [];
  if (tools !== undefined && tools !== null) {
    if (!Array.isArray(tools)) throw new InvalidRequestError('tools must be an array', 'tools');
    tools.forEach((t, i) => {
      if (!isObject(t)) throw new InvalidRequestError(`tools[${i}] must be an object`, `tools[${i}]`);
      if (t.type !== undefined && t.type !== 'function') return; // web_search, custom, …: not expressible elsewhere
      if (!isObject(t.function)) throw new InvalidRequestError(`tools[${i}].function must be an object`, `tools[${i}].function`);
      out.push(decodeFunction(t.function, `tools[${i}].function`));
    });
  }
  if (functions !== undefined && functions !== null) {
    if (!Array.isArray(functions)) throw new InvalidRequestError('functions must be an array', 'functions');
    functions.forEach((f, i) => {
      if (!isObject(f)) throw new InvalidRequestError(`functions[${i}] must be an object`, `functions[${i}]`);
      out.push(decodeFunction(f, `functions[${i}]`));
    });
  }
  return out;
}

function decodeFunction(fn: Json, where: string): ToolDefinition {
  if (typeof fn.name !== 'string' || !fn.name) throw new InvalidRequestError(`${where}.name must be a non-empty string`, `${where}.name`);
  const tool: ToolDefinition = {
    name: fn.name,
    parameters: isObject(fn.parameters) ? fn.parameters : { type: 'object', properties: {} },
  };
  const description = str(fn.description);
  if (description) tool.description = description;
  if (typeof fn.strict === 'boolean') tool.strict = fn.strict;
  return tool;
}
