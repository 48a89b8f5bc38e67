import type {
  CanonicalRequest,
  Message,
  ReasoningConfig,
  ReasoningEffort,
  ResponseFormat,
  TextPart,
  ToolChoice,
  ToolDefinition,
  ToolResultPart,
  UserPart,
} from '../../ir/index.js';
import { InvalidRequestError } from '../types.js';
import { decodeMedia, decodeModelParts } from './parts.js';
import { geminiSchemaToJsonSchema } from './schema-normalize.js';
import { arrField, boolField, field, isObj, numField, objField, str, strField, type Json } from './wire.js';

/**
 * Gemini `GenerateContentRequest` → canonical request. The model and `stream` come from the URL
 * (`/models/{model}:streamGenerateContent`), so `model` is '' unless the body names one and `stream` is false;
 * the server fills both in.
 */
export function decodeRequest(body: Json): CanonicalRequest {
  const req: CanonicalRequest = {
    model: modelFromBody(body),
    system: decodeSystem(field(body, 'systemInstruction')),
    messages: [],
    tools: [],
    stream: false,
  };
  const gemini: Record<string, unknown> = {};

  const contents = arrField(body, 'contents', 'contents');
  if (!contents) throw new InvalidRequestError('contents must be an array', 'contents');
  req.messages = decodeContents(contents, req.system);

  decodeTools(body, req, gemini);
  decodeGenerationConfig(body, req, gemini);

  const safety = field(body, 'safetySettings');
  if (Array.isArray(safety)) gemini.safetySettings = safety;
  const cached = field(body, 'cachedContent');
  if (typeof cached === 'string') gemini.cachedContent = cached;
  if (Object.keys(gemini).length > 0) req.providerOptions = { gemini };
  return req;
}

function modelFromBody(body: Json): string {
  const m = str(body.model);
  if (!m) return '';
  return m.startsWith('models/') ? m.slice(7) : m;
}

/** `systemInstruction` is a Content ({parts:[{text}]}); clients also send a bare string or a parts array. */
function decodeSystem(raw: unknown): TextPart[] {
  if (raw === undefined || raw === null) return [];
  if (typeof raw === 'string') return raw ? [{ type: 'text', text: raw }] : [];
  const parts = Array.isArray(raw) ? raw : isObj(raw) ? (Array.isArray(raw.parts) ? raw.parts : isObj(raw.parts) ? [raw.parts] : []) : undefined;
  if (!parts) throw new InvalidRequestError('systemInstruction must be an object', 'systemInstruction');
  const out: TextPart[] = [];
  for (const p of parts) {
    const text = typeof p === 'string' ? p : isObj(p) ? str(p.text) : undefined;
    if (text) out.push({ type: 'text', text });
  }
  return out;
}

interface CallRecord {
  id: string;
  /** functionCall.id as sent, when there was one. */
  wireId?: string;
  name: string;
  matched: boolean;
}

/**
 * Contents → messages. Gemini history usually carries no call ids, so ids are derived from the call's
 * ordinal in the history (`call_<n>`): the same history always yields the same ids, and the ordinal survives
 * our own encoder (one functionCall per tool-call), so ids are stable across turns and re-encodings.
 */
function decodeContents(contents: unknown[], system: TextPart[]): Message[] {
  const messages: Message[] = [];
  const calls: CallRecord[] = [];
  let ordinal = 0;
  const nextId = (): string => `call_${ordinal++}`;

  contents.forEach((content, ci) => {
    const path = `contents[${ci}]`;
    if (!isObj(content)) throw new InvalidRequestError(`${path} must be an object`, path);
    const parts = arrField(content, 'parts', `${path}.parts`) ?? [];
    parts.forEach((p, pi) => validatePart(p, `${path}.parts[${pi}]`));
    const role = str(content.role) ?? 'user';

    if (role === 'model' || role === 'assistant') {
      const decoded = decodeModelParts(parts, {
        merge: false,
        callId: (fc) => {
          const wireId = str(fc.id) || undefined;
          const id = wireId ?? nextId();
          if (wireId) ordinal++;
          calls.push({ id, wireId, name: str(fc.name) ?? '', matched: false });
          return id;
        },
      });
      push(messages, { role: 'assistant', content: decoded });
      return;
    }
    if (role === 'system') {
      for (const p of parts) if (isObj(p) && typeof p.text === 'string' && p.text) system.push({ type: 'text', text: p.text });
      return;
    }
    // user, function, tool (and anything unknown) are the caller's side of the conversation.
    const out: UserPart[] = [];
    for (const p of parts) {
      if (!isObj(p)) continue;
      const fr = field(p, 'functionResponse');
      if (isObj(fr)) {
        out.push(decodeFunctionResponse(fr, calls, nextId));
        continue;
      }
      if (typeof p.text === 'string') {
        if (p.thought !== true && p.text) out.push({ type: 'text', text: p.text });
        continue;
      }
      const media = decodeMedia(p);
      if (media) out.push(media);
    }
    push(messages, { role: 'user', content: out });
  });
  return messages;
}

