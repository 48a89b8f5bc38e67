/**
 * JSON for values that never change once built: the wire form of a stored conversation's messages, which an
 * agent loop re-sends on every turn. Serialising the whole history per call costs time, and garbage, in
 * proportion to the thread's length. A frozen value is serialised and UTF-8 encoded once; a request body that
 * holds frozen values is assembled as bytes from those pieces, so no string of the whole body is built (or
 * collected) per turn. The cache lives in a non-enumerable symbol property, which JSON, spreads and clones
 * ignore.
 */
const BYTES = Symbol('frozen JSON bytes');

interface Frozen {
  [BYTES]: Buffer | undefined;
}

/** Promise that `value` (a plain JSON object) is never mutated again, so its JSON bytes may be cached. */
export function freezeJson<T extends object>(value: T): T {
  if (!(BYTES in value)) Object.defineProperty(value, BYTES, { value: undefined, writable: true, enumerable: false });
  return value;
}

function isFrozen(v: unknown): v is Frozen {
  return typeof v === 'object' && v !== null && BYTES in v;
}

function frozenBytes(v: Frozen): Buffer {
  let bytes = v[BYTES];
  if (!bytes) {
    const text = JSON.stringify(v);
    // A buffer of its own, not a slice of Node's shared pool: a cached slice would pin a whole pool slab.
    bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
    bytes.write(text);
    v[BYTES] = bytes;
  }
  return bytes;
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

/**
 * The JSON of `body` in two passes over the same walk: `measure` adds up the byte length, `write` fills the
 * buffer. Only the parts serialised now are kept between the passes (in `texts`, in walk order); frozen values
 * are copied from their cached bytes, so a long history costs no per-item array or string.
 */
class BodyWriter {
  private readonly texts: string[] = [];
  private next = 0;
  private out: Buffer | undefined;
  private at = 0;
  size = 0;

  constructor(
    private readonly body: Record<string, unknown>,
    private readonly nestedKey: string | undefined,
  ) {}

  bytes(): Buffer {
    this.walk(this.body, this.nestedKey);
    this.out = Buffer.allocUnsafe(this.size);
    this.walk(this.body, this.nestedKey);
    return this.out;
  }

  /** Text serialised now: made and measured in the first pass, written in the second. */
  private text(make: () => string | undefined): void {
    if (!this.out) {
      const t = make();
      if (t === undefined) return;
      this.texts.push(t);
      this.size += Buffer.byteLength(t);
    } else this.at += this.out.write(this.texts[this.next++]!, this.at);
  }

  private literal(t: string): void {
    if (!this.out) this.size += t.length; // ASCII punctuation only
    else this.at += this.out.write(t, this.at, 'latin1');
  }

  private frozen(v: Frozen): void {
    const b = frozenBytes(v);
    if (!this.out) this.size += b.length;
    else this.at += b.copy(this.out, this.at);
  }

  private walk(body: Record<string, unknown>, nestedKey: string | undefined): void {
    let first = true;
    for (const key of Object.keys(body)) {
      const value = body[key];
      if (value === undefined || typeof value === 'function' || typeof value === 'symbol') continue; // as JSON.stringify
      this.literal(first ? '{' : ',');
      first = false;
      this.text(() => `${JSON.stringify(key)}:`);
      if (Array.isArray(value) && value.some(isFrozen)) {
        this.literal('[');
        for (let i = 0; i < value.length; i++) {
          if (i > 0) this.literal(',');
          const item = value[i];
          if (isFrozen(item)) this.frozen(item);
          else this.text(() => JSON.stringify(item) ?? 'null');
        }
        this.literal(']');
      } else if (key === nestedKey && isPlainObject(value)) this.walk(value, undefined);
      else this.text(() => JSON.stringify(value));
    }
    this.literal(first ? '{}' : '}');
  }
}

/**
 * A request body as JSON: `JSON.stringify(body)` when it holds no frozen values; otherwise the same JSON as
 * bytes, assembled from the cached bytes of frozen values found in its top-level arrays, or in those of its
 * `nestedKey` object (an envelope such as Gemini CLI's `{model, project, request}`).
 */
export function jsonBody(body: Record<string, unknown>, nestedKey?: string): string | Buffer {
  return holdsFrozen(body, nestedKey) ? new BodyWriter(body, nestedKey).bytes() : JSON.stringify(body);
}
