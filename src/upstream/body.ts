import { createBrotliDecompress, createGunzip, createInflate, type Gunzip } from 'node:zlib';
import { StringDecoder } from 'node:string_decoder';
import { createParser, type EventSourceParser } from 'eventsource-parser';
import type { SseEvent } from '../formats/types.js';
import { deadline, type Deadline } from '../util/deadlines.js';
import { Chunks } from '../util/chunks.js';

/** What the transport lets a body do to its upstream request. */
export interface BodyControl {
  pause(): void;
  resume(): void;
  abort(reason: Error): void;
}

/** Where a body's bytes go once someone reads it: each chunk, then the end or a failure. */
export interface BodySink {
  chunk(buf: Buffer): void;
  end(): void;
  fail(err: Error): void;
}

export class UpstreamTimeoutError extends Error {
  constructor(
    readonly phase: 'first-byte' | 'idle',
    readonly ms: number,
  ) {
    super(phase === 'first-byte' ? `upstream sent no data within ${ms / 1000}s (first-byte timeout)` : `upstream went silent for ${ms / 1000}s (idle timeout)`);
    this.name = 'UpstreamTimeoutError';
  }
}

/**
 * An upstream response body, fed by the transport's dispatch handler and read once, either whole (`text`) or as
 * SSE event batches (`events`). Push-based on purpose: no Readable stream and no async-iterator layers per
 * network chunk; a consumer that falls behind pauses the upstream socket instead.
 */
export class UpstreamBody {
  private sink: BodySink | undefined;
  private early: Buffer[] = [];
  private finished = false;
  private failure: Error | undefined;
  private control: BodyControl | undefined;
  private inflater: Gunzip | undefined;
  destroyed = false;

  constructor(contentEncoding?: string) {
    const enc = contentEncoding?.toLowerCase();
    if (enc === 'gzip' || enc === 'x-gzip') this.inflater = createGunzip();
    else if (enc === 'deflate') this.inflater = createInflate() as unknown as Gunzip;
    else if (enc === 'br') this.inflater = createBrotliDecompress() as unknown as Gunzip;
    if (this.inflater) {
      this.inflater.on('data', (c: Buffer) => this.deliver(c));
      this.inflater.on('end', () => this.finish());
      this.inflater.on('error', (err) => this.fail(err));
    }
  }

  /** True when the upstream declared a compression this body decodes (its headers no longer apply). */
  get decoded(): boolean {
    return this.inflater !== undefined;
  }

  // ---- transport side ----

  attach(control: BodyControl): void {
    this.control = control;
  }

  push(chunk: Buffer): void {
    if (this.destroyed) return;
    if (this.inflater) this.inflater.write(chunk);
    else this.deliver(chunk);
  }

  complete(): void {
    if (this.inflater) this.inflater.end();
    else this.finish();
  }

  fail(err: Error): void {
    if (this.finished) return;
    this.finished = true;
    this.failure = err;
    this.sink?.fail(err);
  }

  // ---- consumer side ----

  /** Stop reading and release the upstream connection; a waiting reader sees `reason` (or a plain close). */
  destroy(reason?: Error): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.finished) {
      // Already complete (or failed): nothing to abort, and no error (with its stack trace) to build.
      this.inflater?.destroy();
      return;
    }
    const err = reason ?? new Error('upstream body closed before it ended');
    this.inflater?.destroy();
    this.control?.abort(err);
    this.fail(err);
  }

  pause(): void {
    this.control?.pause();
  }

  resume(): void {
    this.control?.resume();
  }

  /** The whole body as UTF-8 text. */
  text(): Promise<string> {
    return new Promise((resolve, reject) => {
      const chunks = new Chunks();
      this.readInto({ chunk: (b) => chunks.push(b), end: () => resolve(chunks.join().toString('utf8')), fail: reject });
    });
  }

  /** The body as SSE event batches (one batch per network chunk that completed events), `map` applied. */
  events(map?: (ev: SseEvent) => SseEvent | undefined, mode: SseReadMode = 'text'): SseEventStream {
    const stream = new SseEventStream(this, map, mode);
    this.readInto(stream);
    return stream;
  }

  /** Read the body into `sink` (once: a body has one reader). */
  readInto(sink: BodySink): void {
    if (this.sink) throw new Error('upstream body is already being read');
    this.sink = sink;
    const early = this.early;
    this.early = [];
    for (const c of early) sink.chunk(c);
    if (this.failure) sink.fail(this.failure);
    else if (this.finished) sink.end();
  }

  private deliver(chunk: Buffer): void {
    if (this.sink) this.sink.chunk(chunk);
    else this.early.push(chunk);
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.sink?.end();
  }
}

