import type { ToolCallPart } from '../../ir/index.js';
import { rememberArguments } from '../shared/parsed-arguments.js';
import type {
  AssistantPart,
  CanonicalRequest,
  ImagePart,
  Message,
  ReasoningConfig,
  ResponseFormat,
  TextPart,
  ToolChoice,
  ToolDefinition,
  ToolResultPart,
  UserPart,
} from '../../ir/index.js';
import { InvalidRequestError } from '../types.js';
import type { AnthropicOptions } from './options.js';
import { EFFORT_FROM_WIRE, isObject, num, str, type Json } from './wire.js';

/** Top-level request keys with a canonical home; every other key is kept verbatim in passthrough. */
const KNOWN_KEYS = new Set([
  'model', 'messages', 'system', 'max_tokens', 'temperature', 'top_p', 'top_k', 'stop_sequences', 'stream',
  'tools', 'tool_choice', 'thinking', 'metadata', 'output_format', 'output_config',
]);

/** Tool keys with a canonical home; the rest (cache_control, defer_loading, …) go to toolExtras. */
const TOOL_KEYS = new Set(['name', 'description', 'input_schema', 'strict', 'type']);

function fail(message: string, param?: string): never {
  throw new InvalidRequestError(message, param);
}

function cacheControl(v: unknown): TextPart['cacheControl'] | undefined {
  if (!isObject(v) || typeof v.type !== 'string') return undefined;
  return typeof v.ttl === 'string' ? { type: v.type, ttl: v.ttl } : { type: v.type };
}

function textPart(text: string, cc?: unknown): TextPart {
  const part: TextPart = { type: 'text', text };
  const c = cacheControl(cc);
  if (c) part.cacheControl = c;
  return part;
}

/** Content as a list of blocks; a string is one text block. Empty text is dropped: it carries nothing. */
function blocksOf(content: unknown, where: string): Json[] {
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  if (!Array.isArray(content)) fail(`${where} must be a string or an array of content blocks`, where);
  return content.map((b, i) => {
    if (!isObject(b) || typeof b.type !== 'string') fail(`${where}[${i}] must be a content block object with a type`, where);
    return b;
  });
}

function requireString(v: unknown, where: string): string {
  if (typeof v !== 'string') fail(`${where} must be a string`, where);
  return v;
}

function decodeImage(b: Json): ImagePart | undefined {
  const src = b.source;
  if (!isObject(src)) return undefined;
  if (src.type === 'base64' && typeof src.data === 'string') {
    return { type: 'image', source: { kind: 'base64', mediaType: str(src.media_type) ?? 'image/png', data: src.data } };
  }
  if (src.type === 'url' && typeof src.url === 'string') return { type: 'image', source: { kind: 'url', url: src.url } };
  return undefined; // `file` sources reference Anthropic's Files API: meaningless elsewhere
}

function joinTexts(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((c) => (isObject(c) && typeof c.text === 'string' ? c.text : ''))
    .filter(Boolean)
    .join('\n');
}

/**
 * Blocks other formats cannot express but whose text still matters to the model (documents with text,
 * search results, web search results) become text; binary documents are dropped.
 */
function asText(b: Json): string | undefined {
  switch (b.type) {
    case 'document': {
      const src = b.source;
      if (!isObject(src)) return undefined;
      const body = src.type === 'text' ? str(src.data) : src.type === 'content' ? joinTexts(src.content) : undefined;
      if (!body) return undefined;
      return typeof b.title === 'string' && b.title ? `${b.title}\n\n${body}` : body;
    }
    case 'search_result': {
      const body = joinTexts(b.content);
      const head = [str(b.title), str(b.source) ? `(${str(b.source)})` : undefined].filter(Boolean).join(' ');
      return [head, body].filter(Boolean).join('\n') || undefined;
    }
    case 'web_search_tool_result': {
      if (!Array.isArray(b.content)) return undefined;
      const lines = b.content
        .filter(isObject)
        .filter((r) => r.type === 'web_search_result')
        .map((r) => `- ${str(r.title) ?? ''} ${str(r.url) ?? ''}`.trim());
      return lines.length ? `Web search results:\n${lines.join('\n')}` : undefined;
    }
    default:
      return undefined;
  }
}

function decodeToolResult(b: Json, where: string): ToolResultPart {
  const part: ToolResultPart = {
    type: 'tool-result',
    callId: requireString(b.tool_use_id, `${where}.tool_use_id`),
    content: [],
  };
  for (const c of blocksOf(b.content, `${where}.content`)) {
    if (c.type === 'text') {
      const text = requireString(c.text, `${where}.content.text`);
      if (text) part.content.push(textPart(text, c.cache_control));
    } else if (c.type === 'image') {
      const img = decodeImage(c);
      if (img) part.content.push(img);
    } else {
      const text = asText(c);
      if (text) part.content.push({ type: 'text', text });
    }
  }
  if (b.is_error === true) part.isError = true;
  return part;
}

