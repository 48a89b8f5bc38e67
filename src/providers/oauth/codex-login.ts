import { join } from 'node:path';
import { call, ensureOk, jwtClaims, OAuthError } from './http.js';
import { endpoint, PROVIDERS } from './endpoints.js';
import { browserAuthCode } from './browser-flow.js';
import type { LoginOptions, LoginResult } from './io.js';
import { safeName, writeJsonAtomic } from '../../credentials/token-file.js';
import { rfc3339 } from '../../credentials/expiry.js';

/** `--codex-login`: PKCE against auth.openai.com, callback on localhost:1455 (SPEC 4). */
export async function codexLogin(opts: LoginOptions): Promise<LoginResult> {
  const p = PROVIDERS.codex;
  const auth = await browserAuthCode('codex', opts, ({ redirectUri, state, challenge }) => {
    const u = new URL(endpoint('codex', 'auth', opts.env));
    u.searchParams.set('response_type', 'code');
    u.searchParams.set('client_id', p.clientId);
    u.searchParams.set('redirect_uri', redirectUri);
    u.searchParams.set('scope', p.scopes.join(' '));
    u.searchParams.set('code_challenge', challenge);
    u.searchParams.set('code_challenge_method', 'S256');
    u.searchParams.set('prompt', 'login');
    u.searchParams.set('id_token_add_organizations', 'true');
    u.searchParams.set('codex_cli_simplified_flow', 'true');
    u.searchParams.set('state', state);
    return u.toString();
  });
  const res = await call(endpoint('codex', 'token', opts.env), {
    form: { grant_type: 'authorization_code', client_id: p.clientId, code: auth.code, redirect_uri: auth.redirectUri, code_verifier: auth.verifier },
    proxyUrl: opts.proxyUrl,
  });
  ensureOk(res, 'Codex token exchange');
  const j = res.json as Record<string, any>;
  if (!j?.access_token) throw new OAuthError('Codex token exchange returned no access_token');
  const claims = jwtClaims(j.id_token);
  const authClaims = (claims['https://api.openai.com/auth'] ?? {}) as Record<string, unknown>;
  const email = typeof claims.email === 'string' ? claims.email : 'unknown';
  const now = Date.now();
  const path = join(opts.authDir, `codex-${safeName(email)}.json`);
  await writeJsonAtomic(path, {
    type: 'codex',
    id_token: j.id_token ?? '',
    access_token: j.access_token,
    refresh_token: j.refresh_token ?? '',
    account_id: typeof authClaims.chatgpt_account_id === 'string' ? authClaims.chatgpt_account_id : '',
    email,
    expired: rfc3339(now + (Number(j.expires_in) || 3600) * 1000),
    last_refresh: rfc3339(now),
  });
  return { path, email };
}
