import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createParser } from 'eventsource-parser';
import { afterLastBlankLine, endsAtBlankLine, UpstreamBody } from '../../src/upstream/body.js';
import { frameSse } from '../../src/server/sse.js';
import { latin1View, restoreModelNames } from '../../src/pipeline/model-name.js';
import type { SseEvent } from '../../src/formats/types.js';

/** Feed `bytes` to a fresh body in the given chunk sizes and collect every event. */
async function eventsOf(bytes: Buffer, cuts: number[]): Promise<SseEvent[]> {
  const body = new UpstreamBody();
  const stream = body.events();
  let at = 0;
  for (const cut of cuts) {
    const end = Math.min(bytes.length, at + cut);
    if (end > at) body.push(bytes.subarray(at, end));
    at = end;
  }
  if (at < bytes.length) body.push(bytes.subarray(at));
  body.complete();
  const out: SseEvent[] = [];
  for await (const batch of stream) out.push(...batch);
  return out;
}

describe('SSE decoding of an upstream body', () => {
  it('reassembles multi-byte characters and events split at any byte, and drops a leading byte-order mark', async () => {
    const events = [
      { event: 'message_start', data: '{"text":"héllo — 你好 👋"}' },
      { data: '{"emoji":"🧪🔬","quote":"\\"x\\""}' },
      { event: 'done', data: '[DONE]' },
    ];
    const wire = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(events.map((e) => (e.event ? `event: ${e.event}\n` : '') + `data: ${e.data}\n\n`).join(''))]);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 7 }), { maxLength: 60 }), async (cuts) => {
        expect(await eventsOf(wire, cuts)).toEqual(events);
      }),
      { numRuns: 200 },
    );
  });
});

/**
 * Every event a spec-following SSE client reads from `text`. A client drops an event still open when the
 * stream ends; `closeAtEnd` reads it the way our own parsed path does (it counts such an event).
 */
function parsed(text: string, closeAtEnd = false): SseEvent[] {
  const out: SseEvent[] = [];
  const parser = createParser({ onEvent: (ev) => out.push(ev.event ? { event: ev.event, data: ev.data } : { data: ev.data }) });
  parser.feed(text);
  if (closeAtEnd) parser.feed('\n\n');
  return out;
}

describe('raw pass-through of an upstream SSE body', () => {
  // Lines of SSE with every line ending, comments, ids, multi-line data, non-ASCII text and an event left open
  // at the end sometimes: whatever the chunking, a client reading what raw mode hands on (first events framed,
  // the rest as it came) must see the same events as one reading the upstream's bytes.
  const line = fc.oneof(
    fc.constantFrom('data: {"model":"up","text":"héllo 日本 🎉"}', 'data: [DONE]', 'event: delta', ': keep-alive', 'id: 7', 'data:x', 'retry: 10'),
    fc.string({ maxLength: 12 }).map((s) => `data: ${s.replace(/[\r\n]/g, ' ')}`),
  );
  const ending = fc.constantFrom('\n', '\r\n', '\r');
  const stream = fc.array(fc.tuple(fc.array(fc.tuple(line, ending), { minLength: 1, maxLength: 4 }), ending), { minLength: 1, maxLength: 6 }).chain((events) =>
    fc.boolean().map((closeLast) => {
      let text = events.map(([lines, blank]) => lines.map(([l, e]) => l + e).join('') + blank).join('');
      if (!closeLast) text += 'data: open at the end';
      return text;
    }),
  );

  it('hands on text that a client reads as the same events, model names restored, at any chunking', async () => {
    await fc.assert(
      fc.asyncProperty(stream, fc.array(fc.integer({ min: 1, max: 9 }), { maxLength: 80 }), async (text, cuts) => {
        const bytes = Buffer.from(text, 'utf8');
        const body = new UpstreamBody();
        const events = body.events(undefined, 'raw');
        let at = 0;
        for (const cut of cuts) {
          const end = Math.min(bytes.length, at + cut);
          if (end > at) body.push(bytes.subarray(at, end));
          at = end;
        }
        if (at < bytes.length) body.push(bytes.subarray(at));
        body.complete();
        // As pipePassthrough does: names restored on each piece handed on (a latin1 view of UTF-8 bytes).
        let out = '';
        for await (const batch of events) for (const ev of batch) out += frameSse({ ...ev, data: restoreModelNames(ev.data, latin1View('mödel')) });
        const client = Buffer.from(out, 'latin1').toString('utf8');
        // What the caller reads must hold every event on its own, a final one the upstream left open included.
        const expected = parsed(text, true).map((ev) => ({ ...ev, data: restoreModelNames(ev.data, 'mödel') }));
        expect(parsed(client)).toEqual(expected);
      }),
      { numRuns: 400 },
    );
  });

  it('finds the end of the last blank line as the parser reads line endings', () => {
    expect(afterLastBlankLine('data: a\n\ndata: b\n')).toBe(9);
    expect(afterLastBlankLine('data: a\r\n\r\ndata: b')).toBe(11);
    expect(afterLastBlankLine('data: a\r\rdata: b')).toBe(9);
    // A trailing \r may be half of \r\n: it ends nothing yet.
    expect(afterLastBlankLine('data: a\r\r')).toBe(0);
    expect(afterLastBlankLine('data: a\n\r')).toBe(0);
    expect(afterLastBlankLine('data: a')).toBe(0);
    expect(endsAtBlankLine('data: a\n\n')).toBe(true);
    expect(endsAtBlankLine('data: a\r\n\r\n')).toBe(true);
    expect(endsAtBlankLine('data: a\r\n')).toBe(false);
    expect(endsAtBlankLine('data: a')).toBe(false);
    expect(endsAtBlankLine('')).toBe(true);
    expect(endsAtBlankLine('data: a\n\r')).toBe(false);
    expect(endsAtBlankLine('data: a\r\n\n')).toBe(true);
  });
});

describe('raw pass-through while waiting for the first event', () => {
  it('keeps only what the parser still holds, however long the upstream sends keep-alives first', async () => {
    const body = new UpstreamBody();
    const events = body.events(undefined, 'raw');
    // 280 KB of keep-alives before the first event: what is held back stays under the 64 KB bound.
    for (let i = 0; i < 20_000; i++) body.push(Buffer.from(': keep-alive\n\n'));
    expect((events as unknown as { rawCarry: string }).rawCarry.length).toBeLessThan(65_536 + 64);
    body.push(Buffer.from('data: {"model":"up"}\n\ndata: [DONE]\n\n'));
    body.complete();
    let out = '';
    for await (const batch of events) for (const ev of batch) out += frameSse(ev);
    expect(parsed(out)).toEqual([{ data: '{"model":"up"}' }, { data: '[DONE]' }]);
  });
});
