/**
 * JSON text for values that never change once built: the wire form of a stored conversation's messages, which
 * an agent loop re-sends on every turn. Serialising the whole history per call costs time (and garbage) in
 * proportion to the thread's length. With frozen messages, a request body is assembled from texts made once:
 * each message's own text, and the text of the history up to it, which the next turn extends by its new
 * messages only. Caches live in non-enumerable symbol properties, which JSON, spreads and clones ignore.
 */
const TEXT = Symbol('frozen JSON text');
const PREFIX = Symbol('frozen JSON prefix');

/** The comma-joined texts of items[0..i] of an array, valid while the items before are the same objects. */
interface Prefix {
  readonly before: unknown;
  readonly beforePrefix: Prefix | undefined;
  readonly text: string;
}

interface Frozen {
  [TEXT]: string | undefined;
  [PREFIX]: Prefix | undefined;
}

const NOTHING_BEFORE = Symbol('array start');

/** Promise that `value` (a plain JSON object) is never mutated again, so its JSON text may be cached. */
export function freezeJson<T extends object>(value: T): T {
  if (!(TEXT in value)) {
    Object.defineProperty(value, TEXT, { value: undefined, writable: true, enumerable: false });
    Object.defineProperty(value, PREFIX, { value: undefined, writable: true, enumerable: false });
  }
  return value;
}

function isFrozen(v: unknown): v is Frozen {
  return typeof v === 'object' && v !== null && TEXT in v;
}

function frozenText(v: Frozen): string {
  return (v[TEXT] ??= JSON.stringify(v));
}

function arrayText(items: unknown[]): string {
  if (!items.some(isFrozen)) return JSON.stringify(items);
  // Reuse the longest run of leading frozen items whose joined text was made before, in this same order.
  let i = 0;
  let prefix: Prefix | undefined;
  for (; i < items.length; i++) {
    const item = items[i];
    if (!isFrozen(item)) break;
    const p = item[PREFIX];
    if (!p || p.beforePrefix !== prefix || p.before !== (i === 0 ? NOTHING_BEFORE : items[i - 1])) break;
    prefix = p;
  }
  // Extend it while items stay frozen, remembering each new prefix for the next call.
  for (; i < items.length; i++) {
    const item = items[i];
    if (!isFrozen(item) || (i > 0 && !prefix)) break;
    const text = frozenText(item);
    prefix = item[PREFIX] = { before: i === 0 ? NOTHING_BEFORE : items[i - 1], beforePrefix: prefix, text: prefix ? `${prefix.text},${text}` : text };
  }
  let out = prefix ? prefix.text : '';
  for (; i < items.length; i++) {
    const item = items[i];
    const text = isFrozen(item) ? frozenText(item) : (JSON.stringify(item) ?? 'null');
    out = i > 0 ? `${out},${text}` : text;
  }
  return `[${out}]`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function holdsFrozen(body: Record<string, unknown>, nestedKey: string | undefined): boolean {
  for (const key of Object.keys(body)) {
    const value = body[key];
    if (Array.isArray(value) ? value.some(isFrozen) : key === nestedKey && isPlainObject(value) && holdsFrozen(value, undefined)) return true;
  }
  return false;
}

function bodyText(body: Record<string, unknown>, nestedKey: string | undefined): string {
  let out = '';
  for (const key of Object.keys(body)) {
    const value = body[key];
    const text = Array.isArray(value) ? arrayText(value) : key === nestedKey && isPlainObject(value) ? bodyText(value, undefined) : JSON.stringify(value);
    if (text === undefined) continue; // undefined, functions and symbols are skipped, as JSON.stringify does
    out += `${out ? ',' : '{'}${JSON.stringify(key)}:${text}`;
  }
  return out ? `${out}}` : '{}';
}

/**
 * `JSON.stringify(body)` for a request body (a plain object of JSON values), taking the cached text of frozen
 * values found in its top-level arrays, or in those of its `nestedKey` object (an envelope such as Gemini CLI's
 * `{model, project, request}`). The output is byte-for-byte what JSON.stringify would produce; a body without
 * frozen values goes straight to JSON.stringify.
 */
export function stringifyBody(body: Record<string, unknown>, nestedKey?: string): string {
  return holdsFrozen(body, nestedKey) ? bodyText(body, nestedKey) : JSON.stringify(body);
}
