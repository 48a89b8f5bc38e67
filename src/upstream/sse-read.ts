import type { SseEvent } from '../formats/types.js';
import type { SseEventStream, SseReadMode, UpstreamBody } from './body.js';

export type { SseReadMode } from './body.js';

/**
 * The one SSE reader: the events of each network chunk as soon as it arrives (events split across chunks are
 * reassembled), comments and keep-alives skipped, `map` (an executor's unwrapping) applied on the way.
 */
export function readSseEvents(body: UpstreamBody, map?: (ev: SseEvent) => SseEvent | undefined, mode: SseReadMode = 'text'): SseEventStream {
  return body.events(map, mode);
}
