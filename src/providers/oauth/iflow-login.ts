import { join } from 'node:path';
import { call, ensureOk, OAuthError } from './http.js';
import { endpoint, PROVIDERS } from './endpoints.js';
import { browserAuthCode } from './browser-flow.js';
import type { LoginOptions, LoginResult } from './io.js';
import { iflowExpireTime, iflowKeyFromCookie, iflowUserInfo } from './refresh-grants.js';
import { safeName, writeJsonAtomic } from '../../credentials/token-file.js';
import { rfc3339 } from '../../credentials/expiry.js';

/** `--iflow-login`: iFlow's authorization-code flow on localhost:11451, then the user info call for the API key. */
export async function iflowLogin(opts: LoginOptions): Promise<LoginResult> {
  const p = PROVIDERS.iflow;
  const auth = await browserAuthCode(
    'iflow',
    opts,
    ({ redirectUri, state }) => {
      const u = new URL(endpoint('iflow', 'auth', opts.env));
      u.searchParams.set('loginMethod', 'phone');
      u.searchParams.set('type', 'phone');
      u.searchParams.set('redirect', redirectUri);
      u.searchParams.set('state', state);
      u.searchParams.set('client_id', p.clientId);
      return u.toString();
    },
    { successRedirect: endpoint('iflow', 'success', opts.env) },
  );
  const res = await call(endpoint('iflow', 'token', opts.env), {
    form: { grant_type: 'authorization_code', code: auth.code, redirect_uri: auth.redirectUri, client_id: p.clientId, client_secret: p.clientSecret! },
    headers: { authorization: `Basic ${Buffer.from(`${p.clientId}:${p.clientSecret}`).toString('base64')}` },
    proxyUrl: opts.proxyUrl,
  });
  ensureOk(res, 'iFlow token exchange');
  const j = res.json as Record<string, any>;
  if (!j?.access_token) throw new OAuthError('iFlow token exchange returned no access_token');
  const info = await iflowUserInfo(String(j.access_token), opts.env ?? process.env, opts.proxyUrl);
  const email = info.email ?? 'unknown';
  const now = Date.now();
  const path = join(opts.authDir, `iflow-${safeName(email)}.json`);
  await writeJsonAtomic(path, {
    type: 'iflow',
    access_token: j.access_token,
    refresh_token: j.refresh_token ?? '',
    api_key: info.apiKey,
    email,
    expired: rfc3339(now + (Number(j.expires_in) || 3600) * 1000),
    token_type: j.token_type ?? 'bearer',
    scope: j.scope ?? '',
    last_refresh: rfc3339(now),
  });
  return { path, email };
}

/** `--iflow-cookie`: paste the browser cookie of a logged-in platform.iflow.cn session (must contain BXAuth=). */
export async function iflowCookieLogin(opts: LoginOptions): Promise<LoginResult> {
  opts.io.say('Log in at https://platform.iflow.cn in a browser, copy the Cookie header of any request (it contains BXAuth=), and paste it here.');
  const cookie = (await opts.io.prompt('Cookie: ')).trim();
  if (!cookie) throw new OAuthError('no cookie given');
  if (!cookie.includes('BXAuth=')) throw new OAuthError('the cookie must contain BXAuth=; copy the whole Cookie header');
  const info = await iflowKeyFromCookie(cookie, opts.env ?? process.env, undefined, opts.proxyUrl);
  const email = info.name ?? 'unknown';
  const now = Date.now();
  const path = join(opts.authDir, `iflow-${safeName(email)}.json`);
  await writeJsonAtomic(path, {
    type: 'iflow',
    api_key: info.apiKey,
    email,
    expired: iflowExpireTime(info.expireTime, now + 7 * 86_400_000),
    cookie,
    last_refresh: rfc3339(now),
  });
  return { path, email };
}
