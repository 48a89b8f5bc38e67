import { UpstreamTimeoutError, type SseEventStream } from '../upstream/body.js';
import { CancelSource, type Cancellation } from '../util/cancel.js';
import { deadline, type Deadline } from '../util/deadlines.js';

/**
 * One upstream attempt's cancellation: the caller's, plus our own timeouts. The first-byte
 * timer runs until the first event (stream) or the whole body (non-stream upstream, which sends nothing until
 * it is done, so it gets the longer idle limit); a timeout before anything reached the caller is an ordinary
 * retryable failure, so the router moves on to the next credential.
 */
export class AttemptGuard extends CancelSource {
  timedOut: UpstreamTimeoutError | undefined;
  private timer: Deadline | undefined;
  private client: Cancellation | undefined;

  constructor(
    client: Cancellation,
    private readonly firstByteMs: number,
    private readonly idleMs: number,
  ) {
    super();
    this.client = client;
    client.link(this);
  }

  /** The attempt is over (failed, or answered in one body): stop the timer and detach from the caller. */
  done(): void {
    this.settle();
    this.release();
  }

  /** Detach from the caller's signal once the attempt is over (failed attempts only; a served stream keeps it). */
  release(): void {
    this.client?.unlink(this);
    this.client = undefined;
  }

  /** Start waiting for the first byte (stream upstream) or the whole answer (non-stream upstream). */
  arm(upstreamStreams: boolean): void {
    const ms = upstreamStreams ? this.firstByteMs : this.idleMs;
    if (ms <= 0) return;
    this.timer = deadline(ms, () => this.abort((this.timedOut = new UpstreamTimeoutError(upstreamStreams ? 'first-byte' : 'idle', ms))));
  }

  /** The first byte (or whole body) arrived: the first-byte limit no longer applies. */
  settle(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** Guard the rest of a committed stream with the idle timeout; `onError` hears of any failure once. */
  guard(rest: SseEventStream, onError: (err: Error) => void): SseEventStream {
    return rest.guard(this.idleMs, onError);
  }
}

/** A config duration in seconds (absent or negative: 0, off) as milliseconds. */
export function secondsToMs(seconds: number | undefined): number {
  return Math.max(0, (seconds ?? 0) * 1000);
}

/** The per-attempt limits from `streaming.*` (seconds in config, ms here; 0 = off). */
export function attemptTimeouts(streaming: { 'first-byte-timeout-seconds'?: number; 'idle-timeout-seconds'?: number }): { firstByteMs: number; idleMs: number } {
  return { firstByteMs: secondsToMs(streaming['first-byte-timeout-seconds']), idleMs: secondsToMs(streaming['idle-timeout-seconds']) };
}
