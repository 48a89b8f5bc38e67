import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UpstreamBody } from '../../src/upstream/body.js';
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
