import { rememberedArguments } from '../shared/parsed-arguments.js';
import { ResumeCache, StableCache } from '../../ir/stable.js';
import type {
  AssistantPart,
  CanonicalRequest,
  ImagePart,
  Message,
  ReasoningEffort,
  TextPart,
  ToolResultPart,
  UserPart,
} from '../../ir/index.js';
import { effortToBudget, reasoningBudget, reasoningEffort } from '../shared/reasoning.js';
import { claudeCapabilities, fitEffort, type ClaudeCapabilities } from './models.js';
import { anthropicOptions, type AnthropicOptions } from './options.js';
import { toAnthropicInputSchema } from './schema.js';
import { EFFORT_FROM_WIRE, isObject, parseDataUrl, type Json } from './wire.js';

/** Canonical effort → Anthropic `output_config.effort` (Anthropic has no `minimal`). */
const EFFORT_TO_WIRE: Record<Exclude<ReasoningEffort, 'none'>, string> = {
  minimal: 'low',
  low: 'low',
  medium: 'medium',
  high: 'high',
  xhigh: 'xhigh',
};

const VALID_ID = /^[a-zA-Z0-9_-]+$/;

/**
 * Anthropic tool ids must match ^[a-zA-Z0-9_-]+$; ids from other formats may not. The mapping is a pure
 * function of the id, so a call and its result stay paired across turns.
 */
export function toolId(id: string): string {
  if (VALID_ID.test(id)) return id;
  return id ? id.replace(/[^a-zA-Z0-9_-]/g, '_') : 'toolu_empty';
}

/** Tool-call arguments as the `input` object; anything but a JSON object becomes {} rather than a crash. */
export function parseArguments(args: string): Json {
  if (!args) return {};
  try {
    const v = JSON.parse(args) as unknown;
    return isObject(v) ? v : {};
  } catch {
    return {};
  }
}

function textBlock(p: TextPart): Json {
  const b: Json = { type: 'text', text: p.text };
  if (p.cacheControl) b.cache_control = p.cacheControl;
  return b;
}

function imageBlock(p: ImagePart): Json {
  if (p.source.kind === 'base64') {
    return { type: 'image', source: { type: 'base64', media_type: p.source.mediaType, data: p.source.data } };
  }
  // Other formats carry inline images as data URLs; Anthropic's url source only takes http(s).
  const inline = parseDataUrl(p.source.url);
  if (inline) return { type: 'image', source: { type: 'base64', media_type: inline.mediaType, data: inline.data } };
  return { type: 'image', source: { type: 'url', url: p.source.url } };
}

function toolResultBlock(p: ToolResultPart): Json {
  const b: Json = { type: 'tool_result', tool_use_id: toolId(p.callId) };
  const content = p.content.filter((c) => c.type !== 'text' || c.text !== '');
  if (content.length === 1 && content[0]!.type === 'text' && !content[0]!.cacheControl) b.content = content[0]!.text;
  else if (content.length) b.content = content.map((c) => (c.type === 'text' ? textBlock(c) : imageBlock(c)));
  if (p.isError) b.is_error = true;
  return b;
}

function userBlocks(parts: UserPart[]): Json[] {
  const results: Json[] = [];
  const rest: Json[] = [];
  for (const p of parts) {
    if (p.type === 'tool-result') results.push(toolResultBlock(p));
    else if (p.type === 'image') rest.push(imageBlock(p));
    else if (p.text) rest.push(textBlock(p));
  }
  // Anthropic wants tool_result blocks before any other content of the user turn.
  return results.length ? [...results, ...rest] : rest;
}

function assistantBlocks(parts: AssistantPart[]): Json[] {
  const out: Json[] = [];
  for (const p of parts) {
    switch (p.type) {
      case 'text':
        if (p.text) out.push(textBlock(p));
        break;
      case 'reasoning':
        // Signatures are only valid within their family; without one Anthropic rejects the block, and we
        // never fabricate one, so foreign or unsigned reasoning is dropped.
        if (p.family !== 'anthropic') break;
        if (p.redactedData) out.push({ type: 'redacted_thinking', data: p.redactedData });
        else if (p.signature) out.push({ type: 'thinking', thinking: p.text, signature: p.signature });
        break;
      case 'tool-call':
        out.push({ type: 'tool_use', id: toolId(p.id), name: p.name, input: rememberedArguments(p) ?? parseArguments(p.arguments) });
        break;
      case 'image':
        break; // Anthropic assistant turns cannot hold images
    }
  }
  return out;
}

