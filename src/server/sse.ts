import type { ServerResponse } from 'node:http';
import type { SseEvent } from '../formats/types.js';

export const SSE_HEADERS: Record<string, string> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

export function frameSse(ev: SseEvent): string {
  if (ev.raw) return ev.data;
  // Our own events are single-line JSON; an upstream event with several `data:` lines arrives joined by `\n`
  // and leaves as the same lines.
  const data = ev.data.includes('\n') ? ev.data.replaceAll('\n', '\ndata: ') : ev.data;
  return ev.event ? `event: ${ev.event}\ndata: ${data}\n\n` : `data: ${data}\n\n`;
}

function frameAll(events: readonly SseEvent[]): string {
  if (events.length === 1) return frameSse(events[0]!);
  let text = '';
  for (const ev of events) text += frameSse(ev);
  return text;
}

/**
 * The one SSE writer: frames events, flushes each as it is written, respects backpressure, and sends
 * comment keep-alives while the upstream is silent.
 */
export class SseWriter {
  private keepAliveTimer: NodeJS.Timeout | undefined;
  private started = false;
  private lastWrite = 0;

  constructor(
    private readonly res: ServerResponse,
    private readonly keepAliveMs: number,
    private readonly extraHeaders: Record<string, string> = {},
  ) {}

  /** Send status + headers (idempotent). */
  start(status = 200): void {
    if (this.started) return;
    this.started = true;
    // No flushHeaders(): the headers leave with the first event in one packet (one syscall fewer per stream).
    this.res.writeHead(status, { ...SSE_HEADERS, ...this.extraHeaders });
    this.lastWrite = Date.now();
    if (this.keepAliveMs > 0) {
      this.keepAliveTimer = setInterval(() => {
        if (Date.now() - this.lastWrite >= this.keepAliveMs && !this.res.writableEnded) {
          this.res.write(': keep-alive\n\n');
          this.lastWrite = Date.now();
        }
      }, Math.max(50, Math.floor(this.keepAliveMs / 2)));
      this.keepAliveTimer.unref();
    }
  }

  get headersSent(): boolean {
    return this.started;
  }

  /**
   * Write already-framed text now; false when the socket wants the caller to wait for 'drain'. `view`: the text
   * is a latin1 view of bytes to send as they are (see Success.primed.view), not text to encode as UTF-8.
   */
  sendRaw(text: string, view = false): boolean {
    if (this.res.writableEnded || this.res.destroyed) return true;
    this.lastWrite = Date.now();
    // No corking of our own: node:http already corks the socket for the rest of the tick on a response's first
    // write, so the writes of one tick (and the headers) leave in one writev (checked with strace on Node 20).
    return this.res.write(text, view ? 'latin1' : 'utf8');
  }

  send(events: readonly SseEvent[], view = false): boolean {
    return events.length === 0 ? true : this.sendRaw(frameAll(events), view);
  }

  /** Call `fn` once the socket drains (or closes). */
  onDrain(fn: () => void): void {
    const done = () => {
      this.res.off('drain', done);
      this.res.off('close', done);
      fn();
    };
    this.res.on('drain', done);
    this.res.on('close', done);
  }

  /** Write already-framed text; resolves once the socket can take more. */
  async writeRaw(text: string): Promise<void> {
    if (!this.sendRaw(text)) await new Promise<void>((resolve) => this.onDrain(resolve));
  }

  async write(events: readonly SseEvent[]): Promise<void> {
    if (events.length > 0) await this.writeRaw(frameAll(events));
  }

  end(): void {
    clearInterval(this.keepAliveTimer);
    if (!this.res.writableEnded) this.res.end();
  }
}
