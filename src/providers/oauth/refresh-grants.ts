import { createSign } from 'node:crypto';
import { call, ensureOk, jwtClaims, OAuthError } from './http.js';
import { endpoint, PROVIDERS, type Env } from './endpoints.js';
import { rfc3339 } from '../../credentials/expiry.js';

/**
 * Each provider's refresh grant (SPEC 3.1): takes the token file's JSON, returns the updated JSON. Fields the
 * provider does not send back (notably a rotated `refresh_token`) keep their stored value, so a refresh can never
 * lose the refresh token.
 */
export interface RefreshContext {
  env: Env;
  proxyUrl?: string;
  now: number;
}

type Meta = Record<string, unknown>;
export type RefreshGrant = (meta: Meta, ctx: RefreshContext) => Promise<Meta>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

function needRefreshToken(meta: Meta, nested?: Meta): string {
  const rt = str(meta.refresh_token) ?? str(nested?.refresh_token);
  if (!rt) throw new OAuthError('the token file has no refresh_token; log in again', 0, 'no_refresh_token', true);
  return rt;
}

function expiresAt(ctx: RefreshContext, expiresIn: unknown, fallbackSeconds = 3600): number {
  const s = typeof expiresIn === 'number' ? expiresIn : Number(expiresIn) || fallbackSeconds;
  return ctx.now + s * 1000;
}

const claude: RefreshGrant = async (meta, ctx) => {
  const res = await call(endpoint('claude', 'token', ctx.env), {
    json: { client_id: PROVIDERS.claude.clientId, grant_type: 'refresh_token', refresh_token: needRefreshToken(meta) },
    proxyUrl: ctx.proxyUrl,
  });
  ensureOk(res, 'Claude token refresh');
  const j = res.json as Meta;
  return {
    ...meta,
    access_token: j.access_token,
    refresh_token: str(j.refresh_token) ?? meta.refresh_token,
    email: str((j.account as Meta | undefined)?.email_address) ?? meta.email,
    expired: rfc3339(expiresAt(ctx, j.expires_in)),
    last_refresh: rfc3339(ctx.now),
  };
};

const codex: RefreshGrant = async (meta, ctx) => {
  let last: unknown;
  // CLIProxyAPI tries three times: auth.openai.com answers transient 5xx now and then.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const res = await call(endpoint('codex', 'token', ctx.env), {
        form: { client_id: PROVIDERS.codex.clientId, grant_type: 'refresh_token', refresh_token: needRefreshToken(meta), scope: 'openid profile email' },
        proxyUrl: ctx.proxyUrl,
      });
      ensureOk(res, 'Codex token refresh');
      const j = res.json as Meta;
      const idToken = str(j.id_token) ?? str(meta.id_token);
      const claims = jwtClaims(idToken);
      const auth = (claims['https://api.openai.com/auth'] ?? {}) as Meta;
      return {
        ...meta,
        access_token: j.access_token,
        refresh_token: str(j.refresh_token) ?? meta.refresh_token,
        id_token: idToken,
        account_id: str(auth.chatgpt_account_id) ?? meta.account_id,
        email: str(claims.email) ?? meta.email,
        expired: rfc3339(expiresAt(ctx, j.expires_in)),
        last_refresh: rfc3339(ctx.now),
      };
    } catch (err) {
      last = err;
      if (err instanceof OAuthError && (err.permanent || (err.status >= 400 && err.status < 500))) throw err;
    }
  }
  throw last;
};

