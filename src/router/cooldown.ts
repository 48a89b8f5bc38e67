/**
 * Cooldown book per (credential, model). In memory behind a small interface so a shared store (Redis) can
 * replace it. Upstream reset hints are capped so one bad hint cannot lock a credential out for days; when the
 * cap elapses the credential is simply tried again (the re-probe).
 */
export interface CooldownState {
  until: number;
  reason: string;
  status: number;
  /** True when caused by rate limiting / quota (counts toward a 429 "all cooling" answer). */
  quota: boolean;
  /** Exponential back-off level for repeated 429s without hints. */
  level: number;
}

export interface CooldownStore {
  get(credentialId: string, model: string, now: number): CooldownState | undefined;
  set(credentialId: string, model: string, state: CooldownState): void;
  delete(credentialId: string, model: string): void;
  clear(credentialId?: string): number;
  entries(now: number): Array<{ credentialId: string; model: string; state: CooldownState }>;
}

export class MemoryCooldownStore implements CooldownStore {
  private readonly map = new Map<string, CooldownState>();
  /** Back-off levels survive the cooldown itself so repeated 429s keep growing. */
  private readonly levels = new Map<string, number>();

  private key(c: string, m: string): string {
    return `${c}\u0000${m}`;
  }

  get(c: string, m: string, now: number): CooldownState | undefined {
    const s = this.map.get(this.key(c, m));
    if (!s) return undefined;
    if (s.until <= now) {
      this.map.delete(this.key(c, m));
      return undefined;
    }
    return s;
  }

  level(c: string, m: string): number {
    return this.levels.get(this.key(c, m)) ?? 0;
  }

  set(c: string, m: string, state: CooldownState): void {
    this.map.set(this.key(c, m), state);
    this.levels.set(this.key(c, m), state.level);
  }

  delete(c: string, m: string): void {
    this.map.delete(this.key(c, m));
    this.levels.delete(this.key(c, m));
  }

  clear(credentialId?: string): number {
    let n = 0;
    for (const k of [...this.map.keys()]) {
      if (credentialId === undefined || k.startsWith(`${credentialId}\u0000`)) {
        this.map.delete(k);
        this.levels.delete(k);
        n++;
      }
    }
    return n;
  }

  entries(now: number): Array<{ credentialId: string; model: string; state: CooldownState }> {
    const out: Array<{ credentialId: string; model: string; state: CooldownState }> = [];
    for (const [k, state] of this.map) {
      if (state.until <= now) continue;
      const [credentialId, model] = k.split('\u0000') as [string, string];
      out.push({ credentialId, model, state });
    }
    return out;
  }
}