const HIGH_WATER_BATCHES = 32;

/**
 * How an SSE body is read:
 * - `text`: decoded as UTF-8 and parsed into events;
 * - `view`: parsed the same way over a latin1 view of the bytes (one character per byte; see
 *   Success.jsonBytes), for events that go back out as latin1 unchanged but for ASCII edits;
 * - `raw`: a view whose first events are parsed (what primeStream inspects), after which the rest of the body
 *   is handed on as framed text, not events: each chunk's complete lines as one `{ data, raw: true }` event,
 *   a line cut by the chunk boundary held back until it completes. A `"model": "…"` pair never spans lines, so
 *   names can still be restored on every piece; nothing is parsed or re-framed per event.
 */
export type SseReadMode = 'text' | 'view' | 'raw';

/**
 * SSE batches of one upstream body as an async iterator. Events are parsed (and mapped) as each network chunk
 * arrives; the iterator only hands them over. An optional idle limit aborts an upstream that goes silent while
 * the reader is waiting for it (time the upstream is paused for a slow reader does not count).
 */
export class SseEventStream implements AsyncIterableIterator<SseEvent[]> {
  private readonly parser: EventSourceParser;
  // StringDecoder rather than TextDecoder: the same handling of characters split across chunks, at a sixth of
  // the cost per chunk (TextDecoder's streaming mode goes through ICU). None for a latin1 view: bytes map to
  // characters one to one, so nothing is ever split.
  private readonly decoder: StringDecoder | undefined;
  /** `raw` mode: parsing until the first events (`priming`), then passing text on (`on`). */
  private rawPhase: 'off' | 'priming' | 'on';
  /** `raw` mode: text not yet handed on (while priming: all text since the stream began). */
  private rawCarry = '';
  /** `raw` mode: the last characters handed on, to close a final event the upstream left open. */
  private rawLast = '';
  private atStart = true;
  private batch: SseEvent[] = [];
  private readonly queue: SseEvent[][] = [];
  private waiter: { resolve: (r: IteratorResult<SseEvent[]>) => void; reject: (e: Error) => void } | undefined;
  private done = false;
  private error: Error | undefined;
  private paused = false;
  private idleMs = 0;
  private idleTimer: Deadline | undefined;
  private lastActivity = 0;
  private onFailure: ((err: Error) => void) | undefined;
  private piped: { onBatch: (batch: SseEvent[]) => boolean; onEnd: (err?: Error) => void } | undefined;

  constructor(
    private readonly body: UpstreamBody,
    map: ((ev: SseEvent) => SseEvent | undefined) | undefined,
    readonly mode: SseReadMode = 'text',
  ) {
    this.decoder = mode === 'text' ? new StringDecoder('utf8') : undefined;
    this.rawPhase = mode === 'raw' ? 'priming' : 'off';
    this.parser = createParser({
      onEvent: (ev) => {
        const e: SseEvent = ev.event ? { event: ev.event, data: ev.data } : { data: ev.data };
        const m = map ? map(e) : e;
        if (m) this.batch.push(m);
      },
    });
  }

  /**
   * Abort the upstream when it sends nothing for `ms`, and report any failure of the stream (idle, transport)
   * to `onFailure` once, before the reader sees it.
   */
  guard(ms: number, onFailure: (err: Error) => void): this {
    this.onFailure = onFailure;
    if (ms > 0 && !this.done) {
      this.idleMs = ms;
      this.lastActivity = performance.now();
      this.scheduleIdleCheck(ms);
    }
    return this;
  }

