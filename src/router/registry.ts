import type { Credential } from '../credentials/types.js';
import { matchesAny } from '../util/wildcard.js';

export interface Candidate {
  credential: Credential;
  /** Model name to send upstream for this credential. */
  upstreamModel: string;
}

export interface ListedModel {
  id: string;
  /** Provider key of the first credential serving it (OpenAI `owned_by`). */
  provider: string;
}

export interface RegistryOptions {
  /**
   * `oauth-excluded-models`: provider key → wildcard patterns hidden for file (OAuth) credentials of that
   * provider. Applied here, at registration, so a config reload re-filters without re-reading auth files.
   */
  oauthExcludedModels?: Readonly<Record<string, readonly string[]>>;
}

/**
 * For each model name, the credentials that can serve it. Rebuilt (not patched) whenever the set of
 * credentials changes: cheap, and a rebuild is atomic for concurrent readers.
 */
export class ModelRegistry {
  private byId = new Map<string, Candidate[]>();
  private byLowerId = new Map<string, Candidate[]>();
  private order: ListedModel[] = [];
  private credentials: Credential[] = [];

  rebuild(credentials: readonly Credential[], options: RegistryOptions = {}): void {
    const byId = new Map<string, Candidate[]>();
    const order: ListedModel[] = [];
    const seen = new Set<string>();
    for (const credential of credentials) {
      const excluded = credential.source === 'file' ? options.oauthExcludedModels?.[credential.provider.toLowerCase()] : undefined;
      for (const route of credential.models) {
        if (excluded && excluded.length > 0 && matchesAny(excluded, route.id)) continue;
        let list = byId.get(route.id);
        if (!list) {
          list = [];
          byId.set(route.id, list);
          order.push({ id: route.id, provider: credential.provider });
        }
        const pair = `${route.id}\u0000${credential.id}`;
        if (!seen.has(pair)) {
          seen.add(pair);
          list.push({ credential, upstreamModel: route.upstream });
        }
      }
    }
    const byLowerId = new Map<string, Candidate[]>();
    for (const [id, list] of byId) {
      const key = id.toLowerCase();
      if (!byLowerId.has(key)) byLowerId.set(key, list);
    }
    this.byId = byId;
    this.byLowerId = byLowerId;
    this.order = order;
    this.credentials = [...credentials];
  }

  /** Credentials for a model: exact id first, then case-insensitive. */
  candidates(model: string): Candidate[] {
    const direct = this.byId.get(model) ?? this.byLowerId.get(model.toLowerCase());
    if (direct) return direct;
    // `name(level)` is the generic thinking-suffix syntax (SPEC 6.4): the base name's credentials serve it.
    const suffixed = /^(.+?)\([^()]*\)$/.exec(model);
    if (suffixed) return this.byId.get(suffixed[1]!) ?? this.byLowerId.get(suffixed[1]!.toLowerCase()) ?? [];
    return [];
  }

  has(model: string): boolean {
    return this.candidates(model).length > 0;
  }

  models(): readonly ListedModel[] {
    return this.order;
  }

  allCredentials(): readonly Credential[] {
    return this.credentials;
  }

  /** Up to `limit` served model names closest to `model` (for "did you mean" errors). */
  closest(model: string, limit = 3): string[] {
    const target = model.toLowerCase();
    return this.order
      .map((m) => ({ id: m.id, d: distance(target, m.id.toLowerCase()) }))
      .sort((a, b) => a.d - b.d || a.id.localeCompare(b.id))
      .slice(0, limit)
      .map((m) => m.id);
  }
}

/** Levenshtein distance, with a bonus for shared substrings so `opus` finds `claude-opus-4-5`. */
function distance(a: string, b: string): number {
  if (b.includes(a) || a.includes(b)) return Math.abs(a.length - b.length) * 0.1;
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}
