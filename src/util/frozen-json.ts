/**
 * JSON text for values that never change once built: the wire form of a stored conversation's messages, which
 * an agent loop re-sends on every turn. Serialising the whole history per call costs time (and garbage) in
 * proportion to the thread's length. With frozen messages, a request body is assembled from texts made once:
 * each message's own text, and the joined UTF-8 bytes of the array's leading frozen run, which the next call
 * extends by its new items only. Caches live in non-enumerable symbol properties, which JSON, spreads and clones ignore.
 */
const TEXT = Symbol('frozen JSON text');
const RUN = Symbol('frozen JSON run');

/**
 * Kept on the first item of an array's leading run of frozen items: the run as it was last serialised and its
 * joined JSON text as UTF-8, `bytes[0, length)`. The next call checks its own run against `items` by identity (a
 * scan of two pointer arrays, not a visit to every item) and, when it only adds items at the end, writes just
 * those into the spare room of `bytes`. The run is kept as bytes, not as a string, because a request body
 * leaves as bytes: one joined string would be copied (flattened, then encoded) in full on every call, garbage
 * the size of the whole history per model call.
 */
interface Run {
  readonly items: readonly unknown[];
  /** Owned by the newest run of its chain: only that run appends, past every older run's length. */
  readonly bytes: Buffer;
  readonly length: number;
}

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

/** A buffer holding `bytes[0, used)` with room for at least `need` bytes in all (grown by doubling). */
function withRoom(bytes: Buffer | undefined, used: number, need: number): Buffer {
  if (bytes && bytes.length >= need) return bytes;
  const grown = Buffer.allocUnsafeSlow(Math.max(need, 2 * (bytes?.length ?? 0), 1024));
  if (bytes) bytes.copy(grown, 0, 0, used);
  return grown;
}

/**
 * The joined text of items[start..end), all frozen. `same` leading items are, by identity, the run `last`
 * serialised before: its bytes are reused when they are all of it, and extended by the rest.
 */
function runOf(items: unknown[], start: number, end: number, last: Run | undefined, same: number): Run {
  const first = items[start] as Frozen;
  const extend = last !== undefined && same === last.items.length;
  if (extend && start + same === end) return last;
  const from = extend ? start + same : start;
  let need = extend ? last.length : 0;
  for (let i = from; i < end; i++) need += Buffer.byteLength(frozenText(items[i] as Frozen)) + (i > start ? 1 : 0);
  const bytes = withRoom(extend ? last.bytes : undefined, extend ? last.length : 0, need);
  let length = extend ? last.length : 0;
  for (let i = from; i < end; i++) {
    if (i > start) bytes[length++] = 0x2c; // ','
    length += bytes.write(frozenText(items[i] as Frozen), length, 'utf8');
  }
  // The array itself when the run is all of it, not a copy: callers that send stable history build a new list
  // per call.
  const run: Run = { items: start === 0 && end === items.length ? items : items.slice(start, end), bytes, length };
  first[RUN] = run;
  return run;
}

/** A body's text in order: strings, and the frozen runs' bytes between them. */
type Part = string | Run;

/**
 * A JSON array with frozen items, appended to `parts`. The first stretch of frozen items (a history, after
 * whatever fresh items lead it, such as a Chat system message) is one cached run; everything else is
 * serialised or looked up item by item.
 */
function arrayParts(items: unknown[], parts: Part[], pending: string): string {
  const start = items.findIndex(isFrozen);
  if (start < 0) return pending + JSON.stringify(items);
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
  let out = `${pending}[`;
  for (let i = 0; i < start; i++) out = `${out}${JSON.stringify(items[i]) ?? 'null'},`;
  parts.push(out, runOf(items, start, end, last, same));
  out = '';
  for (let i = end; i < items.length; i++) {
    const item = items[i];
    out = `${out},${isFrozen(item) ? frozenText(item) : (JSON.stringify(item) ?? 'null')}`;
  }
  return `${out}]`;
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

/** The object's JSON text appended to `parts`, after `pending`; returns the text not yet pushed. */
function objectParts(body: Record<string, unknown>, nestedKey: string | undefined, parts: Part[], pending: string): string {
  let out = `${pending}{`;
  let first = true;
  for (const key of Object.keys(body)) {
    const value = body[key];
    if (Array.isArray(value)) {
      out = arrayParts(value, parts, `${out}${first ? '' : ','}${JSON.stringify(key)}:`);
    } else if (key === nestedKey && isPlainObject(value)) {
      out = objectParts(value, undefined, parts, `${out}${first ? '' : ','}${JSON.stringify(key)}:`);
    } else {
      const text = JSON.stringify(value);
      if (text === undefined) continue; // undefined, functions and symbols are skipped, as JSON.stringify does
      out = `${out}${first ? '' : ','}${JSON.stringify(key)}:${text}`;
    }
    first = false;
  }
  return `${out}}`;
}

/**
 * `JSON.stringify(body)` for a request body (a plain object of JSON values), taking the cached text of frozen
 * values found in its top-level arrays, or in those of its `nestedKey` object (an envelope such as Gemini CLI's
 * `{model, project, request}`). A body without frozen values goes straight to JSON.stringify and stays a
 * string; one with frozen values comes back as its UTF-8 bytes, assembled from the cached runs without
 * building the whole text as a string. Either way the bytes on the wire are exactly JSON.stringify's.
 */
export function serializeBody(body: Record<string, unknown>, nestedKey?: string): string | Buffer {
  if (!holdsFrozen(body, nestedKey)) return JSON.stringify(body);
  const parts: Part[] = [];
  parts.push(objectParts(body, nestedKey, parts, ''));
  let size = 0;
  for (const p of parts) size += typeof p === 'string' ? Buffer.byteLength(p) : p.length;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const p of parts) at += typeof p === 'string' ? out.write(p, at, 'utf8') : p.bytes.copy(out, at, 0, p.length);
  return out;
}
