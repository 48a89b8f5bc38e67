import { join } from 'node:path';
import { call, ensureOk, OAuthError } from './http.js';
import { endpoint, PROVIDERS } from './endpoints.js';
import { browserAuthCode } from './browser-flow.js';
import type { LoginOptions, LoginResult } from './io.js';
import { safeName, writeJsonAtomic } from '../../credentials/token-file.js';
import { rfc3339 } from '../../credentials/expiry.js';

/** `--claude-login`: PKCE against claude.ai, callback on localhost:54545 (SPEC 4). */
export async function claudeLogin(opts: LoginOptions): Promise<LoginResult> {
  const p = PROVIDERS.claude;
  const auth = await browserAuthCode('claude', opts, ({ redirectUri, state, challenge }) => {
    const u = new URL(endpoint('claude', 'auth', opts.env));
    u.searchParams.set('code', 'true');
    u.searchParams.set('client_id', p.clientId);
    u.searchParams.set('response_type', 'code');
    u.searchParams.set('redirect_uri', redirectUri);
    u.searchParams.set('scope', p.scopes.join(' '));
    u.searchParams.set('code_challenge', challenge);
    u.searchParams.set('code_challenge_method', 'S256');
    u.searchParams.set('state', state);
    return u.toString();
  });
  const res = await call(endpoint('claude', 'token', opts.env), {
    json: { code: auth.code, state: auth.state, grant_type: 'authorization_code', client_id: p.clientId, redirect_uri: auth.redirectUri, code_verifier: auth.verifier },
    proxyUrl: opts.proxyUrl,
  });
  ensureOk(res, 'Claude token exchange');
  const j = res.json as Record<string, any>;
  if (!j?.access_token) throw new OAuthError('Claude token exchange returned no access_token');
  const email: string = j.account?.email_address ?? 'unknown';
  const now = Date.now();
  const path = join(opts.authDir, `claude-${safeName(email)}.json`);
  await writeJsonAtomic(path, {
    type: 'claude',
    access_token: j.access_token,
    refresh_token: j.refresh_token ?? '',
    id_token: j.id_token ?? '',
    email,
    expired: rfc3339(now + (Number(j.expires_in) || 3600) * 1000),
    last_refresh: rfc3339(now),
  });
  return { path, email };
}
