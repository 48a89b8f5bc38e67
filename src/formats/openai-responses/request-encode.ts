/**
 * Canonical request → Responses request body, for OpenAI Responses and Codex-style upstreams.
 *
 * Stateless by construction (`store:false`): every turn is sent in full, item ids are omitted (an id of an
 * unstored item makes the upstream look it up and fail), and reasoning is replayed through `encrypted_content`.
 */
import type { AssistantPart, CanonicalRequest, ImagePart, TextPart, UserPart } from '../../ir/index.js';
import { ResumeCache, StableCache } from '../../ir/stable.js';
import { reasoningEffort } from '../shared/reasoning.js';
import { encodeToolChoice, encodeTools } from './tools.js';
import { argumentsToCustomInput, imageSourceToUrl, responsesOptions, type Json } from './wire.js';

const ENCRYPTED_INCLUDE = 'reasoning.encrypted_content';

export function encodeRequest(req: CanonicalRequest, model: string): Record<string, unknown> {
  const opts = responsesOptions(req);
  const custom = new Set(Object.keys(opts.customTools ?? {}));
  const body: Json = { model };

  const instructions = req.system.map((p) => p.text).filter((t) => t !== '').join('\n\n');
  if (instructions) body.instructions = instructions;
  body.input = encodeInput(req, custom);

  if (req.tools.length > 0) body.tools = encodeTools(req);
  if (req.toolChoice) body.tool_choice = encodeToolChoice(req.toolChoice, req);
  if (req.parallelToolCalls !== undefined) body.parallel_tool_calls = req.parallelToolCalls;

  const include = new Set(opts.include ?? []);
  if (req.reasoning) {
    const reasoning: Json = {};
    const effort = reasoningEffort(req.reasoning);
    if (effort !== undefined) reasoning.effort = effort;
    if (req.reasoning.includeThoughts) reasoning.summary = opts.reasoningSummary ?? 'auto';
    body.reasoning = reasoning;
    // Without stored state, the only way to carry reasoning to the next turn is its encrypted form.
    if (effort !== 'none') include.add(ENCRYPTED_INCLUDE);
  }
  if (include.size > 0) body.include = [...include];

  const text: Json = {};
  const f = req.responseFormat;
  if (f?.type === 'text') text.format = { type: 'text' };
  else if (f?.type === 'json') text.format = { type: 'json_object' };
  else if (f?.type === 'json_schema') {
    const format: Json = { type: 'json_schema', name: f.name ?? 'response', schema: f.schema };
    if (f.description !== undefined) format.description = f.description;
    if (f.strict !== undefined) format.strict = f.strict;
    text.format = format;
  }
  if (opts.verbosity) text.verbosity = opts.verbosity;
  if (Object.keys(text).length > 0) body.text = text;

  if (req.maxOutputTokens !== undefined) body.max_output_tokens = req.maxOutputTokens;
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.topP !== undefined) body.top_p = req.topP;
  // top_k and stop sequences do not exist in the Responses API: dropped.
  if (opts.promptCacheKey) body.prompt_cache_key = opts.promptCacheKey;
  body.stream = req.stream;
  body.store = false;
  return body;
}

/** The input items each stable (stored) canonical message became (without custom tools); shared by later turns. */
const itemCache = new StableCache<Json[]>();

/** Where the plain encoding of a stable history left off (items kept by reference; the first `count` count). */
const resumeCache = new ResumeCache<{ items: Json[]; count: number }>();

function encodeInput(req: CanonicalRequest, custom: Set<string>): Json[] {
  const resumed = custom.size === 0 ? resumeCache.resume(req.messages) : undefined;
  const items: Json[] = resumed ? resumed.state.items.slice(0, resumed.state.count) : [];
  // call id → name, so a tool result answers a custom tool call with the matching custom output item.
  const callNames = new Map<string, string>();
  for (let i = resumed?.from ?? 0; i < req.messages.length; i++) {
    const m = req.messages[i]!;
    // Custom tools change how calls and results are written, so only the plain encoding is shared.
    const cached = custom.size === 0 ? itemCache.get(m) : undefined;
    if (cached) {
      for (const item of cached) items.push(item);
      continue;
    }
    const own: Json[] = [];
    if (m.role === 'assistant') encodeAssistant(m.content, own, custom, callNames);
    else encodeUser(m.content, own, custom, callNames);
    if (custom.size === 0) itemCache.keep(m, own);
    for (const item of own) items.push(item);
  }
  if (custom.size === 0) resumeCache.remember(req.messages, { items, count: items.length });
  return items;
}

function encodeUser(parts: UserPart[], items: Json[], custom: Set<string>, callNames: Map<string, string>): void {
  let run: Json[] | undefined;
  for (const p of parts) {
    if (p.type === 'tool-result') {
      run = undefined;
      const name = p.name ?? callNames.get(p.callId);
      const type = name !== undefined && custom.has(name) ? 'custom_tool_call_output' : 'function_call_output';
      items.push({ type, call_id: p.callId, output: encodeToolOutput(p.content) });
      continue;
    }
    if (!run) {
      run = [];
      items.push({ type: 'message', role: 'user', content: run });
    }
    run.push(p.type === 'text' ? { type: 'input_text', text: p.text } : encodeImage(p));
  }
}

function encodeAssistant(parts: AssistantPart[], items: Json[], custom: Set<string>, callNames: Map<string, string>): void {
  let run: Json[] | undefined;
  for (const p of parts) {
    switch (p.type) {
      case 'text':
        if (!run) {
          run = [];
          items.push({ type: 'message', role: 'assistant', content: run });
        }
        run.push({ type: 'output_text', text: p.text });
        continue;
      case 'tool-call':
        run = undefined;
        callNames.set(p.id, p.name);
        items.push(
          custom.has(p.name)
            ? { type: 'custom_tool_call', call_id: p.id, name: p.name, input: argumentsToCustomInput(p.arguments) }
            : { type: 'function_call', call_id: p.id, name: p.name, arguments: p.arguments || '{}' },
        );
        continue;
      case 'reasoning':
        // Only OpenAI's own encrypted reasoning can be replayed; other families' signatures mean nothing here
        // and a reasoning item without encrypted_content is rejected when nothing is stored.
        if (p.family === 'openai' && p.signature) {
          run = undefined;
          items.push({
            type: 'reasoning',
            summary: p.text ? [{ type: 'summary_text', text: p.text }] : [],
            encrypted_content: p.signature,
          });
        }
        continue;
      case 'image':
        // Assistant messages carry output_text / refusal only.
        continue;
    }
  }
}

function encodeImage(p: ImagePart): Json {
  return { type: 'input_image', image_url: imageSourceToUrl(p.source), detail: p.detail ?? 'auto' };
}

function encodeToolOutput(content: Array<TextPart | ImagePart>): string | Json[] {
  // A single text result stays a plain string, which every Responses backend (including Codex) accepts.
  if (content.length === 0) return '';
  if (content.length === 1 && content[0]!.type === 'text') return content[0]!.text;
  return content.map((c) => (c.type === 'text' ? { type: 'input_text', text: c.text } : encodeImage(c)));
}
