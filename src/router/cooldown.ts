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
  /** The upstream's own reset time when it was later than our cap (shown to operators, not enforced). */
  hintedUntil?: number;
}

export interface CooldownEntry {
  credentialId: string;
  model: string;
  state: CooldownState;
}

export interface CooldownStore {
  get(credentialId: string, model: string, now: number): CooldownState | undefined;
  set(credentialId: string, model: string, state: CooldownState): void;
  delete(credentialId: string, model: string): void;
  /** Remove every entry matching the given credential and/or model (both undefined = all); returns how many. */
  clear(credentialId?: string, model?: string): number;
  entries(now: number): CooldownEntry[];
  /** Back-off level of a (credential, model); survives the cooldown so repeated 429s keep growing. */
  level(credentialId: string, model: string): number;
}

/**
 * Nested maps (model → credential → state) so the hot path does two map lookups and no string building,
 * and a model with nothing cooling is skipped with one lookup.
 */
export class MemoryCooldownStore implements CooldownStore {
  private readonly byModel = new Map<string, Map<string, CooldownState>>();
  private readonly levels = new Map<string, Map<string, number>>();

  get(c: string, m: string, now: number): CooldownState | undefined {
    const inner = this.byModel.get(m);
    if (inner === undefined) return undefined;
    const s = inner.get(c);
    if (s === undefined) return undefined;
    if (s.until <= now) {
      inner.delete(c);
      if (inner.size === 0) this.byModel.delete(m);
      return undefined;
    }
    return s;
  }

  /** True when nothing cools for this model (lets callers skip per-credential checks). */
  idle(m: string): boolean {
    return !this.byModel.has(m);
  }

  level(c: string, m: string): number {
    return this.levels.get(m)?.get(c) ?? 0;
  }

  set(c: string, m: string, state: CooldownState): void {
    let inner = this.byModel.get(m);
    if (!inner) this.byModel.set(m, (inner = new Map()));
    inner.set(c, state);
    let lv = this.levels.get(m);
    if (!lv) this.levels.set(m, (lv = new Map()));
    lv.set(c, state.level);
  }

  delete(c: string, m: string): void {
    const inner = this.byModel.get(m);
    if (inner?.delete(c) && inner.size === 0) this.byModel.delete(m);
    const lv = this.levels.get(m);
    if (lv?.delete(c) && lv.size === 0) this.levels.delete(m);
  }

  clear(credentialId?: string, model?: string): number {
    let n = 0;
    for (const [m, inner] of [...this.byModel]) {
      if (model !== undefined && m !== model) continue;
      for (const c of [...inner.keys()]) {
        if (credentialId !== undefined && c !== credentialId) continue;
        this.delete(c, m);
        n++;
      }
    }
    // Back-off levels of credentials not currently cooling are reset too: a manual clear is a fresh start.
    for (const [m, lv] of [...this.levels]) {
      if (model !== undefined && m !== model) continue;
      for (const c of [...lv.keys()]) if (credentialId === undefined || c === credentialId) this.delete(c, m);
    }
    return n;
  }

  entries(now: number): CooldownEntry[] {
    const out: CooldownEntry[] = [];
    for (const [model, inner] of this.byModel) {
      for (const [credentialId, state] of inner) if (state.until > now) out.push({ credentialId, model, state });
    }
    return out;
  }
}
