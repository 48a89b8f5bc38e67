/**
 * Responses request body → canonical request.
 *
 * `input` is a flat list of items (messages, function calls, their outputs, reasoning); the canonical form is
 * role-alternating messages, so consecutive items of the same role are merged into one message in order
 * (an assistant text followed by its function calls becomes one assistant turn, as Anthropic requires).
 * System / developer messages are hoisted into `system`, after `instructions`.
 */
import type {
  AssistantPart,
  CanonicalRequest,
  ImagePart,
  Message,
  ReasoningConfig,
  ReasoningEffort,
  ResponseFormat,
  TextPart,
  ToolResultPart,
  UserPart,
} from '../../ir/index.js';
import { InvalidRequestError } from '../types.js';
import { decodeToolChoice, decodeTools, type DecodedTools } from './tools.js';
import {
  FORMAT,
  customInputToArguments,
  isObject,
  parseImageUrl,
  reasoningItemText,
  str,
  unpackEncrypted,
  type Json,
  type ResponsesOptions,
} from './wire.js';

const EFFORTS: ReadonlySet<string> = new Set(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']);

export function decodeRequest(body: Record<string, unknown>): CanonicalRequest {
  const options: ResponsesOptions = {};
  const acc: DecodedTools = { tools: [], custom: {} };
  decodeTools(body.tools, 'tools', acc);

  const system: TextPart[] = [];
  if (typeof body.instructions === 'string') {
    if (body.instructions) system.push({ type: 'text', text: body.instructions });
  } else if (body.instructions !== undefined && body.instructions !== null) {
    throw new InvalidRequestError('instructions must be a string', 'instructions');
  }

  const messages = decodeInput(body.input, system, acc);

  const req: CanonicalRequest = {
    model: typeof body.model === 'string' ? body.model : '',
    system,
    messages,
    tools: acc.tools,
    stream: body.stream === true,
  };
  const toolChoice = decodeToolChoice(body.tool_choice);
  if (toolChoice) req.toolChoice = toolChoice;
  if (typeof body.parallel_tool_calls === 'boolean') req.parallelToolCalls = body.parallel_tool_calls;
  req.maxOutputTokens = optionalNumber(body, 'max_output_tokens');
  req.temperature = optionalNumber(body, 'temperature');
  req.topP = optionalNumber(body, 'top_p');
  const reasoning = decodeReasoning(body.reasoning, options);
  if (reasoning) req.reasoning = reasoning;
  const format = decodeText(body.text, options);
  if (format) req.responseFormat = format;
  const user = str(body.user) ?? str(body.safety_identifier);
  if (user) req.userId = user;

  if (Object.keys(acc.custom).length > 0) options.customTools = acc.custom;
  if (typeof body.store === 'boolean') options.store = body.store;
  if (Array.isArray(body.include)) options.include = body.include.filter((x): x is string => typeof x === 'string');
  const cacheKey = str(body.prompt_cache_key);
  if (cacheKey) options.promptCacheKey = cacheKey;
  // `previous_response_id` asks the server to recall stored state; a stateless proxy cannot, so it is ignored.
  if (Object.keys(options).length > 0) req.providerOptions = { [FORMAT]: options as Record<string, unknown> };

  for (const key of ['maxOutputTokens', 'temperature', 'topP'] as const) if (req[key] === undefined) delete req[key];
  return req;
}

function optionalNumber(body: Json, key: string): number | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new InvalidRequestError(`${key} must be a number`, key);
  return v;
}

function decodeReasoning(raw: unknown, options: ResponsesOptions): ReasoningConfig | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isObject(raw)) throw new InvalidRequestError('reasoning must be an object', 'reasoning');
  const out: ReasoningConfig = {};
  if (typeof raw.effort === 'string' && EFFORTS.has(raw.effort)) out.effort = raw.effort as ReasoningEffort;
  const summary = str(raw.summary);
  // With no summary requested, Responses returns no reasoning text: that is exactly includeThoughts:false.
  out.includeThoughts = summary !== undefined;
  if (summary && summary !== 'auto') options.reasoningSummary = summary;
  return out;
}