interface WireMessage {
  role: 'user' | 'assistant';
  content: Json[];
}

/** A message with nothing Anthropic can carry (e.g. only foreign reasoning). */
const NOTHING = { role: 'user', content: [] } as const satisfies WireMessage;
const wireCache = new StableCache<WireMessage>();

/** One message's wire form; cached for stable messages, so it must never be mutated (see encodeMessages). */
function wireMessage(m: Message): WireMessage | undefined {
  let w = wireCache.get(m);
  if (w === undefined) {
    const content = m.role === 'user' ? userBlocks(m.content) : assistantBlocks(m.content);
    w = wireCache.keep(m, content.length ? { role: m.role, content } : NOTHING);
  }
  return w === NOTHING ? undefined : w;
}

/**
 * Where the encoding of a stable history left off: the wire messages it folded into (kept by reference; the
 * first `n` count), the last one as it was before the final trim.
 */
const resumeCache = new ResumeCache<{ wire: readonly WireMessage[]; n: number; lastBeforeTrim: WireMessage }>();

/**
 * Encode messages, merging consecutive same-role turns (Anthropic requires alternation). Wire messages may be
 * shared with the stable-message cache, so a merged or trimmed turn is rebuilt rather than changed in place.
 */
export function encodeMessages(messages: Message[]): WireMessage[] {
  // Sized up front: grown by push, a long thread's array would be copied several times per turn.
  const out = new Array<WireMessage>(messages.length);
  let n = 0;
  const resumed = resumeCache.resume(messages);
  if (resumed) {
    const { wire, n: count, lastBeforeTrim } = resumed.state;
    for (let i = 0; i < count - 1; i++) out[n++] = wire[i]!;
    out[n++] = lastBeforeTrim;
  }
  const from = resumed?.from ?? 0;
  for (let i = from; i < messages.length; i++) {
    const w = wireMessage(messages[i]!);
    if (!w) continue;
    const last = n > 0 ? out[n - 1]! : undefined;
    if (last && last.role === w.role) {
      const content = [...last.content, ...w.content];
      out[n - 1] = { role: w.role, content: w.role === 'user' && w.content[0]!.type === 'tool_result' ? userBlocksOrder(content) : content };
    } else out[n++] = w;
  }
  if (n > 0) resumeCache.remember(messages, { wire: out, n, lastBeforeTrim: out[n - 1]! });
  // A final assistant turn is a prefill; Anthropic rejects one ending in whitespace.
  const last = n > 0 ? out[n - 1]! : undefined;
  if (last?.role === 'assistant') {
    const tail = last.content[last.content.length - 1];
    if (tail?.type === 'text' && typeof tail.text === 'string') {
      const trimmed = tail.text.trimEnd();
      if (trimmed !== tail.text) {
        const content = last.content.slice(0, -1);
        if (trimmed) content.push({ ...tail, text: trimmed });
        if (content.length) out[n - 1] = { role: 'assistant', content };
        else n--;
      }
    }
  }
  out.length = n;
  return out;
}

function userBlocksOrder(blocks: Json[]): Json[] {
  return [...blocks.filter((b) => b.type === 'tool_result'), ...blocks.filter((b) => b.type !== 'tool_result')];
}

/**
 * With thinking on, Anthropic demands that the assistant turn which opened the current tool loop start with
 * its (signed) thinking block. History from other formats has none, so thinking is switched off for such a
 * request instead of failing with a 400.
 */
function toolLoopLacksThinking(messages: WireMessage[]): boolean {
  const last = messages[messages.length - 1];
  if (!last || last.role !== 'user' || !last.content.some((b) => b.type === 'tool_result')) return false;
  const prev = messages[messages.length - 2];
  if (!prev || prev.role !== 'assistant' || !prev.content.some((b) => b.type === 'tool_use')) return false;
  const first = prev.content[0]!.type;
  return first !== 'thinking' && first !== 'redacted_thinking';
}

interface ThinkingPlan {
  thinking?: Json;
  budget?: number;
  effort?: string;
}

