/**
 * Tool definitions and tool_choice, both directions. Responses tools are flat (`{type:"function", name, ...}`),
 * may be nested in `namespace` groups, may be free-form `custom` tools, or hosted built-ins (web_search, ...)
 * that no other upstream can run and are therefore dropped.
 */
import type { CanonicalRequest, ToolChoice, ToolDefinition } from '../../ir/index.js';
import { InvalidRequestError } from '../types.js';
import { customToolParameters, isObject, responsesOptions, str, type Json } from './wire.js';
import { StableCache } from '../../ir/stable.js';

export interface DecodedTools {
  tools: ToolDefinition[];
  custom: Record<string, { format?: unknown }>;
}

/** Decode a `tools` array (top-level or from an `additional_tools` item) into `acc`. */
export function decodeTools(raw: unknown, where: string, acc: DecodedTools): void {
  if (raw === undefined || raw === null) return;
  if (!Array.isArray(raw)) throw new InvalidRequestError(`${where} must be an array`, where);
  raw.forEach((tool, i) => decodeTool(tool, `${where}[${i}]`, acc));
}

function decodeTool(tool: unknown, where: string, acc: DecodedTools): void {
  if (!isObject(tool)) throw new InvalidRequestError(`${where} must be an object`, where);
  const name = str(tool.name);
  switch (tool.type) {
    case 'function': {
      if (!name) throw new InvalidRequestError(`${where}.name must be a non-empty string`, `${where}.name`);
      if (tool.parameters !== undefined && tool.parameters !== null && !isObject(tool.parameters)) {
        throw new InvalidRequestError(`${where}.parameters must be an object`, `${where}.parameters`);
      }
      const def: ToolDefinition = {
        name,
        parameters: isObject(tool.parameters) ? tool.parameters : { type: 'object', properties: {} },
      };
      const description = str(tool.description);
      if (description !== undefined) def.description = description;
      if (typeof tool.strict === 'boolean') def.strict = tool.strict;
      addTool(acc, def);
      return;
    }
    case 'custom': {
      if (!name) throw new InvalidRequestError(`${where}.name must be a non-empty string`, `${where}.name`);
      const def: ToolDefinition = { name, parameters: customToolParameters() };
      const description = str(tool.description);
      if (description !== undefined) def.description = description;
      if (addTool(acc, def)) acc.custom[name] = tool.format === undefined ? {} : { format: tool.format };
      return;
    }
    case 'namespace':
      // Namespaces only group tools for the model's benefit; upstreams see the inner tools under their own names.
      decodeTools(tool.tools, `${where}.tools`, acc);
      return;
    default:
      // Hosted tools (web_search, file_search, code_interpreter, computer_use, mcp, ...) run inside OpenAI;
      // no other upstream can execute them, so they are dropped rather than advertised and never honoured.
      return;
  }
}

/** First definition of a name wins: duplicates (e.g. from `tools` and `additional_tools`) would be rejected upstream. */
function addTool(acc: DecodedTools, def: ToolDefinition): boolean {
  if (acc.tools.some((t) => t.name === def.name)) return false;
  acc.tools.push(def);
  return true;
}

export function decodeToolChoice(raw: unknown): ToolChoice | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (raw === 'auto' || raw === 'none' || raw === 'required') return { type: raw };
  if (isObject(raw)) {
    const name = str(raw.name);
    if ((raw.type === 'function' || raw.type === 'custom') && name) return { type: 'tool', name };
    if (raw.type === 'allowed_tools') return { type: raw.mode === 'required' ? 'required' : 'auto' };
    // Forcing a hosted tool we dropped cannot be honoured; letting the model choose is the closest meaning.
    return { type: 'auto' };
  }
  throw new InvalidRequestError('tool_choice must be "none", "auto", "required" or an object', 'tool_choice');
}

// ---------------------------------------------------------------------------------------------------------------
// Encode

/** The wire tools of each stable canonical tool list (when the caller declared no custom tools). */
const toolsCache = new StableCache<Json[]>();

export function encodeTools(req: CanonicalRequest): Json[] {
  const custom = responsesOptions(req).customTools ?? {};
  const plain = Object.keys(custom).length === 0;
  const cached = plain ? toolsCache.get(req.tools) : undefined;
  if (cached) return cached;
  const tools = req.tools.map((t) => {
    const c = Object.prototype.hasOwnProperty.call(custom, t.name) ? custom[t.name] : undefined;
    if (c) {
      const out: Json = { type: 'custom', name: t.name };
      if (t.description !== undefined) out.description = t.description;
      if (c.format !== undefined) out.format = c.format;
      return out;
    }
    const out: Json = { type: 'function', name: t.name };
    if (t.description !== undefined) out.description = t.description;
    out.parameters = cleanSchema(t.parameters, true);
    // Responses defaults `strict` to true, which rejects most hand-written schemas; only opt in when asked.
    out.strict = t.strict ?? false;
    return out;
  });
  return plain ? toolsCache.keep(req.tools, tools) : tools;
}

export function encodeToolChoice(choice: ToolChoice, req: CanonicalRequest): string | Json {
  if (choice.type !== 'tool') return choice.type;
  const custom = responsesOptions(req).customTools ?? {};
  return { type: Object.prototype.hasOwnProperty.call(custom, choice.name) ? 'custom' : 'function', name: choice.name };
}

const JSON_TYPES: ReadonlySet<string> = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);

/**
 * OpenAI validates tool schemas as JSON Schema: Gemini-style upper-case type names (`"STRING"`) are rejected,
 * and the root must be an object schema. Everything else is passed through untouched.
 */
function cleanSchema(schema: unknown, root = false): Record<string, unknown> {
  if (!isObject(schema)) return { type: 'object', properties: {} };
  const out: Json = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'type') out.type = normaliseType(v);
    else if ((k === 'properties' || k === '$defs' || k === 'definitions' || k === 'patternProperties') && isObject(v)) {
      out[k] = Object.fromEntries(Object.entries(v).map(([name, sub]) => [name, isObject(sub) ? cleanSchema(sub) : sub]));
    } else if ((k === 'items' || k === 'additionalProperties' || k === 'not') && isObject(v)) out[k] = cleanSchema(v);
    else if ((k === 'anyOf' || k === 'oneOf' || k === 'allOf' || k === 'prefixItems') && Array.isArray(v)) {
      out[k] = v.map((sub) => (isObject(sub) ? cleanSchema(sub) : sub));
    } else out[k] = v;
  }
  if (root && out.type === undefined && out.anyOf === undefined && out.oneOf === undefined) out.type = 'object';
  if (root && out.type === 'object' && !isObject(out.properties)) out.properties = {};
  return out;
}

function normaliseType(v: unknown): unknown {
  if (typeof v === 'string') {
    const lower = v.toLowerCase();
    return JSON_TYPES.has(lower) ? lower : v;
  }
  return Array.isArray(v) ? v.map(normaliseType) : v;
}