  // ---- fed by the body ----

  chunk(buf: Buffer): void {
    this.lastActivity = performance.now();
    let text = this.decoder ? this.decoder.write(buf) : buf.toString('latin1');
    if (this.atStart && text) {
      // A byte-order mark may open the stream (TextDecoder dropped it too); it is not part of the first field.
      this.atStart = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      else if (!this.decoder && text.startsWith('\xef\xbb\xbf')) text = text.slice(3);
    }
    if (this.rawPhase === 'on') {
      this.passRaw(text);
    } else {
      if (this.rawPhase === 'priming') this.rawCarry += text;
      this.parser.feed(text);
      if (this.rawPhase === 'priming' && this.batch.length > 0) {
        // The parsed events end at the last blank line; whatever follows it (lines of an event not complete
        // yet, a cut line) goes on raw, and so does everything after.
        const rest = this.rawCarry.slice(afterLastBlankLine(this.rawCarry));
        this.rawCarry = '';
        this.rawPhase = 'on';
        this.passRaw(rest);
      } else if (this.rawPhase === 'priming' && this.rawCarry.length > 65_536) {
        // Comments or empty events before the first real one (keep-alives of a slow upstream): the parser is
        // done with everything up to the last blank line, so that need not be kept.
        this.rawCarry = this.rawCarry.slice(afterLastBlankLine(this.rawCarry));
      }
    }
    this.flush();
  }

  /** `raw` mode: hand on the complete lines of carry + `text`, keep a cut line back. */
  private passRaw(text: string): void {
    const all = this.rawCarry + text;
    // A scan back from the end (an upstream chunk nearly always ends a line): String#lastIndexOf runs in V8's
    // C++ runtime and, for the terminator that is absent, reads the whole string.
    let cut = all.length;
    while (cut > 0) {
      const c = all.charCodeAt(cut - 1);
      if (c === 10 || c === 13) break;
      cut--;
    }
    if (cut === 0) {
      this.rawCarry = all;
      return;
    }
    const out = cut === all.length ? all : all.slice(0, cut);
    this.rawCarry = cut === all.length ? '' : all.slice(cut);
    this.rawLast = out.length >= 8 ? out.slice(-8) : (this.rawLast + out).slice(-8);
    this.batch.push({ data: out, raw: true });
  }