function decodeUser(content: unknown, where: string): UserPart[] {
  const parts: UserPart[] = [];
  blocksOf(content, where).forEach((b, i) => {
    const at = `${where}[${i}]`;
    switch (b.type) {
      case 'text': {
        const text = requireString(b.text, `${at}.text`);
        if (text) parts.push(textPart(text, b.cache_control));
        return;
      }
      case 'image': {
        const img = decodeImage(b);
        if (img) parts.push(img);
        return;
      }
      case 'tool_result':
        parts.push(decodeToolResult(b, at));
        return;
      default: {
        const text = asText(b);
        if (text) parts.push({ type: 'text', text });
      }
    }
  });
  return parts;
}

function decodeAssistant(content: unknown, where: string): AssistantPart[] {
  const parts: AssistantPart[] = [];
  blocksOf(content, where).forEach((b, i) => {
    const at = `${where}[${i}]`;
    switch (b.type) {
      case 'text': {
        const text = requireString(b.text, `${at}.text`);
        if (text) parts.push(textPart(text, b.cache_control));
        return;
      }
      case 'thinking': {
        const part: AssistantPart = { type: 'reasoning', text: str(b.thinking) ?? '', family: 'anthropic' };
        // An empty signature (what clients echo for thinking we produced without one) is no signature.
        if (typeof b.signature === 'string' && b.signature) part.signature = b.signature;
        parts.push(part);
        return;
      }
      case 'redacted_thinking':
        if (typeof b.data === 'string' && b.data) parts.push({ type: 'reasoning', text: '', redactedData: b.data, family: 'anthropic' });
        return;
      case 'tool_use': {
        const input = b.input;
        const call: ToolCallPart = {
          type: 'tool-call',
          id: requireString(b.id, `${at}.id`),
          name: requireString(b.name, `${at}.name`),
          arguments: typeof input === 'string' ? input : JSON.stringify(input ?? {}),
        };
        if (input && typeof input === 'object' && !Array.isArray(input)) rememberArguments(call, input as Record<string, unknown>);
        parts.push(call);
        return;
      }
      case 'image': {
        const img = decodeImage(b);
        if (img) parts.push(img);
        return;
      }
      default: {
        // server_tool_use is executed by Anthropic itself and has no client-side result: dropped.
        const text = asText(b);
        if (text) parts.push({ type: 'text', text });
      }
    }
  });
  return parts;
}

function decodeSystemText(content: unknown, where: string): TextPart[] {
  const out: TextPart[] = [];
  for (const b of blocksOf(content, where)) {
    if (b.type !== 'text') continue;
    const text = requireString(b.text, `${where}.text`);
    if (text) out.push(textPart(text, b.cache_control));
  }
  return out;
}

function decodeMessages(body: Json, system: TextPart[]): Message[] {
  const raw = body.messages;
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) fail('messages must be an array', 'messages');
  const messages: Message[] = [];
  raw.forEach((m, i) => {
    const at = `messages[${i}]`;
    if (!isObject(m)) fail(`${at} must be an object`, at);
    switch (m.role) {
      case 'system':
        // Coding agents put system entries inside messages; they are instructions, kept in order.
        system.push(...decodeSystemText(m.content, `${at}.content`));
        return;
      case 'user': {
        const content = decodeUser(m.content, `${at}.content`);
        if (content.length) messages.push({ role: 'user', content });
        return;
      }
      case 'assistant': {
        const content = decodeAssistant(m.content, `${at}.content`);
        if (content.length) messages.push({ role: 'assistant', content });
        return;
      }
      default:
        fail(`${at}.role must be "user", "assistant" or "system"`, `${at}.role`);
    }
  });
  return messages;
}

function decodeTools(raw: unknown, opts: AnthropicOptions): ToolDefinition[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) fail('tools must be an array', 'tools');
  const tools: ToolDefinition[] = [];
  raw.forEach((t, i) => {
    if (!isObject(t)) fail(`tools[${i}] must be an object`, 'tools');
    if (typeof t.type === 'string' && t.type !== 'custom' && t.input_schema === undefined) {
      (opts.serverTools ??= []).push(t);
      return;
    }
    const name = requireString(t.name, `tools[${i}].name`);
    const def: ToolDefinition = {
      name,
      parameters: isObject(t.input_schema) ? t.input_schema : { type: 'object', properties: {} },
    };
    if (typeof t.description === 'string') def.description = t.description;
    if (typeof t.strict === 'boolean') def.strict = t.strict;
    tools.push(def);
    const extras: Json = {};
    for (const k of Object.keys(t)) if (!TOOL_KEYS.has(k)) extras[k] = t[k];
    if (Object.keys(extras).length) (opts.toolExtras ??= {})[name] = extras;
  });
  return tools;
}

