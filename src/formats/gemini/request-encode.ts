import type { CanonicalRequest, Message, ReasoningEffort, ToolResultPart } from '../../ir/index.js';
import { ResumeCache, StableCache } from '../../ir/stable.js';
import { reasoningBudget } from '../shared/reasoning.js';
import { encodeAssistantParts, encodeImage } from './parts.js';
import { cleanSchemaForGemini } from './schema-clean.js';
import { isObj, type Json } from './wire.js';

/**
 * Canonical request → Gemini `GenerateContentRequest` body. The model and streaming choice go in the URL
 * (`models/{model}:generateContent` vs `:streamGenerateContent?alt=sse`), which the provider builds, so
 * neither `model` nor `stream` appears in the body (Google rejects unknown top-level fields).
 */
export function encodeRequest(req: CanonicalRequest, model: string): Json {
  const gemini = req.providerOptions?.gemini ?? {};
  const body: Json = { contents: encodeMessages(req.messages) };

  const system = req.system.filter((p) => p.text).map((p) => ({ text: p.text }));
  if (system.length > 0) body.systemInstruction = { parts: system };

  const tools: Json[] = [];
  // Gemini rejects nameless declarations; such a tool could never be called anyway.
  const declarations = declarationsCache.get(req.tools) ?? declarationsCache.keep(req.tools, functionDeclarations(req));
  if (declarations !== NO_DECLARATIONS) tools.push(declarations);
  // Server-side tools (googleSearch...) a Gemini caller asked for survive a Gemini→Gemini translation.
  if (Array.isArray(gemini.builtinTools)) for (const t of gemini.builtinTools) if (isObj(t)) tools.push(t);
  if (tools.length > 0) body.tools = tools;

  const fcc = encodeToolChoice(req, gemini);
  if (fcc) body.toolConfig = { functionCallingConfig: fcc };

  const gc = encodeGenerationConfig(req, model, gemini);
  if (Object.keys(gc).length > 0) body.generationConfig = gc;

  if (Array.isArray(gemini.safetySettings)) body.safetySettings = gemini.safetySettings;
  return body;
}

/** The `{functionDeclarations}` tool of each stable canonical tool list; shared by later turns. */
const declarationsCache = new StableCache<Json>();
const NO_DECLARATIONS: Json = { functionDeclarations: [] };

function functionDeclarations(req: CanonicalRequest): Json {
  // Gemini rejects nameless declarations; such a tool could never be called anyway.
  const named = req.tools.filter((t) => t.name);
  if (named.length === 0) return NO_DECLARATIONS;
  return {
    functionDeclarations: named.map((t) => {
      const decl: Json = { name: t.name };
      if (t.description) decl.description = t.description;
      const params = cleanSchemaForGemini(t.parameters);
      if (params) decl.parameters = params;
      return decl;
    }),
  };
}

/**
 * Only ids Gemini itself issued go back on the wire: some Gemini endpoints reject `functionCall.id` /
 * `functionResponse.id` ("Unknown name \"id\""), and Gemini pairs by name and order anyway. Ids we or
 * other providers minted (`call_…` for ours and OpenAI's, `toolu_…` Anthropic, `fc_…` Responses) stay local.
 */
export function isGeminiCallId(id: string): boolean {
  return !(id.startsWith('call_') || id.startsWith('toolu_') || id.startsWith('srvtoolu_') || id.startsWith('fc_') || id.startsWith('tooluse_'));
}

/** The `{role, parts}` content each stable (stored) canonical message became; shared by later turns. */
const contentCache = new StableCache<Json>();
const NO_CONTENT: Json = { role: 'user', parts: [] };

function encodeContent(msg: Message, callNames: Map<string, string>): Json {
  let role: string;
  let parts: Json[];
  if (msg.role === 'assistant') {
    role = 'model';
    parts = encodeAssistantParts(msg.content, { forRequest: true, includeId: isGeminiCallId });
  } else {
    role = 'user';
    parts = [];
    for (const p of msg.content) {
      if (p.type === 'text') {
        if (p.text) parts.push({ text: p.text });
      } else if (p.type === 'image') parts.push(encodeImage(p));
      else parts.push(...encodeToolResult(p, callNames));
    }
  }
  return parts.length ? { role, parts } : NO_CONTENT;
}

/** Where the encoding of a stable history left off: contents (by reference; the first `count` count) and call names. */
const resumeCache = new ResumeCache<{ contents: Json[]; count: number; callNames: ReadonlyMap<string, string> }>();

function encodeMessages(messages: Message[]): Json[] {
  const resumed = resumeCache.resume(messages);
  const contents: Json[] = resumed ? resumed.state.contents.slice(0, resumed.state.count) : [];
  const callNames = new Map<string, string>(resumed?.state.callNames ?? []);
  for (let i = resumed?.from ?? 0; i < messages.length; i++) {
    const msg = messages[i]!;
    if (msg.role === 'assistant') for (const p of msg.content) if (p.type === 'tool-call') callNames.set(p.id, p.name);
    const content = contentCache.get(msg) ?? contentCache.keep(msg, encodeContent(msg, callNames));
    if (content === NO_CONTENT) continue;
    // Gemini (Vertex especially) wants user/model alternation: merge repeated roles into one content. A new
    // object, because `content` may be a cached one that later requests share.
    const last = contents[contents.length - 1];
    if (last && last.role === content.role) contents[contents.length - 1] = { role: last.role, parts: [...(last.parts as Json[]), ...(content.parts as Json[])] };
    else contents.push(content);
  }
  resumeCache.remember(messages, { contents, count: contents.length, callNames });
  return contents;
}

