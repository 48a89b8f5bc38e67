import type { SseEvent } from '../../../src/formats/types.js';

/** Minimal SSE text → events splitter for fixtures (the server has the real parser). */
export function parseSse(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const chunk of text.split(/\n\n+/)) {
    let event: string | undefined;
    const data: string[] = [];
    for (const line of chunk.split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
    }
    if (data.length) events.push(event ? { event, data: data.join('\n') } : { data: data.join('\n') });
  }
  return events;
}
