/**
 * The one Chat chunk shape that makes up nearly every streamed event: a single choice whose delta is only
 * `{"content": "..."}`, no finish reason, no usage. Recognising it from the text and decoding just the string
 * literal costs a fraction of JSON.parse of the whole chunk, which dominated translated streams.
 *
 * Sound because in JSON text a raw `"` only ever delimits a string: the markers below cannot match inside a
 * string value. Anything else (other delta keys, tool calls, reasoning, usage objects, finish reasons, errors,
 * several choices) returns undefined and takes the full parse.
 */
// Searched without its opening quote (checked separately): V8's string search scans for a pattern's first
// character, and a quote is everywhere in JSON (285 -> 238 ns per chunk here, 412 -> 292 on a real OpenAI one).
const HEAD = 'choices":[{"index":0,"delta":{"content":"';
const TAILS = ['},"finish_reason":null}]', '},"logprobs":null,"finish_reason":null}]', '},"finish_reason":null,"logprobs":null}]'];

export function fastContentDelta(data: string): string | undefined {
  if (data.charCodeAt(0) !== 0x7b || data.charCodeAt(data.length - 1) !== 0x7d) return undefined;
  const head = data.indexOf(HEAD);
  if (head <= 0 || data.charCodeAt(head - 1) !== 0x22) return undefined;
  // Any object-valued key outside the choices (usage, error, ...) means the full parse. Searched only before
  // and after the choices, so the content is not scanned twice: the first `:{` must be the delta's own.
  if (data.indexOf(':{') < head) return undefined;
  const open = head + HEAD.length - 1;
  let i = open + 1;
  let escaped = false;
  for (;;) {
    if (i >= data.length) return undefined;
    const c = data.charCodeAt(i);
    if (c === 0x5c /* \ */) {
      escaped = true;
      i += 2;
    } else if (c === 0x22 /* " */) break;
    else i++;
  }
  const close = i;
  const tail = data.startsWith(TAILS[0]!, close + 1) ? TAILS[0]! : data.startsWith(TAILS[1]!, close + 1) ? TAILS[1]! : data.startsWith(TAILS[2]!, close + 1) ? TAILS[2]! : undefined;
  if (tail === undefined) return undefined;
  // After the choices array: only the end of the object or further top-level keys (id, model, usage:null...).
  const after = close + 1 + tail.length;
  const next = data.charCodeAt(after);
  if (next !== 0x7d /* } */ && next !== 0x2c /* , */) return undefined;
  if (next === 0x2c && data.indexOf('":{', after) >= 0) return undefined;
  if (!escaped) return data.slice(open + 1, close);
  try {
    return JSON.parse(data.slice(open, close + 1)) as string;
  } catch {
    return undefined;
  }
}