/**
 * Tool result → functionResponse `{name, response:{result}}` (or `{error}` for failures, the key Google
 * documents for error details). JSON-object text is sent parsed so the model sees structure. Images from
 * the result follow as sibling inlineData parts, which every Gemini version accepts.
 */
function encodeToolResult(p: ToolResultPart, callNames: Map<string, string>): Json[] {
  const texts: string[] = [];
  const media: Json[] = [];
  for (const c of p.content) {
    if (c.type === 'text') texts.push(c.text);
    else media.push(encodeImage(c));
  }
  const text = texts.join('\n');
  let value: unknown = text;
  if (text.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (isObj(parsed)) value = parsed;
    } catch {
      /* plain text that happens to start with a brace */
    }
  }
  const fr: Json = {
    name: p.name ?? callNames.get(p.callId) ?? 'unknown_function',
    response: p.isError ? { error: value } : { result: value },
  };
  if (isGeminiCallId(p.callId)) fr.id = p.callId;
  return [{ functionResponse: fr }, ...media];
}

function encodeToolChoice(req: CanonicalRequest, gemini: Record<string, unknown>): Json | undefined {
  const choice = req.toolChoice;
  if (!choice) return undefined;
  switch (choice.type) {
    case 'auto':
      return { mode: 'AUTO' };
    case 'none':
      return { mode: 'NONE' };
    case 'required': {
      const allowed = Array.isArray(gemini.allowedFunctionNames) ? gemini.allowedFunctionNames : undefined;
      return allowed ? { mode: 'ANY', allowedFunctionNames: allowed } : { mode: 'ANY' };
    }
    case 'tool':
      return { mode: 'ANY', allowedFunctionNames: [choice.name] };
  }
}

/**
 * Gemini 3 takes `thinkingLevel`; Pro only knows LOW/HIGH, Flash also MINIMAL/MEDIUM. An explicit budget
 * is still sent as `thinkingBudget` (accepted for compatibility), and 2.x models only know budgets.
 */
function thinkingLevel(effort: ReasoningEffort, model: string): string {
  const flash = model.includes('flash');
  switch (effort) {
    case 'none':
    case 'minimal':
      return flash ? 'MINIMAL' : 'LOW';
    case 'low':
      return 'LOW';
    case 'medium':
      return flash ? 'MEDIUM' : 'HIGH';
    case 'high':
    case 'xhigh':
      return 'HIGH';
  }
}

/**
 * Budget limits Gemini enforces per model (a budget outside them is a 400). -1 (dynamic) is always allowed;
 * 2.5 Pro cannot turn thinking off, so 0 becomes its minimum. First match wins (flash-lite before flash).
 */
const BUDGET_LIMITS: Array<{ match: string; min: number; max: number; zero: boolean }> = [
  { match: 'gemini-2.5-pro', min: 128, max: 32768, zero: false },
  { match: 'gemini-2.5-flash-lite', min: 512, max: 24576, zero: true },
  { match: 'gemini-2.5-flash', min: 1, max: 24576, zero: true },
];

function clampBudget(budget: number, model: string): number {
  const limit = BUDGET_LIMITS.find((l) => model.includes(l.match));
  if (!limit || budget === -1 || (budget === 0 && limit.zero)) return budget;
  return Math.min(limit.max, Math.max(limit.min, budget));
}

function encodeGenerationConfig(req: CanonicalRequest, model: string, gemini: Record<string, unknown>): Json {
  // Extras a Gemini caller sent (seed, responseModalities, imageConfig...) first; canonical fields win.
  const gc: Json = isObj(gemini.generationConfig) ? { ...gemini.generationConfig } : {};
  if (req.maxOutputTokens !== undefined) gc.maxOutputTokens = req.maxOutputTokens;
  if (req.temperature !== undefined) gc.temperature = req.temperature;
  if (req.topP !== undefined) gc.topP = req.topP;
  if (req.topK !== undefined) gc.topK = req.topK;
  if (req.stop && req.stop.length > 0) gc.stopSequences = req.stop.slice(0, 5);

  const r = req.reasoning;
  if (r) {
    const thinking: Json = {};
    const budget = reasoningBudget(r);
    const gemini3 = /gemini-3/.test(model);
    if (gemini3 && r.budgetTokens === undefined && r.effort !== undefined) thinking.thinkingLevel = thinkingLevel(r.effort, model);
    else if (budget !== undefined) thinking.thinkingBudget = clampBudget(budget, model);
    const include = r.includeThoughts ?? (budget !== 0 && (budget !== undefined || r.effort !== undefined));
    if (include) thinking.includeThoughts = true;
    else if (r.includeThoughts === false) thinking.includeThoughts = false;
    if (Object.keys(thinking).length > 0) gc.thinkingConfig = thinking;
  }

  const rf = req.responseFormat;
  if (rf?.type === 'json') gc.responseMimeType = 'application/json';
  else if (rf?.type === 'json_schema') {
    gc.responseMimeType = 'application/json';
    // responseJsonSchema takes real JSON Schema ($ref, $defs, additionalProperties...), no cleaning needed.
    gc.responseJsonSchema = rf.schema;
  }
  return gc;
}
