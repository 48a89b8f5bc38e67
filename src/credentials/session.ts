import type { Credential } from './types.js';
import { expiryOf, parseTime } from './expiry.js';
import { EPHEMERAL_TOKENS, REFRESH_GRANTS, REFRESH_LEAD_MS } from '../providers/oauth/refresh-grants.js';
import { OAuthError } from '../providers/oauth/http.js';
import type { Env } from '../providers/oauth/endpoints.js';
import type { Logger } from '../util/log.js';

/** Raised by an executor's prepare() when its credential cannot be used right now (refresh failed, no token). */
export class CredentialUnavailableError extends Error {
  constructor(
    message: string,
    readonly status = 401,
  ) {
    super(message);
    this.name = 'CredentialUnavailableError';
  }
}

export interface SessionHooks {
  env: Env;
  log: Logger;
  /** Write refreshed metadata back to wherever it came from. */
  persist(session: TokenSession): Promise<void>;
  /** Availability changed (refresh failed or recovered): republish credentials. */
  changed(session: TokenSession): void;
  now?: () => number;
}

/** After a failed refresh, do not try again (per request or in the background) for this long. */
export const RETRY_AFTER_FAILURE_MS = 5 * 60_000;
/** Access tokens this close to expiry are refreshed before use. Antigravity renews earlier (SPEC 3.1: 3000 s). */
const USE_MARGIN_MS: Record<string, number> = { antigravity: 3000_000 };
const DEFAULT_USE_MARGIN_MS = 60_000;

export interface RefreshFailure {
  reason: string;
  at: number;
  permanent: boolean;
}

/**
 * One token file's live OAuth state. All refreshes of a credential go through `refresh()`, which runs at most one
 * grant at a time: every concurrent caller awaits the same promise.
 */
export class TokenSession {
  failure: RefreshFailure | undefined;
  /** Models discovered live (Antigravity), replacing the static list once known. */
  discoveredModels: Array<{ id: string; upstream: string }> | undefined;
  refreshCount = 0;
  private inflight: Promise<void> | undefined;

  constructor(
    readonly id: string,
    /** Token-file `type` (`gemini`, `claude`, ...). */
    readonly type: string,
    readonly path: string,
    public meta: Record<string, unknown>,
    private readonly hooks: SessionHooks,
  ) {}

  private now(): number {
    return this.hooks.now?.() ?? Date.now();
  }

  get proxyUrl(): string | undefined {
    return typeof this.meta.proxy_url === 'string' && this.meta.proxy_url ? this.meta.proxy_url : undefined;
  }

  /**
   * The stored bearer secret: the access token (Gemini CLI files nest it under `token`); for iFlow the API key
   * the login obtained, which is what inference uses (cookie-mode files have no OAuth token at all).
   */
  get accessToken(): string | undefined {
    if (this.type === 'iflow' && typeof this.meta.api_key === 'string' && this.meta.api_key) return this.meta.api_key;
    const top = this.meta.access_token;
    if (typeof top === 'string' && top) return top;
    const nested = (this.meta.token as Record<string, unknown> | undefined)?.access_token;
    return typeof nested === 'string' && nested ? nested : undefined;
  }

  expiresAt(): number | undefined {
    return expiryOf(this.meta);
  }

  canRefresh(): boolean {
    return this.type in REFRESH_GRANTS;
  }

  /** Usable now: has a token that has not expired, or has not failed to refresh recently. */
  usable(now = this.now()): boolean {
    if (!this.failure) return true;
    const exp = this.expiresAt();
    return Boolean(this.accessToken) && (exp === undefined || exp > now);
  }

  /** Due for a background refresh: `refresh_interval_seconds` elapsed, or expiry within the provider's lead. */
  due(now = this.now()): boolean {
    if (!this.canRefresh() || this.inflight) return false;
    if (this.failure && (this.failure.permanent || now - this.failure.at < RETRY_AFTER_FAILURE_MS)) return false;
    const interval = Number(this.meta.refresh_interval_seconds);
    if (Number.isFinite(interval) && interval > 0) {
      const last = parseTime(this.meta.last_refresh) ?? 0;
      if (now - last >= interval * 1000) return true;
    }
    const lead = REFRESH_LEAD_MS[this.type];
    if (lead === undefined) return false;
    const exp = this.expiresAt();
    return exp !== undefined && exp - now <= lead;
  }

  /**
   * A valid access token for an upstream call, refreshing first when it is missing or about to expire.
   * Throws CredentialUnavailableError when no usable token can be had.
   */
  async token(): Promise<string> {
    const now = this.now();
    const exp = this.expiresAt();
    const margin = USE_MARGIN_MS[this.type] ?? DEFAULT_USE_MARGIN_MS;
    const stale = !this.accessToken || (exp !== undefined && exp - now <= margin);
    if (stale && this.canRefresh()) {
      const recentFailure = this.failure && (this.failure.permanent || now - this.failure.at < RETRY_AFTER_FAILURE_MS);
      if (!recentFailure) await this.refresh().catch(() => {});
    }
    const token = this.accessToken;
    const expNow = this.expiresAt();
    if (!token || (expNow !== undefined && expNow <= this.now())) {
      throw new CredentialUnavailableError(
        `credential ${this.id} has no valid access token${this.failure ? `: ${this.failure.reason}` : ''}`,
      );
    }
    return token;
  }

  /** Run the provider's refresh grant, coalescing concurrent callers into one upstream call. */
  refresh(): Promise<void> {
    this.inflight ??= this.runRefresh().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  get refreshing(): boolean {
    return this.inflight !== undefined;
  }

  private async runRefresh(): Promise<void> {
    const grant = REFRESH_GRANTS[this.type];
    if (!grant) throw new CredentialUnavailableError(`no refresh grant for ${this.type}`);
    const wasUsable = this.usable();
    try {
      const next = await grant(this.meta, { env: this.hooks.env, proxyUrl: this.proxyUrl, now: this.now() });
      this.meta = next;
      this.refreshCount++;
      const hadFailure = this.failure !== undefined;
      this.failure = undefined;
      this.hooks.log.info({ credential: this.id }, 'token refreshed');
      if (!EPHEMERAL_TOKENS.has(this.type)) {
        await this.hooks.persist(this).catch((err: unknown) => {
          this.hooks.log.error({ credential: this.id, err: (err as Error).message }, 'could not write refreshed token file');
        });
      }
      if (hadFailure || !wasUsable) this.hooks.changed(this);
    } catch (err) {
      const e = err as Error;
      this.failure = { reason: e.message, at: this.now(), permanent: err instanceof OAuthError && err.permanent };
      this.hooks.log.warn({ credential: this.id, reason: e.message }, 'token refresh failed; the stored refresh token is kept');
      if (wasUsable !== this.usable()) this.hooks.changed(this);
      throw err;
    }
  }

  /** The file changed on disk (a new login, another tool's refresh): adopt it and forget old failures. */
  replaceMeta(meta: Record<string, unknown>): void {
    this.meta = meta;
    this.failure = undefined;
  }
}

/** The token session behind a credential, if it is an OAuth / file credential. */
export function sessionOf(credential: Credential): TokenSession | undefined {
  const s = credential.attributes.session;
  return s instanceof TokenSession ? s : undefined;
}

/** A valid access token for this credential (refreshing if needed). */
export async function accessTokenFor(credential: Credential): Promise<string | undefined> {
  const s = sessionOf(credential);
  return s ? s.token() : undefined;
}