/** Append, merging into the previous message when the role repeats (Gemini upstreams want alternation). */
function push(messages: Message[], msg: Message): void {
  if (msg.content.length === 0) return;
  const last = messages[messages.length - 1];
  if (last && last.role === msg.role) (last.content as unknown[]).push(...msg.content);
  else messages.push(msg);
}

function validatePart(p: unknown, path: string): void {
  if (!isObj(p)) throw new InvalidRequestError(`${path} must be an object`, path);
  if (p.text !== undefined && p.text !== null && typeof p.text !== 'string') {
    throw new InvalidRequestError(`${path}.text must be a string`, `${path}.text`);
  }
  const fc = objField(p, 'functionCall', `${path}.functionCall`);
  if (fc) {
    if (typeof fc.name !== 'string') throw new InvalidRequestError(`${path}.functionCall.name must be a string`, `${path}.functionCall.name`);
    if (fc.args !== undefined && fc.args !== null && !isObj(fc.args)) {
      throw new InvalidRequestError(`${path}.functionCall.args must be an object`, `${path}.functionCall.args`);
    }
  }
  const fr = objField(p, 'functionResponse', `${path}.functionResponse`);
  if (fr && fr.name !== undefined && typeof fr.name !== 'string') {
    throw new InvalidRequestError(`${path}.functionResponse.name must be a string`, `${path}.functionResponse.name`);
  }
  objField(p, 'inlineData', `${path}.inlineData`);
  objField(p, 'fileData', `${path}.fileData`);
}

/**
 * Pair a functionResponse with its call: same id first, else the earliest unanswered call of the same name
 * (Gemini matches by name and order). gemini-cli invents its own response ids, hence the name fallback.
 */
function decodeFunctionResponse(fr: Json, calls: CallRecord[], nextId: () => string): ToolResultPart {
  const name = str(fr.name);
  const rid = str(fr.id) || undefined;
  let call = rid ? calls.find((c) => !c.matched && (c.wireId === rid || c.id === rid)) : undefined;
  if (!call && name) call = calls.find((c) => !c.matched && c.name === name);
  let callId: string;
  if (call) {
    call.matched = true;
    callId = call.id;
  } else callId = rid ?? nextId();

  const response = isObj(fr.response) ? fr.response : {};
  const part: ToolResultPart = {
    type: 'tool-result',
    callId,
    content: [{ type: 'text', text: responseText(response) }],
  };
  const resolvedName = name ?? call?.name;
  if (resolvedName) part.name = resolvedName;
  if (response.error !== undefined && response.error !== null) part.isError = true;
  // Gemini 3 multimodal function responses: `functionResponse.parts[]` with inlineData/fileData.
  if (Array.isArray(fr.parts)) {
    for (const p of fr.parts) {
      const media = isObj(p) ? decodeMedia(p) : undefined;
      if (media) part.content.push(media);
    }
  }
  return part;
}

/** `{result|output|error: "text"}` → the text; a single wrapped value → its JSON; anything else → the JSON. */
function responseText(response: Json): string {
  const keys = Object.keys(response);
  if (keys.length === 1 && (keys[0] === 'result' || keys[0] === 'output' || keys[0] === 'error')) {
    const v = response[keys[0]];
    return typeof v === 'string' ? v : JSON.stringify(v) ?? '';
  }
  return JSON.stringify(response);
}

function decodeTools(body: Json, req: CanonicalRequest, gemini: Record<string, unknown>): void {
  const tools = arrField(body, 'tools', 'tools');
  const builtin: Json[] = [];
  tools?.forEach((tool, ti) => {
    const path = `tools[${ti}]`;
    if (!isObj(tool)) throw new InvalidRequestError(`${path} must be an object`, path);
    for (const [key, value] of Object.entries(tool)) {
      if (key === 'functionDeclarations' || key === 'function_declarations') continue;
      // googleSearch, codeExecution, urlContext...: server-side tools no other upstream can run.
      builtin.push({ [key]: value });
    }
    const decls = arrField(tool, 'functionDeclarations', `${path}.functionDeclarations`) ?? [];
    decls.forEach((d, di) => req.tools.push(decodeDeclaration(d, `${path}.functionDeclarations[${di}]`)));
  });
  if (builtin.length > 0) gemini.builtinTools = builtin;

  const config = objField(body, 'toolConfig', 'toolConfig');
  const fcc = config ? objField(config, 'functionCallingConfig', 'toolConfig.functionCallingConfig') : undefined;
  if (!fcc) return;
  const mode = (strField(fcc, 'mode', 'toolConfig.functionCallingConfig.mode') ?? '').toUpperCase();
  const allowed = (arrField(fcc, 'allowedFunctionNames', 'toolConfig.functionCallingConfig.allowedFunctionNames') ?? []).filter(
    (n): n is string => typeof n === 'string',
  );
  let choice: ToolChoice | undefined;
  if (mode === 'NONE') choice = { type: 'none' };
  else if (mode === 'ANY') {
    if (allowed.length === 1) choice = { type: 'tool', name: allowed[0]! };
    else {
      choice = { type: 'required' };
      if (allowed.length > 1) gemini.allowedFunctionNames = allowed;
    }
  } else if (mode === 'AUTO' || mode === 'VALIDATED') choice = { type: 'auto' };
  if (choice) req.toolChoice = choice;
}

