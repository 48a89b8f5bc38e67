import type { Format } from '../formats/types.js';
import type { ExecutorKind } from '../credentials/types.js';
import { wildcardMatch } from '../util/wildcard.js';

/**
 * `payload` rules (SPEC 2.5): `default` sets a path only when absent, `override` always sets it, `filter`
 * removes it. A rule applies when one of its model wildcards matches and its protocol is empty or equals the
 * upstream's protocol (CLIProxyAPI names). Paths use gjson/sjson dot syntax: `a.b.c`, `\.` for a literal dot,
 * numeric segments index arrays, `-1` appends when setting.
 */
export interface PayloadModelMatch {
  name: string;
  protocol?: string;
}

export interface PayloadRules {
  default: ReadonlyArray<{ models: readonly PayloadModelMatch[]; params: Readonly<Record<string, unknown>> }>;
  override: ReadonlyArray<{ models: readonly PayloadModelMatch[]; params: Readonly<Record<string, unknown>> }>;
  filter: ReadonlyArray<{ models: readonly PayloadModelMatch[]; params: readonly string[] }>;
}

export type PayloadProtocol = 'openai' | 'openai-response' | 'claude' | 'gemini' | 'codex';

/** The protocol name CLIProxyAPI users write in `payload.*.models[].protocol`, for an upstream. */
export function payloadProtocol(kind: ExecutorKind, format: Format): PayloadProtocol {
  if (kind === 'codex') return 'codex';
  switch (format) {
    case 'openai-chat':
      return 'openai';
    case 'openai-responses':
      return 'openai-response';
    case 'anthropic':
      return 'claude';
    case 'gemini':
      return 'gemini';
  }
}

function ruleMatches(models: readonly PayloadModelMatch[], names: readonly string[], protocol: string): boolean {
  for (const m of models) {
    if (m.protocol && m.protocol.toLowerCase() !== protocol) continue;
    for (const n of names) if (n && wildcardMatch(m.name, n)) return true;
  }
  return false;
}

/** Whether any rule is configured (callers skip building the rule inputs when none is). */
export function hasPayloadRules(rules: PayloadRules | undefined): rules is PayloadRules {
  return rules !== undefined && (rules.default.length > 0 || rules.override.length > 0 || rules.filter.length > 0);
}

/**
 * Apply the rules to an upstream body. Returns the input object untouched when no rule matches (the common
 * case, no copy); otherwise a deep copy with the changes, so a body shared across attempts is never mutated.
 * `models` are the names to match (the caller's model and the upstream model name).
 */
export function applyPayloadRules(
  rules: PayloadRules | undefined,
  body: Record<string, unknown>,
  models: readonly string[],
  protocol: PayloadProtocol,
): Record<string, unknown> {
  if (!hasPayloadRules(rules)) return body;
  let out: Record<string, unknown> | undefined;
  const target = () => (out ??= structuredClone(body));
  for (const r of rules.default) {
    if (!ruleMatches(r.models, models, protocol)) continue;
    for (const [path, value] of Object.entries(r.params)) {
      const segs = parsePath(path);
      if (segs.length > 0 && !hasPath(out ?? body, segs)) setPath(target(), segs, structuredClone(value));
    }
  }
  for (const r of rules.override) {
    if (!ruleMatches(r.models, models, protocol)) continue;
    for (const [path, value] of Object.entries(r.params)) {
      const segs = parsePath(path);
      if (segs.length > 0) setPath(target(), segs, structuredClone(value));
    }
  }
  for (const r of rules.filter) {
    if (!ruleMatches(r.models, models, protocol)) continue;
    for (const path of r.params) {
      const segs = parsePath(path);
      if (segs.length > 0 && hasPath(out ?? body, segs)) deletePath(target(), segs);
    }
  }
  return out ?? body;
}

/** Split a gjson/sjson path on unescaped dots. */
export function parsePath(path: string): string[] {
  const segs: string[] = [];
  let cur = '';
  for (let i = 0; i < path.length; i++) {
    const ch = path[i]!;
    if (ch === '\\' && i + 1 < path.length) {
      cur += path[++i];
    } else if (ch === '.') {
      segs.push(cur);
      cur = '';
    } else cur += ch;
  }
  segs.push(cur);
  return segs.filter((s) => s !== '');
}

const isIndex = (s: string) => /^(?:0|[1-9]\d*)$/.test(s);

function child(node: unknown, seg: string): unknown {
  if (Array.isArray(node)) return isIndex(seg) ? node[Number(seg)] : undefined;
  if (node && typeof node === 'object') return Object.prototype.hasOwnProperty.call(node, seg) ? (node as Record<string, unknown>)[seg] : undefined;
  return undefined;
}

export function hasPath(root: unknown, segs: readonly string[]): boolean {
  let node = root;
  for (const seg of segs) {
    if (Array.isArray(node)) {
      if (!isIndex(seg) || Number(seg) >= node.length) return false;
    } else if (!node || typeof node !== 'object' || !Object.prototype.hasOwnProperty.call(node, seg)) return false;
    node = child(node, seg);
  }
  return true;
}

export function getPath(root: unknown, segs: readonly string[]): unknown {
  let node = root;
  for (const seg of segs) node = child(node, seg);
  return node;
}

/** sjson semantics: missing containers are created (arrays for numeric / `-1` segments), scalars in the way replaced. */
export function setPath(root: Record<string, unknown>, segs: readonly string[], value: unknown): void {
  let node: Record<string, unknown> | unknown[] = root;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i]!;
    const last = i === segs.length - 1;
    const nextIsArray = !last && (isIndex(segs[i + 1]!) || segs[i + 1] === '-1');
    if (Array.isArray(node)) {
      const idx = seg === '-1' ? node.length : isIndex(seg) ? Number(seg) : -1;
      if (idx < 0) return; // a key on an array: sjson refuses too
      if (last) {
        node[idx] = value;
        return;
      }
      let next = node[idx];
      if (!next || typeof next !== 'object') node[idx] = next = nextIsArray ? [] : {};
      node = next as Record<string, unknown> | unknown[];
    } else {
      if (seg === '__proto__' || seg === 'constructor' || seg === 'prototype') return;
      if (last) {
        node[seg] = value;
        return;
      }
      let next = node[seg];
      if (!next || typeof next !== 'object') node[seg] = next = nextIsArray ? [] : {};
      node = next as Record<string, unknown> | unknown[];
    }
  }
}

export function deletePath(root: Record<string, unknown>, segs: readonly string[]): void {
  const parent = getPath(root, segs.slice(0, -1));
  const key = segs[segs.length - 1]!;
  if (Array.isArray(parent)) {
    if (isIndex(key) && Number(key) < parent.length) parent.splice(Number(key), 1);
  } else if (parent && typeof parent === 'object') delete (parent as Record<string, unknown>)[key];
}
