/**
 * Request bodies as the caller sent them. A same-format call forwards the caller's JSON object with a few
 * top-level members changed (the model name, `stream`, a credential's additions), so the body can leave as the
 * caller's own bytes with only those members re-written. That saves re-serialising the whole body (as costly
 * as parsing it: about 0.7 ms for a 230 KB agent conversation) and keeps what the upstream reads exactly as the
 * caller wrote it: number spellings (`1.0`, integers beyond 2^53), string escapes, the key order of nested
 * objects, all of which a JSON.parse / JSON.stringify round trip rewrites. (Bodies under SPLICE_MIN_BYTES are
 * re-serialised: see there.)
 *
 * Contract: an object remembered here is never mutated in place. The pipeline edits copies (a spread of the
 * top level, `structuredClone` for payload rules), so a top-level member whose value is still the same object
 * as in the parsed body still has the bytes it was parsed from.
 */
import { serializeBody } from './frozen-json.js';

const rawOf = new WeakMap<object, Buffer>();

/**
 * Bodies shorter than this are re-serialised instead: finding the members costs a fixed amount that
 * JSON.stringify only exceeds from about here (measured on chat bodies: equal at ~220 bytes, 1.6x slower
 * stringify at 2.7 KB, 2x at 230 KB). Agent requests, whose system prompts alone run to kilobytes, are far above.
 */
export const SPLICE_MIN_BYTES = 256;

/** Remember the bytes `value` was parsed from (a JSON object, by the request edge). */
export function rememberRawJson(value: object, bytes: Buffer): void {
  if (bytes.length >= SPLICE_MIN_BYTES) rawOf.set(value, bytes);
}

