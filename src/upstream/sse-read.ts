import { createParser } from 'eventsource-parser';
import type { Readable } from 'node:stream';
import type { SseEvent } from '../formats/types.js';

/**
 * The one SSE parser: yields the events of each network chunk as soon as it arrives (events split across
 * chunks are reassembled by the parser). Comments and keep-alives are skipped.
 */
export async function* readSseEvents(body: Readable): AsyncGenerator<SseEvent[]> {
  let batch: SseEvent[] = [];
  const parser = createParser({
    onEvent(ev) {
      batch.push(ev.event ? { event: ev.event, data: ev.data } : { data: ev.data });
    },
  });
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    parser.feed(decoder.decode(chunk as Buffer, { stream: true }));
    if (batch.length > 0) {
      const out = batch;
      batch = [];
      yield out;
    }
  }
  parser.feed(decoder.decode());
  // A final event without its blank line still counts.
  parser.feed('\n\n');
  if (batch.length > 0) yield batch;
}