function decodeToolChoice(raw: unknown, req: CanonicalRequest): void {
  if (raw === undefined || raw === null) return;
  const tc: Json = typeof raw === 'string' ? { type: raw } : isObject(raw) ? raw : fail('tool_choice must be an object', 'tool_choice');
  let choice: ToolChoice;
  switch (tc.type) {
    case 'auto':
      choice = { type: 'auto' };
      break;
    case 'any':
      choice = { type: 'required' };
      break;
    case 'none':
      choice = { type: 'none' };
      break;
    case 'tool':
      choice = { type: 'tool', name: requireString(tc.name, 'tool_choice.name') };
      break;
    default:
      fail('tool_choice.type must be one of auto, any, tool, none', 'tool_choice');
  }
  req.toolChoice = choice;
  if (tc.disable_parallel_tool_use === true) req.parallelToolCalls = false;
}

function decodeReasoning(body: Json, opts: AnthropicOptions): ReasoningConfig | undefined {
  const oc = isObject(body.output_config) ? body.output_config : undefined;
  const rawEffort = str(oc?.effort);
  const effort = rawEffort !== undefined ? EFFORT_FROM_WIRE[rawEffort] : undefined;
  if (rawEffort !== undefined && effort) opts.effort = rawEffort;
  const t = body.thinking;
  if (isObject(t)) {
    const show = t.display !== 'omitted';
    switch (t.type) {
      case 'enabled': {
        const r: ReasoningConfig = { includeThoughts: show };
        const budget = num(t.budget_tokens);
        if (budget !== undefined) r.budgetTokens = budget;
        if (effort) r.effort = effort;
        else if (budget === undefined) r.effort = 'high';
        return r;
      }
      case 'adaptive':
      case 'between_tools':
        return { effort: effort ?? 'high', includeThoughts: show };
      case 'disabled':
        return { effort: 'none' };
    }
  }
  return effort ? { effort } : undefined;
}

function decodeResponseFormat(body: Json): ResponseFormat | undefined {
  const oc = isObject(body.output_config) ? body.output_config : undefined;
  const f = isObject(oc?.format) ? oc.format : isObject(body.output_format) ? body.output_format : undefined;
  if (f?.type === 'json_schema' && isObject(f.schema)) return { type: 'json_schema', schema: f.schema };
  return undefined;
}

function optionalNumber(body: Json, key: string): number | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${key} must be a number`, key);
  return v;
}

/** Anthropic Messages request body → canonical request. */
export function decodeRequest(body: Json): CanonicalRequest {
  const opts: AnthropicOptions = {};
  const system = body.system === undefined || body.system === null ? [] : decodeSystemText(body.system, 'system');
  const req: CanonicalRequest = {
    model: str(body.model) ?? '',
    system,
    messages: decodeMessages(body, system),
    tools: decodeTools(body.tools, opts),
    stream: body.stream === true,
  };
  decodeToolChoice(body.tool_choice, req);

  const maxTokens = optionalNumber(body, 'max_tokens');
  if (maxTokens !== undefined) req.maxOutputTokens = maxTokens;
  const temperature = optionalNumber(body, 'temperature');
  if (temperature !== undefined) req.temperature = temperature;
  const topP = optionalNumber(body, 'top_p');
  if (topP !== undefined) req.topP = topP;
  const topK = optionalNumber(body, 'top_k');
  if (topK !== undefined) req.topK = topK;

  const stops = body.stop_sequences;
  if (stops !== undefined && stops !== null) {
    if (!Array.isArray(stops) || stops.some((s) => typeof s !== 'string')) fail('stop_sequences must be an array of strings', 'stop_sequences');
    if (stops.length) req.stop = stops as string[];
  }

  const reasoning = decodeReasoning(body, opts);
  if (reasoning) req.reasoning = reasoning;
  const rf = decodeResponseFormat(body);
  if (rf) req.responseFormat = rf;

  if (isObject(body.metadata) && typeof body.metadata.user_id === 'string' && body.metadata.user_id) req.userId = body.metadata.user_id;

  if (isObject(body.output_config)) {
    const rest: Json = {};
    for (const [k, v] of Object.entries(body.output_config)) if (k !== 'effort' && k !== 'format') rest[k] = v;
    if (Object.keys(rest).length) opts.outputConfig = rest;
  }
  const passthrough: Json = {};
  for (const k of Object.keys(body)) if (!KNOWN_KEYS.has(k)) passthrough[k] = body[k];
  if (Object.keys(passthrough).length) opts.passthrough = passthrough;

  if (Object.keys(opts).length) req.providerOptions = { anthropic: opts as Record<string, unknown> };
  return req;
}
