import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { freezeJson, serializeBody } from '../../src/util/frozen-json.js';

/** The body's text, whether it came back as a string or as UTF-8 bytes. */
const stringifyBody = (body: Record<string, unknown>) => String(serializeBody(body));

describe('serializeBody', () => {
  it('is byte-for-byte JSON.stringify, whichever array items are frozen', () => {
    const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' })); // 'binary' includes astral and lone surrogates
    const item = fc.oneof(fc.jsonValue(), fc.dictionary(text, fc.oneof(fc.jsonValue(), text)));
    const body = fc.dictionary(fc.string(), fc.oneof(fc.jsonValue(), fc.array(item), fc.constant(undefined)));
    fc.assert(
      fc.property(body, fc.array(fc.boolean(), { maxLength: 40 }), (b, freezeMask) => {
        let n = 0;
        for (const v of Object.values(b)) {
          if (!Array.isArray(v)) continue;
          for (const x of v) if (x && typeof x === 'object' && freezeMask[n++ % Math.max(1, freezeMask.length)]) freezeJson(x);
        }
        expect(stringifyBody(b)).toBe(JSON.stringify(b));
        expect(stringifyBody(b)).toBe(JSON.stringify(b)); // second call uses the cached texts
      }),
      { numRuns: 300 },
    );
  });

  it('reuses the text of a frozen message instead of serialising it again', () => {
    const msg = freezeJson({ role: 'user', content: [{ type: 'text', text: 'hi' }] });
    const first = stringifyBody({ model: 'm', messages: [msg], stream: undefined });
    expect(first).toBe('{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]}');
    // A frozen value is promised never to change; its cached text is what goes out.
    (msg.content[0] as { text: string }).text = 'changed';
    expect(stringifyBody({ messages: [msg] })).toBe('{"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]}');
  });
});

describe('serializeBody with a growing history', () => {
  it('extends the cached prefix turn by turn, and notices when earlier items change', () => {
    const history: object[] = [];
    for (let turn = 0; turn < 30; turn++) {
      history.push(freezeJson({ role: turn % 2 ? 'assistant' : 'user', content: [{ type: 'text', text: `turn ${turn}` }] }));
      const body = { model: 'm', messages: [...history, { role: 'user', content: 'fresh, not frozen' }] };
      expect(stringifyBody(body)).toBe(JSON.stringify(body));
    }
    // Same frozen items in another order, one replaced, one dropped: every cached prefix must be re-checked.
    const shuffled = [history[3]!, ...history.slice(0, 3), freezeJson({ role: 'user', content: 'new' }), ...history.slice(5)];
    expect(stringifyBody({ messages: shuffled })).toBe(JSON.stringify({ messages: shuffled }));
    const dropped = [...history.slice(0, 10), ...history.slice(11)];
    expect(stringifyBody({ messages: dropped })).toBe(JSON.stringify({ messages: dropped }));
    expect(stringifyBody({ messages: history })).toBe(JSON.stringify({ messages: history }));
  });

  it('sends a history with frozen items as bytes, and an earlier body is untouched when the history grows or branches', () => {
    const history = Array.from({ length: 10 }, (_, i) => freezeJson({ role: 'user', content: `é ${i} ${'x'.repeat(i * 50)}` }));
    const bodies: Array<[Buffer, string]> = [];
    for (const tail of ['a', 'b', 'a']) {
      const branch = [...history, freezeJson({ role: 'assistant', content: `branch ${tail} 🙂` })];
      for (let n = 0; n < 40; n++) branch.push(freezeJson({ role: 'user', content: `${tail} ${n} ${'y'.repeat(n * 30)}` }));
      for (let n = 1; n <= branch.length; n += 7) {
        const body = { model: 'm', messages: branch.slice(0, n), stream: true };
        const out = serializeBody(body);
        expect(Buffer.isBuffer(out)).toBe(true);
        bodies.push([out as Buffer, JSON.stringify(body)]);
      }
    }
    for (const [bytes, text] of bodies) expect(bytes.equals(Buffer.from(text))).toBe(true);
    expect(serializeBody({ model: 'm', messages: [{ role: 'user', content: 'nothing frozen' }] })).toBe('{"model":"m","messages":[{"role":"user","content":"nothing frozen"}]}');
  });
});
