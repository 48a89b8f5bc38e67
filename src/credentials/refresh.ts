import type { TokenSession } from './session.js';
import type { Logger } from '../util/log.js';

/**
 * Background refresh (SPEC 5.5): every few seconds, renew tokens that are within their provider's lead time (or
 * whose `refresh_interval_seconds` elapsed). Each renewal goes through the session's coalesced `refresh()`, so a
 * request that needs the same token meanwhile waits on this refresh instead of starting a second one.
 * A failed refresh leaves the stored refresh token untouched and is retried after 5 minutes.
 */
export class RefreshScheduler {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sessions: () => Iterable<TokenSession>,
    private readonly log: Logger,
    /** Called after a pass in which some credential became usable or unusable (e.g. an expiry passed). */
    private readonly onAvailabilityChange: () => void,
  ) {}

  private lastUsable = new Map<string, boolean>();

  start(intervalMs = 5000): void {
    this.stop();
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One pass; resolves when the refreshes it started have settled. */
  async tick(now = Date.now()): Promise<void> {
    const started: Promise<void>[] = [];
    let flipped = false;
    const seen = new Set<string>();
    for (const s of this.sessions()) {
      seen.add(s.id);
      if (s.due(now)) {
        started.push(
          s.refresh().catch((err: unknown) => {
            this.log.debug({ credential: s.id, err: (err as Error).message }, 'background refresh failed');
          }),
        );
      }
      const usable = s.usable(now);
      if (this.lastUsable.has(s.id) && this.lastUsable.get(s.id) !== usable) flipped = true;
      this.lastUsable.set(s.id, usable);
    }
    for (const id of [...this.lastUsable.keys()]) if (!seen.has(id)) this.lastUsable.delete(id);
    if (flipped) this.onAvailabilityChange();
    await Promise.all(started);
  }
}