/** Google token endpoint (Gemini CLI files nest the token; refreshed copies also carry top-level fields). */
const gemini: RefreshGrant = async (meta, ctx) => {
  const token = (meta.token && typeof meta.token === 'object' ? meta.token : {}) as Meta;
  const rt = needRefreshToken(token, meta);
  const envOverride = ctx.env.CLIPROXY_GEMINI_TOKEN_URL?.trim();
  const url = envOverride || str(token.token_uri) || endpoint('gemini', 'token', ctx.env);
  const res = await call(url, {
    form: {
      client_id: str(token.client_id) ?? PROVIDERS.gemini.clientId,
      client_secret: str(token.client_secret) ?? PROVIDERS.gemini.clientSecret!,
      grant_type: 'refresh_token',
      refresh_token: rt,
    },
    proxyUrl: ctx.proxyUrl,
  });
  ensureOk(res, 'Google token refresh');
  const j = res.json as Meta;
  const expiry = rfc3339(expiresAt(ctx, j.expires_in));
  const refresh = str(j.refresh_token) ?? rt;
  const tokenType = str(j.token_type) ?? str(token.token_type) ?? 'Bearer';
  return {
    ...meta,
    token: { ...token, access_token: j.access_token, refresh_token: refresh, token_type: tokenType, expiry },
    access_token: j.access_token,
    refresh_token: refresh,
    token_type: tokenType,
    expiry,
  };
};

const antigravity: RefreshGrant = async (meta, ctx) => {
  const res = await call(endpoint('antigravity', 'token', ctx.env), {
    form: {
      client_id: PROVIDERS.antigravity.clientId,
      client_secret: PROVIDERS.antigravity.clientSecret!,
      grant_type: 'refresh_token',
      refresh_token: needRefreshToken(meta),
    },
    proxyUrl: ctx.proxyUrl,
  });
  ensureOk(res, 'Antigravity token refresh');
  const j = res.json as Meta;
  const expiresIn = typeof j.expires_in === 'number' ? j.expires_in : 3599;
  return {
    ...meta,
    access_token: j.access_token,
    refresh_token: str(j.refresh_token) ?? meta.refresh_token,
    expires_in: expiresIn,
    timestamp: ctx.now,
    expired: rfc3339(ctx.now + expiresIn * 1000),
  };
};

const qwen: RefreshGrant = async (meta, ctx) => {
  const res = await call(endpoint('qwen', 'token', ctx.env), {
    form: { grant_type: 'refresh_token', refresh_token: needRefreshToken(meta), client_id: PROVIDERS.qwen.clientId },
    proxyUrl: ctx.proxyUrl,
  });
  ensureOk(res, 'Qwen token refresh');
  const j = res.json as Meta;
  return {
    ...meta,
    access_token: j.access_token,
    refresh_token: str(j.refresh_token) ?? meta.refresh_token,
    resource_url: str(j.resource_url) ?? meta.resource_url,
    expired: rfc3339(expiresAt(ctx, j.expires_in)),
    last_refresh: rfc3339(ctx.now),
  };
};

/** iFlow: OAuth refresh, then the user-info call that hands out the API key used for inference. */
export async function iflowUserInfo(accessToken: string, env: Env, proxyUrl?: string): Promise<{ apiKey: string; email?: string }> {
  const url = new URL(endpoint('iflow', 'userinfo', env));
  url.searchParams.set('accessToken', accessToken);
  const res = await call(url.toString(), { proxyUrl });
  ensureOk(res, 'iFlow user info');
  const data = ((res.json as Meta)?.data ?? {}) as Meta;
  const apiKey = str(data.apiKey);
  if (!apiKey) throw new OAuthError('iFlow user info returned no apiKey');
  return { apiKey, email: str(data.email) ?? str(data.phone) };
}

/** iFlow cookie mode: ask the platform for (a refreshed) API key with the browser cookie. */
export async function iflowKeyFromCookie(cookie: string, env: Env, name?: string, proxyUrl?: string): Promise<{ apiKey: string; name?: string; expireTime?: string }> {
  const url = endpoint('iflow', 'apikey', env);
  const res = name
    ? await call(url, { json: { name }, headers: { cookie }, proxyUrl })
    : await call(url, { headers: { cookie }, proxyUrl });
  ensureOk(res, 'iFlow API key request');
  const body = (res.json ?? {}) as Meta;
  if (body.success === false) throw new OAuthError(`iFlow API key request failed: ${str(body.message) ?? 'rejected'} (is the cookie current?)`, res.status, 'cookie_rejected', true);
  const data = (body.data ?? {}) as Meta;
  const apiKey = str(data.apiKey);
  if (!apiKey) throw new OAuthError('iFlow returned no apiKey for this cookie');
  return { apiKey, name: str(data.name), expireTime: str(data.expireTime) };
}

