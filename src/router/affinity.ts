/**
 * Session affinity: a conversation stays on the credential that served its previous turn (prompt caches are
 * per account), until that credential becomes unavailable; the router then fails over and re-binds.
 * Keyed by session + model, because agents mix models (a small model for titles) within one session.
 * Bounded: the oldest bindings are dropped first when the table is full.
 */
export class AffinityTable {
  private readonly map = new Map<string, { credentialId: string; expires: number }>();

  constructor(
    public ttlMs: number,
    private readonly maxEntries = 50_000,
  ) {}

  get(session: string, model: string, now: number): string | undefined {
    const k = `${session}\u0000${model}`;
    const e = this.map.get(k);
    if (!e) return undefined;
    if (e.expires <= now) {
      this.map.delete(k);
      return undefined;
    }
    return e.credentialId;
  }

  bind(session: string, model: string, credentialId: string, now: number): void {
    const k = `${session}\u0000${model}`;
    // Delete first so a re-bound key moves to the end of the insertion order (the "recent" end).
    this.map.delete(k);
    this.map.set(k, { credentialId, expires: now + this.ttlMs });
    if (this.map.size > this.maxEntries) {
      const oldest = this.map.keys().next().value;
      if (oldest !== undefined) this.map.delete(oldest);
    }
  }

  get size(): number {
    return this.map.size;
  }
}