function decodeText(raw: unknown, options: ResponsesOptions): ResponseFormat | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isObject(raw)) throw new InvalidRequestError('text must be an object', 'text');
  const verbosity = str(raw.verbosity);
  if (verbosity) options.verbosity = verbosity;
  const f = raw.format;
  if (f === undefined || f === null) return undefined;
  if (!isObject(f)) throw new InvalidRequestError('text.format must be an object', 'text.format');
  switch (f.type) {
    case 'text':
      return { type: 'text' };
    case 'json_object':
      return { type: 'json' };
    case 'json_schema': {
      if (!isObject(f.schema)) throw new InvalidRequestError('text.format.schema must be an object', 'text.format.schema');
      const out: ResponseFormat = { type: 'json_schema', schema: f.schema };
      if (typeof f.name === 'string') out.name = f.name;
      if (typeof f.strict === 'boolean') out.strict = f.strict;
      if (typeof f.description === 'string') out.description = f.description;
      return out;
    }
    default:
      throw new InvalidRequestError('text.format.type must be "text", "json_object" or "json_schema"', 'text.format.type');
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Input items

class MessageBuilder {
  readonly messages: Message[] = [];
  /** call_id → tool name, so tool results can carry the name (Gemini needs it). */
  readonly callNames = new Map<string, string>();

  user(part: UserPart): void {
    const last = this.messages[this.messages.length - 1];
    if (last?.role === 'user') last.content.push(part);
    else this.messages.push({ role: 'user', content: [part] });
  }

  assistant(part: AssistantPart): void {
    const last = this.messages[this.messages.length - 1];
    if (last?.role === 'assistant') last.content.push(part);
    else this.messages.push({ role: 'assistant', content: [part] });
  }
}

function decodeInput(input: unknown, system: TextPart[], acc: DecodedTools): Message[] {
  const b = new MessageBuilder();
  if (input === undefined || input === null) return b.messages;
  if (typeof input === 'string') {
    b.user({ type: 'text', text: input });
    return b.messages;
  }
  if (!Array.isArray(input)) throw new InvalidRequestError('input must be a string or an array', 'input');
  input.forEach((item, i) => decodeItem(item, `input[${i}]`, b, system, acc));
  return b.messages;
}

function decodeItem(item: unknown, where: string, b: MessageBuilder, system: TextPart[], acc: DecodedTools): void {
  if (!isObject(item)) throw new InvalidRequestError(`${where} must be an object`, where);
  switch (item.type) {
    case undefined:
    case 'message':
      decodeMessage(item, where, b, system);
      return;
    case 'function_call':
    case 'custom_tool_call': {
      const id = str(item.call_id) ?? str(item.id);
      const name = str(item.name);
      if (!id) throw new InvalidRequestError(`${where}.call_id must be a string`, `${where}.call_id`);
      if (!name) throw new InvalidRequestError(`${where}.name must be a string`, `${where}.name`);
      let args: string;
      if (item.type === 'custom_tool_call') args = customInputToArguments(str(item.input) ?? '');
      else if (typeof item.arguments === 'string') args = item.arguments || '{}';
      else args = isObject(item.arguments) ? JSON.stringify(item.arguments) : '{}';
      b.callNames.set(id, name);
      b.assistant({ type: 'tool-call', id, name, arguments: args });
      return;
    }
    case 'function_call_output':
    case 'custom_tool_call_output': {
      const callId = str(item.call_id);
      if (!callId) throw new InvalidRequestError(`${where}.call_id must be a string`, `${where}.call_id`);
      const part: ToolResultPart = { type: 'tool-result', callId, content: decodeToolOutput(item.output, `${where}.output`) };
      const name = b.callNames.get(callId);
      if (name) part.name = name;
      b.user(part);
      return;
    }
    case 'reasoning': {
      const text = reasoningItemText(item);
      const enc = str(item.encrypted_content);
      const unpacked = enc ? unpackEncrypted(enc) : undefined;
      if (!text && !unpacked) return; // nothing usable: no text to show, no signature to replay
      const part: AssistantPart = { type: 'reasoning', text, family: unpacked?.family ?? 'openai' };
      if (unpacked?.signature) part.signature = unpacked.signature;
      if (unpacked?.redactedData) part.redactedData = unpacked.redactedData;
      const id = str(item.id);
      if (id) part.itemId = id;
      b.assistant(part);
      return;
    }
    case 'additional_tools':
      decodeTools(item.tools, `${where}.tools`, acc);
      return;
    default:
      // item_reference needs server-side storage we do not have; hosted-tool call items (web_search_call, ...)
      // have no canonical meaning. Unknown items are skipped, never fatal.
      return;
  }
}

function decodeMessage(item: Json, where: string, b: MessageBuilder, system: TextPart[]): void {
  const role = item.role;
  if (role !== 'user' && role !== 'assistant' && role !== 'system' && role !== 'developer') {
    throw new InvalidRequestError(`${where}.role must be one of user, assistant, system, developer`, `${where}.role`);
  }
  const parts = decodeContent(item.content, `${where}.content`);
  if (role === 'system' || role === 'developer') {
    for (const p of parts) if (p.type === 'text' && p.text !== '') system.push(p);
    return;
  }
  if (role === 'assistant') {
    for (const p of parts) b.assistant(p);
    return;
  }
  for (const p of parts) b.user(p);
}

function decodeContent(content: unknown, where: string): Array<TextPart | ImagePart> {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (content === undefined || content === null) return [];
  if (!Array.isArray(content)) throw new InvalidRequestError(`${where} must be a string or an array`, where);
  const out: Array<TextPart | ImagePart> = [];
  content.forEach((c, i) => {
    if (!isObject(c)) throw new InvalidRequestError(`${where}[${i}] must be an object`, `${where}[${i}]`);
    const part = decodeContentPart(c);
    if (part) out.push(part);
  });
  return out;
}

function decodeContentPart(c: Json): TextPart | ImagePart | undefined {
  switch (c.type) {
    case 'input_text':
    case 'output_text':
    case 'text':
      return typeof c.text === 'string' ? { type: 'text', text: c.text } : undefined;
    case 'refusal':
      return typeof c.refusal === 'string' ? { type: 'text', text: c.refusal } : undefined;
    case 'input_image': {
      const url = str(c.image_url) ?? (isObject(c.image_url) ? str(c.image_url.url) : undefined);
      // `file_id` images live in OpenAI's file store, which no other upstream can read: dropped.
      if (!url) return undefined;
      const part: ImagePart = { type: 'image', source: parseImageUrl(url) };
      const detail = str(c.detail);
      if (detail && detail !== 'auto') part.detail = detail;
      return part;
    }
    default:
      // input_file / input_audio have no canonical home.
      return undefined;
  }
}

function decodeToolOutput(output: unknown, where: string): Array<TextPart | ImagePart> {
  // An empty output is an empty result (not an empty text block, which some upstreams reject).
  if (typeof output === 'string') return output === '' ? [] : [{ type: 'text', text: output }];
  if (output === undefined || output === null) return [];
  if (Array.isArray(output)) return decodeContent(output, where).filter((p) => p.type !== 'text' || p.text !== '');
  // Some clients send structured output objects; keep them as JSON text rather than fail.
  return [{ type: 'text', text: JSON.stringify(output) }];
}