  end(): void {
    if (this.rawPhase === 'on') {
      // As the parsed path does (it feeds a blank line at the end), a final event the upstream left open still
      // counts: close it.
      let tail = this.rawCarry;
      this.rawCarry = '';
      if (!endsAtBlankLine(this.rawLast + tail)) tail += '\n\n';
      if (tail) this.batch.push({ data: tail, raw: true });
    } else {
      if (this.decoder) this.parser.feed(this.decoder.end());
      // A final event without its blank line still counts.
      this.parser.feed('\n\n');
    }
    this.flush();
    this.done = true;
    this.stopIdle();
    if (this.piped) {
      if (this.queue.length === 0) this.piped.onEnd();
      return;
    }
    if (this.waiter && this.queue.length === 0) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve({ value: undefined, done: true });
    }
  }

  fail(err: Error): void {
    if (this.done) return;
    this.done = true;
    this.error = err;
    this.stopIdle();
    this.onFailure?.(err);
    if (this.piped) {
      this.queue.length = 0;
      this.piped.onEnd(err);
      return;
    }
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.reject(err);
    }
  }

  // ---- read by the consumer ----

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<SseEvent[]>> {
    const value = this.queue.shift();
    if (value) {
      if (this.queue.length < HIGH_WATER_BATCHES / 2) this.resumeForReader();
      return Promise.resolve({ value, done: false });
    }
    if (this.error) return Promise.reject(this.error);
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /** The reader stopped early: release the upstream. */
  return(): Promise<IteratorResult<SseEvent[]>> {
    this.stopIdle();
    if (!this.done) {
      this.done = true;
      this.body.destroy();
    }
    this.queue.length = 0;
    return Promise.resolve({ value: undefined, done: true });
  }

  /**
   * Push mode, instead of iterating: every batch goes to `onBatch` the moment it is parsed, with no promise per
   * batch. `onBatch` returning false pauses the upstream until `resumePipe()`. `onEnd` is called once, with the
   * error if the stream failed. Batches already read by `next()` are not repeated.
   */
  pipe(onBatch: (batch: SseEvent[]) => boolean, onEnd: (err?: Error) => void): void {
    let ended = false;
    this.piped = {
      onBatch,
      onEnd: (err) => {
        if (ended) return;
        ended = true;
        onEnd(err);
      },
    };
    this.drainPiped();
  }

  resumePipe(): void {
    this.drainPiped();
  }

  private drainPiped(): void {
    const piped = this.piped!;
    while (this.queue.length > 0) {
      const batch = this.queue.shift()!;
      if (!piped.onBatch(batch)) {
        this.pauseForReader();
        return;
      }
    }
    if (this.error) {
      piped.onEnd(this.error);
      return;
    }
    if (this.done) {
      piped.onEnd();
      return;
    }
    this.resumeForReader();
  }

  private pauseForReader(): void {
    if (this.paused) return;
    this.paused = true;
    this.body.pause();
  }

  /** The reader caught up: let the upstream send again (time spent paused is not upstream silence). */
  private resumeForReader(): void {
    if (!this.paused) return;
    this.paused = false;
    this.lastActivity = performance.now();
    this.body.resume();
  }

  private flush(): void {
    if (this.batch.length === 0) return;
    const out = this.batch;
    this.batch = [];
    if (this.piped) {
      // Behind a paused reader, keep order: queue until it resumes.
      if (this.paused || this.queue.length > 0) this.queue.push(out);
      else if (!this.piped.onBatch(out)) this.pauseForReader();
      return;
    }
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve({ value: out, done: false });
      return;
    }
    this.queue.push(out);
    if (this.queue.length >= HIGH_WATER_BATCHES) this.pauseForReader();
  }

  // One deadline per stream, re-armed lazily: resetting a timer on every chunk is measurable at high event rates.
  private scheduleIdleCheck(ms: number): void {
    this.idleTimer = deadline(ms, () => this.checkIdle());
  }

  private checkIdle(): void {
    if (this.done) return;
    const now = performance.now();
    if (this.paused) this.lastActivity = now;
    const silentFor = now - this.lastActivity;
    if (silentFor >= this.idleMs) {
      this.body.destroy(new UpstreamTimeoutError('idle', this.idleMs));
      return;
    }
    this.scheduleIdleCheck(Math.max(1, Math.ceil(this.idleMs - silentFor)));
  }

  private stopIdle(): void {
    this.idleTimer?.cancel();
    this.idleTimer = undefined;
  }
}

/**
 * Offset just past the last blank line of `text` (0 if none), reading line ends as eventsource-parser does:
 * `\n`, `\r\n` or `\r`, where a `\r` at the very end may be half of `\r\n` and ends nothing yet. Everything
 * before the offset has been dispatched as events (or was comments); everything after belongs to an event the
 * parser still holds.
 */
export function afterLastBlankLine(text: string): number {
  let boundary = 0;
  let lineStart = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 10 && c !== 13) continue;
    if (c === 13 && i === text.length - 1) break;
    const end = c === 13 && text.charCodeAt(i + 1) === 10 ? i + 2 : i + 1;
    if (i === lineStart) boundary = end;
    lineStart = end;
    i = end - 1;
  }
  return boundary;
}

/**
 * Whether SSE text ends with a blank line (or is empty): no event is left open. A final lone `\r` counts as
 * open: a streaming parser cannot tell it from the first half of `\r\n` and may hold the event back.
 */
export function endsAtBlankLine(text: string): boolean {
  if (text === '') return true;
  let end = text.length;
  if (text.charCodeAt(end - 1) !== 10) return false;
  end -= text.charCodeAt(end - 2) === 13 ? 2 : 1;
  if (end === 0) return true;
  const prev = text.charCodeAt(end - 1);
  return prev === 10 || prev === 13;
}
