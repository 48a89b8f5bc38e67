import type { ServerResponse } from 'node:http';
import type { TextEncoding } from '../server/respond.js';
import type { SseWriter } from '../server/sse.js';

/**
 * Keeps the caller's connection warm while the router is still looking for an answer (slow first byte,
 * failover in progress), without committing any content: SSE comments for stream callers, leading whitespace
 * (which every JSON parser skips) for non-stream callers. Until it fires nothing at all is sent, so a quick
 * answer keeps its real status and headers; once it fired, status 200 is committed and a later failure is
 * delivered in the body (an SSE error event, or the error JSON after the whitespace).
 */
export class PendingKeepAlive {
  private timer: NodeJS.Timeout | undefined;
  private fired = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly mode: { kind: 'sse'; writer: SseWriter } | { kind: 'json'; headers: Record<string, string> },
    private readonly intervalMs: number,
  ) {}

  start(): this {
    if (this.intervalMs > 0) {
      this.timer = setInterval(() => void this.tick(), this.intervalMs);
      this.timer.unref();
    }
    return this;
  }

  /** True once anything (headers, comments, whitespace) went to the caller. */
  get committed(): boolean {
    return this.fired;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async tick(): Promise<void> {
    if (this.res.writableEnded || this.res.destroyed) return this.stop();
    this.fired = true;
    if (this.mode.kind === 'sse') {
      // The writer's own keep-alive takes over from here (it sends comments whenever the stream is silent).
      this.stop();
      this.mode.writer.start();
      await this.mode.writer.writeRaw(': keep-alive\n\n');
      return;
    }
    if (!this.res.headersSent) this.res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', ...this.mode.headers });
    this.res.write('\n');
  }
}

/** Finish a non-stream answer whose status line was already committed by the keep-alive. */
export function endCommittedJson(res: ServerResponse, text: string, encoding: TextEncoding = 'utf8'): void {
  if (!res.writableEnded) res.end(text, encoding);
}

/** An SSE comment (ignored by every client) carrying information the headers could no longer carry. */
export function sseComment(text: string): string {
  return `: ${text.replace(/[\r\n]+/g, ' ')}\n\n`;
}
