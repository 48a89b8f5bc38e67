/**
 * Restore the caller's model name in a JSON document or SSE data line without re-parsing it: every
 * `"model":"x"` / `"modelVersion":"x"` key gets the model the caller asked for, not the upstream alias or
 * version string. A scanner rather than a regex with a replace callback: this runs on every streamed event.
 * Quotes inside JSON strings are escaped, so `\"model\"` inside a value never matches.
 */
export function restoreModelNames(text: string, requested: string): string {
  // Searching for `model` rather than `"model`: V8's string search looks for the pattern's first character
  // first, and a quote is everywhere in JSON (a failed search over one 150-byte chat chunk: ~145 ns for
  // `"model`, ~50 ns for `model`; in-process, the bench chunk).
  let i = text.indexOf('model');
  if (i < 0) return text;
  let out = '';
  let last = 0;
  const len = text.length;
  while (i >= 0) {
    let j = i + 5;
    if (text.charCodeAt(i - 1) !== 34 /* " */) {
      i = text.indexOf('model', j);
      continue;
    }
    const c0 = text.charCodeAt(j);
    if (c0 === 34) j += 1;
    else if (c0 === 86 /* V */ && text.startsWith('Version"', j)) j += 8;
    else {
      i = text.indexOf('model', j);
      continue;
    }
    let k = skipSpace(text, j);
    if (text.charCodeAt(k) !== 58 /* : */) {
      i = text.indexOf('model', j);
      continue;
    }
    k = skipSpace(text, k + 1);
    if (text.charCodeAt(k) !== 34) {
      i = text.indexOf('model', k);
      continue;
    }
    let e = k + 1;
    while (e < len) {
      const c = text.charCodeAt(e);
      if (c === 92 /* \ */) e += 2;
      else if (c === 34) break;
      else e++;
    }
    if (e >= len) break; // unterminated string: leave the rest alone
    if (e - k - 1 !== requested.length || !text.startsWith(requested, k + 1)) {
      out += text.slice(last, k) + quoted(requested);
      last = e + 1;
    }
    i = text.indexOf('model', e + 1);
  }
  return last === 0 ? text : out + text.slice(last);
}

/**
 * `name`'s UTF-8 bytes as a latin1 string (one character per byte), for editing a body held that way (see
 * Success.jsonBytes); an ASCII name is its own view. The last name is remembered: one caller asks per answer.
 */
export function latin1View(name: string): string {
  if (name !== lastViewed) {
    lastViewed = name;
    lastView = /^[\x00-\x7f]*$/.test(name) ? name : Buffer.from(name, 'utf8').toString('latin1');
  }
  return lastView;
}
let lastViewed = '';
let lastView = '';

// The JSON literal of the requested name, built once per name rather than once per event.
let lastName = '';
let lastQuoted = '""';
function quoted(name: string): string {
  if (name !== lastName) {
    lastQuoted = JSON.stringify(name);
    lastName = name;
  }
  return lastQuoted;
}

function skipSpace(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
    else return i;
  }
}
