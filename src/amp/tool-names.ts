import type { SseEvent } from '../formats/types.js';
import type { InboundCall } from '../pipeline/model-call.js';

/** Objects whose `name` is a tool name, by their `type`. */
const TOOL_CALL_TYPES = new Set(['tool_use', 'server_tool_use', 'function_call', 'custom_tool_call']);
/** Parent keys whose object's `name` is a tool name (OpenAI chat `function`, Gemini `functionCall`). */
const TOOL_CALL_KEYS = new Set(['function', 'functionCall']);

/**
 * Tool names the caller declared, keyed by lower case. Some upstreams (and translation through other formats)
 * return `bash` for a tool declared as `Bash`; Amp then fails to find the tool. A lower-case name declared
 * twice with different casings is ambiguous and left alone.
 */
export function declaredToolNames(body: Record<string, unknown>): Map<string, string> {
  const seen = new Map<string, string | null>();
  const add = (name: unknown) => {
    if (typeof name !== 'string' || !name) return;
    const k = name.toLowerCase();
    const prev = seen.get(k);
    if (prev === undefined) seen.set(k, name);
    else if (prev !== null && prev !== name) seen.set(k, null);
  };
  const tools = Array.isArray(body.tools) ? (body.tools as unknown[]) : [];
  for (const t of tools) {
    if (!t || typeof t !== 'object') continue;
    const o = t as Record<string, any>;
    add(o.name);
    add(o.function?.name);
    if (Array.isArray(o.functionDeclarations)) for (const d of o.functionDeclarations) add(d?.name);
  }
  const choice = body.tool_choice as Record<string, any> | undefined;
  if (choice && typeof choice === 'object') {
    add(choice.name);
    add(choice.function?.name);
  }
  const out = new Map<string, string>();
  for (const [k, v] of seen) if (v !== null) out.set(k, v);
  return out;
}

/** Rewrite tool names in a parsed response in place; true when something changed. */
export function restoreToolNames(value: unknown, names: Map<string, string>, parentKey = ''): boolean {
  if (Array.isArray(value)) {
    let changed = false;
    for (const v of value) changed = restoreToolNames(v, names, parentKey) || changed;
    return changed;
  }
  if (!value || typeof value !== 'object') return false;
  const o = value as Record<string, unknown>;
  let changed = false;
  if (typeof o.name === 'string' && (TOOL_CALL_KEYS.has(parentKey) || (typeof o.type === 'string' && TOOL_CALL_TYPES.has(o.type)))) {
    const declared = names.get(o.name.toLowerCase());
    if (declared && declared !== o.name) {
      o.name = declared;
      changed = true;
    }
  }
  for (const [k, v] of Object.entries(o)) if (v && typeof v === 'object') changed = restoreToolNames(v, names, k) || changed;
  return changed;
}

/** Pipeline hooks that restore the request's tool-name casing in non-stream bodies and in every SSE event. */
export function toolNameHooks(body: Record<string, unknown>): Pick<InboundCall, 'transformJson' | 'transformChunk'> {
  const names = declaredToolNames(body);
  if (names.size === 0) return {};
  return {
    transformJson: (json) => {
      restoreToolNames(json, names);
      return json;
    },
    transformChunk: (ev: SseEvent) => {
      if (!ev.data.includes('"name"')) return ev;
      let parsed: unknown;
      try {
        parsed = JSON.parse(ev.data);
      } catch {
        return ev;
      }
      if (!restoreToolNames(parsed, names)) return ev;
      return ev.event ? { event: ev.event, data: JSON.stringify(parsed) } : { data: JSON.stringify(parsed) };
    },
  };
}
