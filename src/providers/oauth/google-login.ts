import { call, ensureOk, OAuthError } from './http.js';
import { endpoint, PROVIDERS } from './endpoints.js';
import { browserAuthCode } from './browser-flow.js';
import type { LoginOptions } from './io.js';

/** Google's authorization-code flow (no PKCE, client secret), shared by Gemini CLI and Antigravity. */
export async function googleTokens(provider: 'gemini' | 'antigravity', opts: LoginOptions): Promise<{ tokens: Record<string, any>; email: string }> {
  const p = PROVIDERS[provider];
  const auth = await browserAuthCode(provider, opts, ({ redirectUri, state }) => {
    const u = new URL(endpoint(provider, 'auth', opts.env));
    u.searchParams.set('access_type', 'offline');
    u.searchParams.set('prompt', 'consent');
    u.searchParams.set('response_type', 'code');
    u.searchParams.set('client_id', p.clientId);
    u.searchParams.set('redirect_uri', redirectUri);
    u.searchParams.set('scope', p.scopes.join(' '));
    u.searchParams.set('state', state);
    return u.toString();
  });
  const res = await call(endpoint(provider, 'token', opts.env), {
    form: { grant_type: 'authorization_code', code: auth.code, redirect_uri: auth.redirectUri, client_id: p.clientId, client_secret: p.clientSecret! },
    proxyUrl: opts.proxyUrl,
  });
  ensureOk(res, 'Google token exchange');
  const tokens = res.json as Record<string, any>;
  if (!tokens?.access_token) throw new OAuthError('Google token exchange returned no access_token');
  const info = await call(endpoint(provider, 'userinfo', opts.env), { headers: { authorization: `Bearer ${tokens.access_token}` }, proxyUrl: opts.proxyUrl });
  ensureOk(info, 'Google user info');
  const email = typeof info.json?.email === 'string' ? info.json.email : 'unknown';
  opts.io.say(`Logged in as ${email}.`);
  return { tokens, email };
}

export const CODE_ASSIST_METADATA = { ideType: 'IDE_UNSPECIFIED', platform: 'PLATFORM_UNSPECIFIED', pluginType: 'GEMINI' };

/** `cloudaicompanionProject` may be a string or `{id}`. */
export function projectIdOf(v: unknown): string | undefined {
  if (typeof v === 'string' && v) return v;
  if (v && typeof v === 'object' && typeof (v as { id?: unknown }).id === 'string') return (v as { id: string }).id;
  return undefined;
}

/** `POST {api}/v1internal:loadCodeAssist`. */
export async function loadCodeAssist(apiBase: string, token: string, body: Record<string, unknown>, proxyUrl?: string): Promise<Record<string, any>> {
  const res = await call(`${apiBase.replace(/\/+$/, '')}/v1internal:loadCodeAssist`, { json: body, headers: { authorization: `Bearer ${token}` }, proxyUrl });
  ensureOk(res, 'Code Assist loadCodeAssist');
  return (res.json ?? {}) as Record<string, any>;
}
