/**
 * Request bodies as the caller sent them. A same-format call forwards the caller's JSON object with a few
 * top-level members changed (the model name, `stream`, a credential's additions), so the body can leave as the
 * caller's own bytes with only those members re-written. That saves re-serialising the whole body (as costly
 * as parsing it: about 0.7 ms for a 230 KB agent conversation) and keeps what the upstream reads exactly as the
 * caller wrote it: number spellings (`1.0`, integers beyond 2^53), string escapes, the key order of nested
 * objects, all of which a JSON.parse / JSON.stringify round trip rewrites.
 *
 * Contract: an object remembered here is never mutated in place. The pipeline edits copies (a spread of the
 * top level, `structuredClone` for payload rules), so a top-level member whose value is still the same object
 * as in the parsed body still has the bytes it was parsed from.
 */
import { serializeBody } from './frozen-json.js';

const rawOf = new WeakMap<object, Buffer>();

/** Remember the bytes `value` was parsed from (a JSON object, by the request edge). */
export function rememberRawJson(value: object, bytes: Buffer): void {
  rawOf.set(value, bytes);
}

/** A top-level member of a JSON object text: the key, and where the member and its value lie. */
interface Member {
  key: string;
  /** Offset of the key's opening quote. */
  start: number;
  /** Offset just past the value. */
  end: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipSpace(s: string, i: number): number {
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  return i;
}

/** Offset just past the string whose opening quote is at `at`, or -1. */
function stringEnd(s: string, at: number): number {
  let from = at + 1;
  for (;;) {
    const q = s.indexOf('"', from);
    if (q < 0) return -1;
    let k = q - 1;
    while (s.charCodeAt(k) === BACKSLASH) k--;
    // An even number of backslashes before the quote escape each other, not the quote.
    if ((q - 1 - k) % 2 === 0) return q + 1;
    from = q + 1;
  }
}

/** Offset just past the JSON value starting at `at`, or -1. */
function valueEnd(s: string, at: number): number {
  const c = s.charCodeAt(at);
  if (c === QUOTE) return stringEnd(s, at);
  if (c === 0x7b || c === 0x5b) {
    let depth = 0;
    let i = at;
    while (i < s.length) {
      const d = s.charCodeAt(i);
      if (d === QUOTE) {
        i = stringEnd(s, i);
        if (i < 0) return -1;
        continue;
      }
      if (d === 0x7b || d === 0x5b) depth++;
      else if (d === 0x7d || d === 0x5d) {
        if (--depth === 0) return i + 1;
      }
      i++;
    }
    return -1;
  }
  // A number, true, false or null: up to the next delimiter.
  let i = at;
  while (i < s.length) {
    const d = s.charCodeAt(i);
    if (d === 0x2c || d === 0x7d || d === 0x5d || isSpace(d)) break;
    i++;
  }
  return i > at ? i : -1;
}

/**
 * The top-level members of a JSON object text, in order; undefined when the text is not a JSON object of the
 * expected shape (the caller then serialises from scratch). `s` is a latin1 view of the bytes (one character
 * per byte), so offsets are byte offsets; only ASCII delimiters are looked at, so UTF-8 inside strings passes.
 */
export function topLevelMembers(s: string): Member[] | undefined {
  let i = skipSpace(s, 0);
  if (s.charCodeAt(i) !== 0x7b) return undefined;
  i = skipSpace(s, i + 1);
  const members: Member[] = [];
  if (s.charCodeAt(i) === 0x7d) return skipSpace(s, i + 1) === s.length ? members : undefined;
  for (;;) {
    if (s.charCodeAt(i) !== QUOTE) return undefined;
    const start = i;
    const keyEnd = stringEnd(s, i);
    if (keyEnd < 0) return undefined;
    i = skipSpace(s, keyEnd);
    if (s.charCodeAt(i) !== 0x3a) return undefined;
    i = skipSpace(s, i + 1);
    const end = valueEnd(s, i);
    if (end < 0) return undefined;
    members.push({ key: keyOf(s, start, keyEnd), start, end });
    i = skipSpace(s, end);
    const c = s.charCodeAt(i);
    if (c === 0x2c) {
      i = skipSpace(s, i + 1);
      continue;
    }
    if (c === 0x7d && skipSpace(s, i + 1) === s.length) return members;
    return undefined;
  }
}

/** The key's value: plain keys are the bytes between the quotes; escaped or non-ASCII ones are decoded. */
function keyOf(s: string, start: number, end: number): string {
  const inner = s.slice(start + 1, end - 1);
  for (let i = 0; i < inner.length; i++) {
    const c = inner.charCodeAt(i);
    if (c === BACKSLASH || c > 0x7e) return JSON.parse(Buffer.from(s.slice(start, end), 'latin1').toString('utf8')) as string;
  }
  return inner;
}

/**
 * The JSON bytes of `out`, a shallow copy of `base` with some top-level members set, replaced or removed, when
 * `base` was parsed from remembered bytes: those bytes with the changed members re-written (added ones go at
 * the end). Undefined when `base` has no remembered bytes or they cannot be matched to it member for member
 * (a key given twice, for one); the caller then serialises `out` itself.
 */
export function spliceRawJson(out: Record<string, unknown>, base: Record<string, unknown>): Buffer | undefined {
  const bytes = rawOf.get(base);
  if (!bytes) return undefined;
  // Members whose value is no longer the parsed one; undefined removes (as JSON.stringify leaves it out).
  const changed = new Map<string, unknown>();
  for (const key of Object.keys(out)) {
    const value = out[key];
    if (Object.hasOwn(base, key) ? value !== base[key] : value !== undefined) changed.set(key, value);
  }
  const baseKeys = Object.keys(base);
  for (const key of baseKeys) if (!Object.hasOwn(out, key)) changed.set(key, undefined);
  if (changed.size === 0) return bytes;
  const members = topLevelMembers(bytes.toString('latin1'));
  // JSON.parse keeps one member per key (the last); as many members as keys means no key was given twice.
  if (!members || members.length !== baseKeys.length) return undefined;
  const parts: Array<Buffer | string> = [];
  for (const m of members) {
    if (!changed.has(m.key)) {
      parts.push(bytes.subarray(m.start, m.end));
      continue;
    }
    const text = JSON.stringify(changed.get(m.key));
    changed.delete(m.key);
    if (text !== undefined) parts.push(`${JSON.stringify(m.key)}:${text}`);
  }
  for (const [key, value] of changed) {
    const text = JSON.stringify(value);
    if (text !== undefined) parts.push(`${JSON.stringify(key)}:${text}`);
  }
  let size = 1 + Math.max(0, parts.length - 1) + 1;
  for (const p of parts) size += typeof p === 'string' ? Buffer.byteLength(p) : p.length;
  const result = Buffer.allocUnsafe(size);
  let at = 0;
  result[at++] = 0x7b;
  for (let i = 0; i < parts.length; i++) {
    if (i > 0) result[at++] = 0x2c;
    const p = parts[i]!;
    at += typeof p === 'string' ? result.write(p, at, 'utf8') : p.copy(result, at);
  }
  result[at++] = 0x7d;
  return result;
}

/**
 * A request body's JSON for `out`, a shallow copy of `base` with some top-level members changed: the caller's
 * own bytes with those members re-written when `base` came from the wire (spliceRawJson), else serialised.
 */
export function serializeEdit(out: Record<string, unknown>, base: Record<string, unknown>): string | Buffer {
  return spliceRawJson(out, base) ?? serializeBody(out);
}
