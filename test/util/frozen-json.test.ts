import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { freezeJson, jsonBody } from '../../src/util/frozen-json.js';

/** A JSON body as text, checking that bytes (frozen values present) are valid UTF-8 of the same JSON. */
const asText = (b: string | Buffer): string => (typeof b === 'string' ? b : new TextDecoder('utf-8', { fatal: true }).decode(b));


describe('jsonBody', () => {
  it('is byte-for-byte JSON.stringify, whichever array items are frozen', () => {
    const item = fc.oneof(fc.jsonValue(), fc.dictionary(fc.string(), fc.jsonValue()));
    const body = fc.dictionary(fc.string(), fc.oneof(fc.jsonValue(), fc.array(item), fc.constant(undefined)));
    fc.assert(
      fc.property(body, fc.array(fc.boolean(), { maxLength: 40 }), (b, freezeMask) => {
        let n = 0;
        for (const v of Object.values(b)) {
          if (!Array.isArray(v)) continue;
          for (const x of v) if (x && typeof x === 'object' && freezeMask[n++ % Math.max(1, freezeMask.length)]) freezeJson(x);
        }
        expect(asText(jsonBody(b))).toBe(JSON.stringify(b));
        expect(asText(jsonBody(b))).toBe(JSON.stringify(b)); // second call uses the cached texts
      }),
      { numRuns: 300 },
    );
  });

  it('reuses the text of a frozen message instead of serialising it again', () => {
    const msg = freezeJson({ role: 'user', content: [{ type: 'text', text: 'hi' }] });
    const first = jsonBody({ model: 'm', messages: [msg], stream: undefined });
    // Bodies holding frozen values go out as bytes; others stay plain JSON.stringify text.
    expect(Buffer.isBuffer(first)).toBe(true);
    expect(typeof jsonBody({ model: 'm', messages: [{ role: 'user' }] })).toBe('string');
    expect(asText(first)).toBe('{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]}');
    // A frozen value is promised never to change; its cached text is what goes out.
    (msg.content[0] as { text: string }).text = 'changed';
    expect(asText(jsonBody({ messages: [msg] }))).toBe('{"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]}');
  });
});

describe('jsonBody with a growing history', () => {
  it('extends the cached prefix turn by turn, and notices when earlier items change', () => {
    const history: object[] = [];
    for (let turn = 0; turn < 30; turn++) {
      history.push(freezeJson({ role: turn % 2 ? 'assistant' : 'user', content: [{ type: 'text', text: `turn ${turn}` }] }));
      const body = { model: 'm', messages: [...history, { role: 'user', content: 'fresh, not frozen' }] };
      expect(asText(jsonBody(body))).toBe(JSON.stringify(body));
    }
    // Same frozen items in another order, one replaced, one dropped: every cached prefix must be re-checked.
    const shuffled = [history[3]!, ...history.slice(0, 3), freezeJson({ role: 'user', content: 'new' }), ...history.slice(5)];
    expect(asText(jsonBody({ messages: shuffled }))).toBe(JSON.stringify({ messages: shuffled }));
    const dropped = [...history.slice(0, 10), ...history.slice(11)];
    expect(asText(jsonBody({ messages: dropped }))).toBe(JSON.stringify({ messages: dropped }));
    expect(asText(jsonBody({ messages: history }))).toBe(JSON.stringify({ messages: history }));
  });
});
