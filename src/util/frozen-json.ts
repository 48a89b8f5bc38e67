/**
 * JSON text for values that never change once built: the wire form of a stored conversation's messages, which
 * an agent loop re-sends on every turn. Serialising the whole history per call costs time (and garbage) in
 * proportion to the thread's length. With frozen messages, a request body is assembled from texts made once:
 * each message's own text, and the joined text of the array's leading frozen run, which the next call extends
 * by its new items only. Caches live in non-enumerable symbol properties, which JSON, spreads and clones ignore.
 */
const TEXT = Symbol('frozen JSON text');
const RUN = Symbol('frozen JSON run');

/**
 * Kept on the first item of an array's leading run of frozen items: the run as it was last serialised and its
 * joined text. The next call checks its own run against `items` by identity (a scan of two pointer arrays, not
 * a visit to every item) and, when it only adds items at the end, reuses `text`. `pieces` counts the appends
 * since `text` was last flattened.
 */
interface Run {
  readonly items: readonly unknown[];
  readonly text: string;
  readonly pieces: number;
}

/** Appends a run's text may collect before it is flattened (a copy of the whole text, so not every call). */
const FLATTEN_AFTER = 64;

interface Frozen {
  [TEXT]: string | undefined;
  [RUN]: Run | undefined;
}

/** Promise that `value` (a plain JSON object) is never mutated again, so its JSON text may be cached. */
export function freezeJson<T extends object>(value: T): T {
  if (!(TEXT in value)) {
    Object.defineProperty(value, TEXT, { value: undefined, writable: true, enumerable: false });
    Object.defineProperty(value, RUN, { value: undefined, writable: true, enumerable: false });
  }
  return value;
}

function isFrozen(v: unknown): v is Frozen {
  return typeof v === 'object' && v !== null && TEXT in v;
}

function frozenText(v: Frozen): string {
  return (v[TEXT] ??= JSON.stringify(v));
}

/**
 * Make V8 store `text` as one flat string now. A run's text grows by concatenation, and a string built by
 * thousands of concatenations is a deep tree that every later use (the UTF-8 encoding on the way out) walks
 * node by node. Flattening copies the whole text, so it is done once every FLATTEN_AFTER appends: the tree
 * stays shallow and the copies stay rare.
 */
function flatten(text: string): string {
  Number(text); // reading a string as a number flattens it in place
  return text;
}

/**
 * The joined text of items[start..end), all frozen. `same` leading items are, by identity, the run `last`
 * serialised before, so its text is reused when they are all of it, and extended by the rest.
 */
function runText(items: unknown[], start: number, end: number, last: Run | undefined, same: number): string {
  const first = items[start] as Frozen;
  let text: string;
  let from: number;
  let pieces: number;
  if (last && same === last.items.length) {
    if (start + same === end) return last.text;
    text = last.text;
    from = start + same;
    pieces = last.pieces;
  } else {
    text = frozenText(first);
    from = start + 1;
    pieces = FLATTEN_AFTER; // a rebuilt text is flattened at once
  }
  for (let i = from; i < end; i++) text = `${text},${frozenText(items[i] as Frozen)}`;
  pieces += end - from;
  if (pieces >= FLATTEN_AFTER) {
    text = flatten(text);
    pieces = 0;
  }
  // The array itself when the run is all of it, not a copy: callers that send stable history build a new list
  // per call.
  first[RUN] = { items: start === 0 && end === items.length ? items : items.slice(start, end), text, pieces };
  return text;
}

/**
 * A JSON array with frozen items. The first stretch of frozen items (a history, after whatever fresh items lead
 * it, such as a Chat system message) is one cached run; everything else is serialised or looked up item by item.
 */
function arrayText(items: unknown[]): string {
  const start = items.findIndex(isFrozen);
  if (start < 0) return JSON.stringify(items);
  // Items the last run covered are frozen already: compare them by identity, and test only what follows.
  const last = (items[start] as Frozen)[RUN];
  let same = 0;
  if (last) {
    const before = last.items;
    const max = Math.min(before.length, items.length - start);
    while (same < max && before[same] === items[start + same]) same++;
  }
  let end = start + same;
  while (end < items.length && isFrozen(items[end])) end++;
  let out = '';
  for (let i = 0; i < start; i++) out = `${out}${i > 0 ? ',' : ''}${JSON.stringify(items[i]) ?? 'null'}`;
  out = `${out}${start > 0 ? ',' : ''}${runText(items, start, end, last, same)}`;
  for (let i = end; i < items.length; i++) {
    const item = items[i];
    out = `${out},${isFrozen(item) ? frozenText(item) : (JSON.stringify(item) ?? 'null')}`;
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