/** "YYYY-MM-DD HH:MM" (Beijing time) → RFC 3339. */
export function iflowExpireTime(s: string | undefined, fallback: number): string {
  if (!s) return rfc3339(fallback);
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})(:\d{2})?$/.exec(s.trim());
  const ms = m ? Date.parse(`${m[1]}T${m[2]}${m[3] ?? ':00'}+08:00`) : Date.parse(s);
  return rfc3339(Number.isNaN(ms) ? fallback : ms);
}

const iflow: RefreshGrant = async (meta, ctx) => {
  const cookie = str(meta.cookie);
  if (cookie) {
    const info = await iflowKeyFromCookie(cookie, ctx.env, str(meta.email), ctx.proxyUrl);
    return { ...meta, api_key: info.apiKey, expired: iflowExpireTime(info.expireTime, ctx.now + 7 * 86_400_000), last_refresh: rfc3339(ctx.now) };
  }
  const p = PROVIDERS.iflow;
  const res = await call(endpoint('iflow', 'token', ctx.env), {
    form: { grant_type: 'refresh_token', refresh_token: needRefreshToken(meta), client_id: p.clientId, client_secret: p.clientSecret! },
    headers: { authorization: `Basic ${Buffer.from(`${p.clientId}:${p.clientSecret}`).toString('base64')}` },
    proxyUrl: ctx.proxyUrl,
  });
  ensureOk(res, 'iFlow token refresh');
  const j = res.json as Meta;
  const info = await iflowUserInfo(String(j.access_token), ctx.env, ctx.proxyUrl);
  return {
    ...meta,
    access_token: j.access_token,
    refresh_token: str(j.refresh_token) ?? meta.refresh_token,
    api_key: info.apiKey,
    token_type: str(j.token_type) ?? meta.token_type,
    scope: str(j.scope) ?? meta.scope,
    expired: rfc3339(expiresAt(ctx, j.expires_in)),
    last_refresh: rfc3339(ctx.now),
  };
};

/** Vertex service account: mint an access token with a signed JWT (nothing to write back). */
const vertex: RefreshGrant = async (meta, ctx) => {
  const sa = (meta.service_account ?? {}) as Meta;
  const email = str(sa.client_email);
  const key = str(sa.private_key);
  if (!email || !key) throw new OAuthError('service_account lacks client_email or private_key', 0, 'bad_service_account', true);
  const tokenUri = str(sa.token_uri) ?? 'https://oauth2.googleapis.com/token';
  const iat = Math.floor(ctx.now / 1000);
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const unsigned = `${enc({ alg: 'RS256', typ: 'JWT', ...(str(sa.private_key_id) ? { kid: sa.private_key_id } : {}) })}.${enc({
    iss: email,
    scope: 'https://www.googleapis.com/auth/cloud-platform',
    aud: tokenUri,
    iat,
    exp: iat + 3600,
  })}`;
  const signature = createSign('RSA-SHA256').update(unsigned).sign(key).toString('base64url');
  const res = await call(tokenUri, {
    form: { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: `${unsigned}.${signature}` },
    proxyUrl: ctx.proxyUrl,
  });
  ensureOk(res, 'Vertex service-account token');
  const j = res.json as Meta;
  return { ...meta, access_token: j.access_token, expired: rfc3339(expiresAt(ctx, j.expires_in)) };
};

/** Refresh grant per token-file `type`. */
export const REFRESH_GRANTS: Record<string, RefreshGrant> = { claude, codex, gemini, antigravity, qwen, iflow, vertex };

/** How long before expiry the background refresher renews (SPEC 5.5); absent = only lazily when a call needs it. */
export const REFRESH_LEAD_MS: Record<string, number> = {
  claude: 4 * 3_600_000,
  codex: 5 * 86_400_000,
  qwen: 3 * 3_600_000,
  iflow: 24 * 3_600_000,
  antigravity: 5 * 60_000,
};

/** Files whose refreshed tokens are not written back (minted per process). */
export const EPHEMERAL_TOKENS = new Set(['vertex']);
