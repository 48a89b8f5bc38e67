import type {
  AssistantPart,
  CanonicalRequest,
  ImagePart,
  Message,
  ResponseFormat,
  TextPart,
  ToolChoice,
  UserPart,
} from '../../ir/index.js';
import { reasoningEffort } from '../shared/reasoning.js';
import { ResumeCache, StableCache } from '../../ir/stable.js';
import { PASSTHROUGH_FIELDS } from './request-decode.js';
import { imageToUrl, isObject, type Json } from './wire.js';

/** The Chat messages each stable (stored) canonical message became; shared by later turns, never mutated. */
const wireCache = new StableCache<Json[]>();
/** The wire tools of each stable canonical tool list. */
const toolsCache = new StableCache<Json[]>();

/**
 * Canonical request → Chat Completions body for an OpenAI-compatible upstream. Aims at the widest
 * compatibility: one string system message, string content whenever possible, tool messages as plain text.
 */
export function encodeRequest(req: CanonicalRequest, model: string): Record<string, unknown> {
  // Several system messages or array content trip up many chat templates (Mistral, Qwen); one string does not.
  const systemText = req.system.map((p) => p.text).filter((t) => t !== '').join('\n\n');
  const messages: Json[] = systemText ? [{ role: 'system', content: systemText }] : [];
  encodeHistory(req.messages, messages);

  const body: Json = { model, messages, stream: req.stream };
  // Always ask for usage when streaming: we report it to the caller and to usage statistics.
  if (req.stream) body.stream_options = { include_usage: true };

  const extras = req.providerOptions?.['openai-chat'];
  if (req.maxOutputTokens !== undefined) {
    const field = extras?.maxTokensField === 'max_completion_tokens' ? 'max_completion_tokens' : 'max_tokens';
    body[field] = req.maxOutputTokens;
  }
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.topP !== undefined) body.top_p = req.topP;
  // top_k is not part of the OpenAI API (OpenAI itself answers 400 to unknown parameters): dropped.
  if (req.stop && req.stop.length > 0) body.stop = req.stop;

  if (req.tools.length > 0) {
    body.tools =
      toolsCache.get(req.tools) ??
      toolsCache.keep(
        req.tools,
        req.tools.map((t) => {
          const fn: Json = { name: t.name };
          if (t.description !== undefined) fn.description = t.description;
          // Chat accepts full JSON Schema: parameters pass through untouched.
          fn.parameters = t.parameters;
          if (t.strict !== undefined) fn.strict = t.strict;
          return { type: 'function', function: fn };
        }),
      );
    if (req.toolChoice) body.tool_choice = encodeToolChoice(req.toolChoice);
    if (req.parallelToolCalls !== undefined) body.parallel_tool_calls = req.parallelToolCalls;
  }

  const effort = reasoningEffort(req.reasoning);
  if (effort !== undefined) body.reasoning_effort = effort;
  if (req.responseFormat) body.response_format = encodeResponseFormat(req.responseFormat);
  if (req.userId) body.user = req.userId;

  if (isObject(extras)) for (const key of PASSTHROUGH_FIELDS) if (extras[key] !== undefined) body[key] = extras[key];
  return body;
}

/** Where a history's Chat messages were written: `wire[start, end)` (the body's `messages`, kept by reference). */
interface Folded {
  readonly wire: readonly Json[];
  readonly start: number;
  readonly end: number;
}

const resumeCache = new ResumeCache<Folded>();

/**
 * Append the history as Chat messages to `out`: each message's own (cached when stable), resuming where the
 * last turn left off, so a stored history is copied once per turn, straight into the body.
 */
function encodeHistory(history: Message[], out: Json[]): void {
  const start = out.length;
  const resumed = resumeCache.resume(history);
  if (resumed) {
    const { wire, start: from, end } = resumed.state;
    for (let i = from; i < end; i++) out.push(wire[i]!);
  }
  for (let i = resumed?.from ?? 0; i < history.length; i++) {
    const m = history[i]!;
    let own = wireCache.get(m);
    if (!own) {
      own = [];
      if (m.role === 'user') encodeUser(m.content, own);
      else encodeAssistant(m.content, own);
      wireCache.keep(m, own);
    }
    for (const w of own) out.push(w);
  }
  resumeCache.remember(history, { wire: out, start, end: out.length });
}

function encodeToolChoice(c: ToolChoice): unknown {
  return c.type === 'tool' ? { type: 'function', function: { name: c.name } } : c.type;
}

function encodeResponseFormat(f: ResponseFormat): Json {
  switch (f.type) {
    case 'text':
      return { type: 'text' };
    case 'json':
      return { type: 'json_object' };
    case 'json_schema': {
      // `name` is required by OpenAI.
      const js: Json = { name: f.name ?? 'response', schema: f.schema };
      if (f.strict !== undefined) js.strict = f.strict;
      if (f.description !== undefined) js.description = f.description;
      return { type: 'json_schema', json_schema: js };
    }
  }
}

/**
 * A canonical user turn may mix tool results and new input. Chat needs each result as a `tool` message right
 * after the assistant's calls, so results go first; images a tool returned cannot live in a tool message and
 * follow in one user message together with the rest of the turn.
 */
function encodeUser(parts: UserPart[], out: Json[]): void {
  const userParts: Array<TextPart | ImagePart> = [];
  for (const p of parts) {
    if (p.type !== 'tool-result') {
      userParts.push(p);
      continue;
    }
    const texts: string[] = [];
    const images: ImagePart[] = [];
    for (const c of p.content) {
      if (c.type === 'text') texts.push(c.text);
      else images.push(c);
    }
    let content = texts.join('\n');
    if (images.length > 0) {
      if (!content) content = `[${images.length} image(s) attached in the next user message]`;
      userParts.push({ type: 'text', text: `Images returned by tool call ${p.callId}:` }, ...images);
    }
    out.push({ role: 'tool', tool_call_id: p.callId, content });
  }
  if (userParts.length === 0) return;
  if (userParts.length === 1 && userParts[0].type === 'text') {
    out.push({ role: 'user', content: userParts[0].text });
    return;
  }
  out.push({
    role: 'user',
    content: userParts.map((p) =>
      p.type === 'text' ? { type: 'text', text: p.text } : { type: 'image_url', image_url: imageUrl(p) },
    ),
  });
}

function imageUrl(p: ImagePart): Json {
  const iu: Json = { url: imageToUrl(p) };
  if (p.detail !== undefined) iu.detail = p.detail;
  return iu;
}

/**
 * Reasoning is not sent back (OpenAI-compatible servers reject or ignore it), nor are images (assistant content
 * is text only). A turn left with nothing is skipped: an empty assistant message is invalid for most servers.
 */
function encodeAssistant(parts: AssistantPart[], out: Json[]): void {
  const texts: string[] = [];
  const calls: Json[] = [];
  for (const p of parts) {
    if (p.type === 'text') texts.push(p.text);
    else if (p.type === 'tool-call') {
      calls.push({ id: p.id, type: 'function', function: { name: p.name, arguments: p.arguments || '{}' } });
    }
  }
  const text = texts.join('');
  if (!text && calls.length === 0) return;
  const msg: Json = { role: 'assistant', content: text || null };
  if (calls.length > 0) msg.tool_calls = calls;
  out.push(msg);
}
