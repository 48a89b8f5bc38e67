import { InvalidRequestError } from '../types.js';

/**
 * Small readers for Gemini wire JSON. Google's JSON parser accepts both the lowerCamel JSON names and the
 * original proto snake_case names (`systemInstruction` / `system_instruction`), and real clients send both
 * (the Python SDK and hand-written curl bodies often use snake_case), so every read goes through `field`.
 */

export type Json = Record<string, unknown>;

export function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** snake_case spelling of a lowerCamel name (`inlineData` → `inline_data`). */
function snake(name: string): string {
  let out = '';
  for (const ch of name) out += ch >= 'A' && ch <= 'Z' ? `_${ch.toLowerCase()}` : ch;
  return out;
}

const SNAKE_CACHE = new Map<string, string>();

/** Read `name` (lowerCamel) or its snake_case twin from `obj`. */
export function field(obj: Json, name: string): unknown {
  const v = obj[name];
  if (v !== undefined) return v;
  let s = SNAKE_CACHE.get(name);
  if (s === undefined) {
    s = snake(name);
    SNAKE_CACHE.set(name, s);
  }
  return s === name ? undefined : obj[s];
}

/** Optional object field; throws InvalidRequestError naming `path` when present with the wrong type. */
export function objField(obj: Json, name: string, path: string): Json | undefined {
  const v = field(obj, name);
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) throw new InvalidRequestError(`${path} must be an object`, path);
  return v;
}

export function arrField(obj: Json, name: string, path: string): unknown[] | undefined {
  const v = field(obj, name);
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw new InvalidRequestError(`${path} must be an array`, path);
  return v;
}

export function numField(obj: Json, name: string, path: string): number | undefined {
  const v = field(obj, name);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new InvalidRequestError(`${path} must be a number`, path);
  return v;
}

export function strField(obj: Json, name: string, path: string): string | undefined {
  const v = field(obj, name);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new InvalidRequestError(`${path} must be a string`, path);
  return v;
}

export function boolField(obj: Json, name: string, path: string): boolean | undefined {
  const v = field(obj, name);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new InvalidRequestError(`${path} must be a boolean`, path);
  return v;
}

/** Lenient readers for upstream responses: never throw, just ignore wrong types. */
export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * Google's documented escape value for `thoughtSignature` on history parts that have no real signature
 * (e.g. function calls produced by another provider). Gemini 3 models reject a model turn whose first
 * functionCall lacks a signature; this value tells the validator to skip the check. It is Google's official
 * bypass (see the Gemini "thought signatures" docs), not a fabricated signature.
 */
export const SKIP_THOUGHT_SIGNATURE = 'skip_thought_signature_validator';

/** Guess an image mime type from a URL's file extension (fileData needs one). */
export function guessImageMime(url: string): string {
  const q = url.search(/[?#]/);
  const path = (q >= 0 ? url.slice(0, q) : url).toLowerCase();
  const dot = path.lastIndexOf('.');
  const ext = dot >= 0 ? path.slice(dot + 1) : '';
  switch (ext) {
    case 'png':
      return 'image/png';
    case 'jpg':
    case 'jpeg':
      return 'image/jpeg';
    case 'gif':
      return 'image/gif';
    case 'webp':
      return 'image/webp';
    case 'heic':
      return 'image/heic';
    case 'heif':
      return 'image/heif';
    case 'bmp':
      return 'image/bmp';
    case 'svg':
      return 'image/svg+xml';
    default:
      return 'image/*';
  }
}

export { parseDataUrl } from '../shared/json.js';