/** A top-level member of a JSON object text: where its key's quotes and its value lie (byte offsets). */
export interface Member {
  /** Offset of the key's opening quote. */
  start: number;
  /** Offset just past the key's closing quote. */
  keyEnd: number;
  /** Offset just past the value. */
  end: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipSpace(b: Uint8Array, i: number): number {
  while (i < b.length && isSpace(b[i]!)) i++;
  return i;
}

/**
 * Offset just past the string whose opening quote is at `at`, or -1. Short strings are walked byte by byte;
 * past 64 bytes the search for the closing quote goes to Buffer#indexOf (memchr), whose call costs more than
 * a short walk but far less than a long one.
 */
function stringEnd(b: Buffer, at: number): number {
  let i = at + 1;
  const walkTo = Math.min(b.length, at + 64);
  while (i < walkTo) {
    const c = b[i]!;
    if (c === QUOTE) return i + 1;
    i += c === BACKSLASH ? 2 : 1;
  }
  for (;;) {
    const q = b.indexOf(QUOTE, i);
    if (q < 0) return -1;
    let k = q - 1;
    while (b[k] === BACKSLASH) k--;
    // An even number of backslashes before the quote escape each other, not the quote.
    if ((q - 1 - k) % 2 === 0) return q + 1;
    i = q + 1;
  }
}

/** Offset just past the JSON value starting at `at`, or -1. */
function valueEnd(b: Buffer, at: number): number {
  const c = b[at];
  if (c === QUOTE) return stringEnd(b, at);
  if (c === 0x7b || c === 0x5b) {
    let depth = 0;
    let i = at;
    while (i < b.length) {
      const d = b[i]!;
      if (d === QUOTE) {
        i = stringEnd(b, i);
        if (i < 0) return -1;
        continue;
      }
      if (d === 0x7b || d === 0x5b) depth++;
      else if ((d === 0x7d || d === 0x5d) && --depth === 0) return i + 1;
      i++;
    }
    return -1;
  }
  // A number, true, false or null: up to the next delimiter.
  let i = at;
  while (i < b.length) {
    const d = b[i]!;
    if (d === 0x2c || d === 0x7d || d === 0x5d || isSpace(d)) break;
    i++;
  }
  return i > at ? i : -1;
}

/**
 * The top-level members of a JSON object's bytes, in order; undefined when they are not a JSON object of the
 * expected shape (the caller then serialises from scratch). Only ASCII delimiters are looked at, so UTF-8
 * inside strings passes through.
 */
export function topLevelMembers(b: Buffer): Member[] | undefined {
  let i = skipSpace(b, 0);
  if (b[i] !== 0x7b) return undefined;
  i = skipSpace(b, i + 1);
  const members: Member[] = [];
  if (b[i] === 0x7d) return skipSpace(b, i + 1) === b.length ? members : undefined;
  for (;;) {
    if (b[i] !== QUOTE) return undefined;
    const start = i;
    const keyEnd = stringEnd(b, i);
    if (keyEnd < 0) return undefined;
    i = skipSpace(b, keyEnd);
    if (b[i] !== 0x3a) return undefined;
    i = skipSpace(b, i + 1);
    const end = valueEnd(b, i);
    if (end < 0) return undefined;
    members.push({ start, keyEnd, end });
    i = skipSpace(b, end);
    const c = b[i];
    if (c === 0x2c) {
      i = skipSpace(b, i + 1);
      continue;
    }
    if (c === 0x7d && skipSpace(b, i + 1) === b.length) return members;
    return undefined;
  }
}

/** The member's key as JSON.parse reads it. */
export function memberKey(b: Buffer, m: Member): string {
  return JSON.parse(b.toString('utf8', m.start, m.keyEnd)) as string;
}

// The few keys pipelines change (`model`, `stream`, ...): each one's quoted UTF-8 text, to find its member,
// and its `"key":` prefix, to write one; made once each.
const quotedKeys = new Map<string, { bytes: Buffer; prefix: string }>();

function quotedKey(key: string): { bytes: Buffer; prefix: string } {
  let q = quotedKeys.get(key);
  if (q === undefined) {
    if (quotedKeys.size >= 256) quotedKeys.clear();
    const quoted = JSON.stringify(key);
    quotedKeys.set(key, (q = { bytes: Buffer.from(quoted, 'utf8'), prefix: `${quoted}:` }));
  }
  return q;
}

/** Whether the member's key is `key`; a key spelled with escapes (`"\u006dodel"`) is decoded to compare. */
function keyIs(b: Buffer, m: Member, key: string): boolean {
  const quoted = quotedKey(key).bytes;
  const len = m.keyEnd - m.start;
  if (len === quoted.length) {
    let i = 0;
    while (i < len && b[m.start + i] === quoted[i]) i++;
    if (i === len) return true;
  }
  for (let i = m.start + 1; i < m.keyEnd - 1; i++) if (b[i] === BACKSLASH) return memberKey(b, m) === key;
  return false;
}

/** Copy `src[from, to)` into `dst` at `at`: short runs by hand, long ones through memcpy. */
function copyRange(src: Buffer, from: number, to: number, dst: Buffer, at: number): number {
  if (to - from > 64) return src.copy(dst, at, from, to);
  for (let i = from; i < to; i++) dst[at++] = src[i]!;
  return to - from;
}

/** `"key":value` as JSON, or '' when the value is left out (undefined, a function). */
function memberText(key: string, value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? '' : quotedKey(key).prefix + text;
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
  // Keys whose value is no longer the parsed one; an undefined value removes (JSON.stringify leaves it out).
  const changed: string[] = [];
  for (const key in out) {
    const value = out[key];
    if (Object.hasOwn(base, key) ? value !== base[key] : value !== undefined) changed.push(key);
  }
  let baseKeys = 0;
  for (const key in base) {
    baseKeys++;
    if (!Object.hasOwn(out, key)) changed.push(key);
  }
  if (changed.length === 0) return bytes;
  const members = topLevelMembers(bytes);
  // JSON.parse keeps one member per key (the last); as many members as keys means no key was given twice.
  if (!members || members.length !== baseKeys) return undefined;
  // The output in order: a kept member as its index, a changed one as its new text ('' when removed).
  const plan: Array<number | string> = [];
  const placed = new Array<boolean>(changed.length).fill(false);
  let size = 0;
  let written = 0;
  for (let i = 0; i < members.length; i++) {
    const m = members[i]!;
    let c = 0;
    while (c < changed.length && !keyIs(bytes, m, changed[c]!)) c++;
    if (c === changed.length) {
      plan.push(i);
      size += m.end - m.start;
      written++;
      continue;
    }
    placed[c] = true;
    const text = memberText(changed[c]!, out[changed[c]!]);
    plan.push(text);
    if (text) {
      size += Buffer.byteLength(text);
      written++;
    }
  }
  for (let c = 0; c < changed.length; c++) {
    if (placed[c]) continue;
    const text = memberText(changed[c]!, out[changed[c]!]);
    plan.push(text);
    if (text) {
      size += Buffer.byteLength(text);
      written++;
    }
  }
  size += 2 + Math.max(0, written - 1); // braces and commas
  const result = Buffer.allocUnsafe(size);
  let at = 0;
  result[at++] = 0x7b;
  for (const step of plan) {
    if (step === '') continue;
    if (at > 1) result[at++] = 0x2c;
    if (typeof step === 'number') at += copyRange(bytes, members[step]!.start, members[step]!.end, result, at);
    else at += result.write(step, at, 'utf8');
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
