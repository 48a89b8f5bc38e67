import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseJsonObject } from '../../src/server/body.js';
import { memberKey, serializeEdit, spliceRawJson, SPLICE_MIN_BYTES, topLevelMembers } from '../../src/util/raw-json.js';

/** Parse bytes at the edge, as a request handler does (which remembers the bytes). */
function edge(text: string): Record<string, unknown> {
  const r = parseJsonObject(Buffer.from(text, 'utf8'));
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

const asText = (b: string | Buffer): string => (typeof b === 'string' ? b : b.toString('utf8'));

// Bodies under SPLICE_MIN_BYTES are re-serialised; this member takes a fixture over it.
const PAD = `"padding-member":"${'p'.repeat(SPLICE_MIN_BYTES)}"`;

describe('serializeEdit on a body parsed at the edge', () => {
  const wire =
    '{ "messages" : [{"role":"user","content":"caf\\u00e9 \\/ 日本 \\"q\\""}],\n "model": "client-name", "seed": 12345678901234567890,' +
    ' "temperature": 1.0, "logit_bias": {"10": 1, "2": -1e2}, "stream": false, ' + PAD + ' }';

  it('re-writes only the changed members: number spellings, escapes and nested key order stay as sent', () => {
    const base = edge(wire);
    const out: Record<string, unknown> = { ...base, model: 'upstream-name', stream: undefined };
    const sent = asText(serializeEdit(out, base));
    expect(sent).toContain('"seed": 12345678901234567890');
    expect(sent).toContain('"temperature": 1.0');
    expect(sent).toContain('"logit_bias": {"10": 1, "2": -1e2}');
    expect(sent).toContain('"content":"caf\\u00e9 \\/ 日本 \\"q\\""');
    expect(sent).toContain('"model":"upstream-name"');
    expect(sent).not.toContain('"stream"');
    expect(JSON.parse(sent)).toEqual(JSON.parse(JSON.stringify(out)));
  });

  it('adds new members at the end and hands back the very bytes when nothing changed', () => {
    const base = edge(wire);
    const added = asText(serializeEdit({ ...base, store: false, stream_options: { include_usage: true } }, base));
    expect(added.endsWith(',"store":false,"stream_options":{"include_usage":true}}')).toBe(true);
    const bytes = Buffer.from(wire, 'utf8');
    const same = serializeEdit({ ...base }, base);
    expect(Buffer.isBuffer(same) && same.equals(bytes)).toBe(true);
    // A key set to undefined that the caller never sent is no change either.
    expect(Buffer.isBuffer(serializeEdit({ ...base, extra: undefined }, base))).toBe(true);
  });

  it('writes an object left with no members, or only new ones', () => {
    const only = edge(`{ "stream" : false, ${PAD} }`);
    expect(asText(serializeEdit({ ...only, stream: undefined, 'padding-member': undefined }, only))).toBe('{}');
    expect(asText(serializeEdit({ model: 'm' }, only))).toBe('{"model":"m"}');
  });

  it('serialises from scratch when a key is given twice (JSON.parse kept the last)', () => {
    const base = edge(`{"model":"allowed","messages":[],"model":"other",${PAD}}`);
    expect(base.model).toBe('other');
    expect(spliceRawJson({ ...base, model: 'up' }, base)).toBeUndefined();
    expect(serializeEdit({ ...base, model: 'up' }, base)).toBe(`{"model":"up","messages":[],${PAD}}`);
  });

  it('re-serialises bodies under SPLICE_MIN_BYTES, where JSON.stringify is the cheaper way', () => {
    const small = edge('{ "model" : "a", "seed": 1.0 }');
    expect(spliceRawJson({ ...small, model: 'b' }, small)).toBeUndefined();
    expect(serializeEdit({ ...small, model: 'b' }, small)).toBe('{"model":"b","seed":1}');
  });

  it('serialises from scratch for objects that did not come from the wire', () => {
    const built = { model: 'a', messages: [] };
    expect(spliceRawJson({ ...built, model: 'b' }, built)).toBeUndefined();
    expect(serializeEdit({ ...built, model: 'b' }, built)).toBe('{"model":"b","messages":[]}');
  });

  it('reads escaped and non-ASCII keys as JSON.parse does', () => {
    const base = edge(`{"\\u006dodel":"x","clé":1,"a\\"b":2,${PAD}}`);
    expect(Object.keys(base)).toEqual(['model', 'clé', 'a"b', 'padding-member']);
    const sent = asText(serializeEdit({ ...base, model: 'y', 'clé': undefined }, base));
    expect(JSON.parse(sent)).toEqual({ model: 'y', 'a"b': 2, 'padding-member': base['padding-member'] });
    expect(sent).toContain('"a\\"b":2');
  });
});

describe('topLevelMembers', () => {
  it('finds each member of an object, whitespace and nesting included', () => {
    const text = Buffer.from(' {"a" : [1, {"b": "]}"}], "c":"\\\\", "d":null , "e":-1.5e3, "\\u006c":"' + 'x\\"'.repeat(40) + '"}\n');
    const members = topLevelMembers(text)!;
    expect(members.map((m) => [memberKey(text, m), text.toString('utf8', m.start, m.end)])).toEqual([
      ['a', '"a" : [1, {"b": "]}"}]'],
      ['c', '"c":"\\\\"'],
      ['d', '"d":null'],
      ['e', '"e":-1.5e3'],
      ['l', '"\\u006c":"' + 'x\\"'.repeat(40) + '"'],
    ]);
    expect(topLevelMembers(Buffer.from('{}'))).toEqual([]);
    expect(topLevelMembers(Buffer.from('[1]'))).toBeUndefined();
    expect(topLevelMembers(Buffer.from('{"a":1} x'))).toBeUndefined();
  });
});

// Texts of JSON values with the spellings a round trip through JSON.parse/stringify would not keep.
const spacing = fc.constantFrom('', ' ', '\n  ', '\t');
function spell(value: unknown, pick: () => number, ws: string[]): string {
  const space = () => ws[pick() % ws.length]!;
  const str = (s: string) =>
    `"${[...s]
      .map((ch) => {
        const code = ch.codePointAt(0)!;
        if (ch === '"' || ch === '\\' || code < 0x20) return JSON.stringify(ch).slice(1, -1);
        if (ch === '/' && pick() % 2 === 0) return '\\/';
        if (code < 0x10000 && pick() % 3 === 0) return `\\u${code.toString(16).padStart(4, '0')}`;
        return ch;
      })
      .join('')}"`;
  if (typeof value === 'string') return str(value);
  if (typeof value === 'number') return /^-?\d+$/.test(JSON.stringify(value)) && pick() % 2 === 0 ? `${JSON.stringify(value)}.0` : JSON.stringify(value);
  if (Array.isArray(value)) return `[${space()}${value.map((v) => spell(v, pick, ws)).join(`${space()},${space()}`)}${space()}]`;
  if (value && typeof value === 'object')
    return `{${space()}${Object.entries(value).map(([k, v]) => `${str(k)}${space()}:${space()}${spell(v, pick, ws)}`).join(`,${space()}`)}${space()}}`;
  return JSON.stringify(value);
}

describe('serializeEdit properties', () => {
  it('the upstream reads exactly the edited object, and every unchanged member leaves as it was spelled', () => {
    const key = fc.oneof(fc.constantFrom('model', 'stream', 'messages', '10', 'a/b', 'é'), fc.string({ maxLength: 6 }));
    // Long strings full of quotes and backslashes take the scanner's memchr path.
    const longText = fc.array(fc.constantFrom('a', '"', '\\', 'é', '/', '\\"'), { minLength: 40, maxLength: 120 }).map((a) => a.join(''));
    const json = fc.oneof(fc.jsonValue({ maxDepth: 3 }), longText, fc.array(longText, { maxLength: 3 }));
    fc.assert(
      fc.property(
        fc.dictionary(key, json, { maxKeys: 6 }),
        fc.array(fc.tuple(key, fc.option(json, { nil: undefined })), { maxLength: 4 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 16 }),
        fc.array(spacing, { minLength: 1, maxLength: 3 }),
        (value, edits, seeds, ws) => {
          let n = 0;
          const pick = () => seeds[n++ % seeds.length]!;
          const spelled = spell(value, pick, ws);
          const wire = `${spelled.slice(0, -1)}${Object.keys(value).length === 0 ? '' : ','}${PAD}}`;
          const base = edge(wire);
          const out: Record<string, unknown> = { ...base };
          for (const [k, v] of edits) {
            if (v === undefined && pick() % 2 === 0) delete out[k];
            else out[k] = v;
          }
          const sent = asText(serializeEdit(out, base));
          expect(JSON.parse(sent)).toEqual(JSON.parse(JSON.stringify(out)));
          const bytes = Buffer.from(wire, 'utf8');
          for (const m of topLevelMembers(bytes) ?? []) {
            const k = memberKey(bytes, m);
            if (Object.hasOwn(out, k) && out[k] === base[k]) {
              expect(Buffer.from(sent, 'utf8').includes(bytes.subarray(m.start, m.end))).toBe(true);
            }
          }
        },
      ),
      { numRuns: 1500 },
    );
  });
});