function planThinking(req: CanonicalRequest, caps: ClaudeCapabilities, opts: AnthropicOptions, messages: WireMessage[]): ThinkingPlan {
  const r = req.reasoning;
  if (!r || !caps.thinking) return {};
  const level = reasoningEffort(r);
  if (level === undefined || level === 'none') return {};
  // Anthropic rejects thinking together with a forced tool choice.
  if (req.toolChoice?.type === 'required' || req.toolChoice?.type === 'tool') return {};
  if (toolLoopLacksThinking(messages)) return {};

  // Keep the caller's exact Anthropic effort (e.g. `max`) when it is what the canonical level came from.
  const wanted = opts.effort && EFFORT_FROM_WIRE[opts.effort] === level ? opts.effort : EFFORT_TO_WIRE[level];
  if (caps.adaptive) {
    return {
      thinking: { type: 'adaptive', display: r.includeThoughts === false ? 'omitted' : 'summarized' },
      effort: fitEffort(wanted, caps.efforts),
    };
  }
  let budget = reasoningBudget(r) ?? effortToBudget(level);
  if (budget < 0) budget = effortToBudget('medium'); // dynamic: Anthropic has no such mode
  budget = Math.max(1024, budget);
  const plan: ThinkingPlan = { thinking: { type: 'enabled', budget_tokens: budget }, budget };
  if (r.effort !== undefined) plan.effort = fitEffort(wanted, caps.efforts);
  return plan;
}

/** The wire tools of each stable canonical tool list (without per-request extras); shared by later turns. */
const toolsCache = new StableCache<Json[]>();

function encodeTools(req: CanonicalRequest, opts: AnthropicOptions): Json[] {
  const plain = !opts.toolExtras || Object.keys(opts.toolExtras).length === 0;
  let tools = plain ? toolsCache.get(req.tools) : undefined;
  if (!tools) {
    tools = req.tools.map((t) => {
      const tool: Json = { ...(opts.toolExtras?.[t.name] ?? {}), name: t.name };
      if (t.description) tool.description = t.description;
      tool.input_schema = toAnthropicInputSchema(t.parameters);
      if (t.strict) tool.strict = true;
      return tool;
    });
    if (plain) toolsCache.keep(req.tools, tools);
  }
  return opts.serverTools ? [...tools, ...opts.serverTools] : tools;
}

function encodeToolChoice(req: CanonicalRequest): Json | undefined {
  let tc: Json | undefined;
  switch (req.toolChoice?.type) {
    case 'auto':
      tc = { type: 'auto' };
      break;
    case 'required':
      tc = { type: 'any' };
      break;
    case 'none':
      return { type: 'none' };
    case 'tool':
      tc = { type: 'tool', name: req.toolChoice.name };
      break;
  }
  if (req.parallelToolCalls === false) {
    tc ??= { type: 'auto' };
    tc.disable_parallel_tool_use = true;
  }
  return tc;
}

/** Canonical request → Anthropic Messages body for `model`. */
export function encodeRequest(req: CanonicalRequest, model: string): Json {
  const caps = claudeCapabilities(model);
  const opts = anthropicOptions(req);
  const messages = encodeMessages(req.messages);
  const plan = planThinking(req, caps, opts, messages);

  let maxTokens = req.maxOutputTokens ?? caps.defaultMaxTokens;
  if (plan.budget !== undefined && maxTokens <= plan.budget) maxTokens = plan.budget + 4096;

  const body: Json = { model, max_tokens: maxTokens };
  const system = req.system.filter((p) => p.text).map(textBlock);
  if (system.length) body.system = system;
  body.messages = messages;

  const tools = encodeTools(req, opts);
  if (tools.length) {
    body.tools = tools;
    const tc = encodeToolChoice(req);
    if (tc) body.tool_choice = tc;
  }

  if (plan.thinking) body.thinking = plan.thinking;
  else {
    // Anthropic rejects sampling settings with thinking on, and temperature together with top_p on
    // current models; temperature wins.
    if (req.temperature !== undefined) body.temperature = req.temperature;
    else if (req.topP !== undefined) body.top_p = req.topP;
    if (req.topK !== undefined) body.top_k = req.topK;
  }

  const stops = req.stop?.filter((s) => s.trim() !== '');
  if (stops?.length) body.stop_sequences = stops;

  const outputConfig: Json = { ...(opts.outputConfig ?? {}) };
  if (plan.effort) outputConfig.effort = plan.effort;
  if (req.responseFormat?.type === 'json_schema') {
    outputConfig.format = { type: 'json_schema', schema: req.responseFormat.schema };
  }
  if (Object.keys(outputConfig).length) body.output_config = outputConfig;

  if (req.userId) body.metadata = { user_id: req.userId };
  body.stream = req.stream;

  if (opts.passthrough) for (const [k, v] of Object.entries(opts.passthrough)) if (!(k in body)) body[k] = v;
  return body;
}