function decodeDeclaration(d: unknown, path: string): ToolDefinition {
  if (!isObj(d)) throw new InvalidRequestError(`${path} must be an object`, path);
  const name = strField(d, 'name', `${path}.name`);
  if (!name) throw new InvalidRequestError(`${path}.name must be a non-empty string`, `${path}.name`);
  const tool: ToolDefinition = { name, parameters: { type: 'object', properties: {} } };
  const description = strField(d, 'description', `${path}.description`);
  if (description) tool.description = description;
  const jsonSchema = objField(d, 'parametersJsonSchema', `${path}.parametersJsonSchema`);
  const openApi = objField(d, 'parameters', `${path}.parameters`);
  if (jsonSchema) tool.parameters = jsonSchema;
  else if (openApi) tool.parameters = geminiSchemaToJsonSchema(openApi);
  return tool;
}

const EFFORT_BY_LEVEL: Record<string, ReasoningEffort> = {
  MINIMAL: 'minimal',
  LOW: 'low',
  MEDIUM: 'medium',
  HIGH: 'high',
  XHIGH: 'xhigh',
};

/** generationConfig keys mapped to canonical fields; any other key is kept for Gemini upstreams. */
const HANDLED = new Set([
  'maxOutputTokens', 'temperature', 'topP', 'topK', 'stopSequences', 'candidateCount', 'thinkingConfig',
  'responseMimeType', 'responseSchema', 'responseJsonSchema',
]);

function decodeGenerationConfig(body: Json, req: CanonicalRequest, gemini: Record<string, unknown>): void {
  const gc = objField(body, 'generationConfig', 'generationConfig');
  if (!gc) return;
  const p = 'generationConfig';
  req.maxOutputTokens = numField(gc, 'maxOutputTokens', `${p}.maxOutputTokens`);
  req.temperature = numField(gc, 'temperature', `${p}.temperature`);
  req.topP = numField(gc, 'topP', `${p}.topP`);
  req.topK = numField(gc, 'topK', `${p}.topK`);
  const stop = field(gc, 'stopSequences');
  if (typeof stop === 'string') req.stop = [stop];
  else if (Array.isArray(stop)) {
    if (!stop.every((s) => typeof s === 'string')) throw new InvalidRequestError(`${p}.stopSequences must be an array of strings`, `${p}.stopSequences`);
    if (stop.length > 0) req.stop = stop as string[];
  } else if (stop !== undefined && stop !== null) throw new InvalidRequestError(`${p}.stopSequences must be an array`, `${p}.stopSequences`);
  for (const k of ['maxOutputTokens', 'temperature', 'topP', 'topK'] as const) if (req[k] === undefined) delete req[k];

  const thinking = objField(gc, 'thinkingConfig', `${p}.thinkingConfig`);
  if (thinking) req.reasoning = decodeThinking(thinking, `${p}.thinkingConfig`);

  const mime = strField(gc, 'responseMimeType', `${p}.responseMimeType`);
  if (mime === 'application/json') {
    const jsonSchema = field(gc, 'responseJsonSchema');
    const openApi = field(gc, 'responseSchema');
    let format: ResponseFormat = { type: 'json' };
    if (isObj(jsonSchema)) format = { type: 'json_schema', schema: jsonSchema };
    else if (isObj(openApi)) format = { type: 'json_schema', schema: geminiSchemaToJsonSchema(openApi) };
    req.responseFormat = format;
  }

  const extra: Json = {};
  for (const [k, v] of Object.entries(gc)) {
    const camel = k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
    if (!HANDLED.has(camel)) extra[k] = v;
  }
  if (Object.keys(extra).length > 0) gemini.generationConfig = extra;
}

function decodeThinking(t: Json, path: string): ReasoningConfig {
  const r: ReasoningConfig = {};
  const budget = numField(t, 'thinkingBudget', `${path}.thinkingBudget`);
  if (budget !== undefined) r.budgetTokens = budget;
  const level = strField(t, 'thinkingLevel', `${path}.thinkingLevel`);
  const effort = level ? EFFORT_BY_LEVEL[level.toUpperCase()] : undefined;
  if (effort) r.effort = effort;
  // Gemini's default is no thought text; make that explicit so other encoders don't assume "show it".
  r.includeThoughts = boolField(t, 'includeThoughts', `${path}.includeThoughts`) ?? false;
  return r;
}
