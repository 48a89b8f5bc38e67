import { join } from 'node:path';
import { call, OAuthError } from './http.js';
import { endpoint, PROVIDERS } from './endpoints.js';
import { pkcePair } from './pkce.js';
import { presentAuthUrl, type LoginOptions, type LoginResult } from './io.js';
import { safeName, writeJsonAtomic } from '../../credentials/token-file.js';
import { rfc3339 } from '../../credentials/expiry.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MAX_INTERVAL_MS = 10_000;
const MAX_ATTEMPTS = 60;

/**
 * `--qwen-login`: OAuth device flow with PKCE (SPEC 4). The user approves in a browser; we poll the token
 * endpoint every 5 s, slowing down ×1.5 (max 10 s) when told `slow_down`, for at most 60 attempts.
 */
export async function qwenLogin(opts: LoginOptions): Promise<LoginResult> {
  const p = PROVIDERS.qwen;
  const { verifier, challenge } = pkcePair();
  const dev = await call(endpoint('qwen', 'device', opts.env), {
    form: { client_id: p.clientId, scope: p.scopes.join(' '), code_challenge: challenge, code_challenge_method: 'S256' },
    proxyUrl: opts.proxyUrl,
  });
  const d = (dev.json ?? {}) as Record<string, any>;
  if (dev.status >= 300 || !d.device_code) throw new OAuthError(`Qwen device authorization failed: HTTP ${dev.status} ${dev.text.slice(0, 200)}`);
  const url = String(d.verification_uri_complete ?? d.verification_uri ?? '');
  if (d.user_code) opts.io.say(`Your code: ${d.user_code}`);
  await presentAuthUrl(opts, url);
  opts.io.say('Waiting for you to approve the login in the browser...');
  let interval = opts.pollIntervalMs ?? 5000;
  const deadline = Date.now() + (opts.timeoutMs ?? (Number(d.expires_in) || 300) * 1000);
  let tokens: Record<string, any> | undefined;
  for (let attempt = 0; attempt < MAX_ATTEMPTS && Date.now() < deadline; attempt++) {
    await sleep(interval);
    const res = await call(endpoint('qwen', 'token', opts.env), {
      form: { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', client_id: p.clientId, device_code: String(d.device_code), code_verifier: verifier },
      proxyUrl: opts.proxyUrl,
    });
    const j = (res.json ?? {}) as Record<string, any>;
    if (res.status === 200 && j.access_token) {
      tokens = j;
      break;
    }
    const err = typeof j.error === 'string' ? j.error : '';
    if (err === 'authorization_pending') continue;
    if (err === 'slow_down') {
      interval = Math.min(Math.round(interval * 1.5), MAX_INTERVAL_MS);
      opts.io.say(`(the server asked to poll more slowly: every ${(interval / 1000).toFixed(1)} s)`);
      continue;
    }
    if (err === 'access_denied') throw new OAuthError('login denied in the browser', res.status, err);
    if (err === 'expired_token') throw new OAuthError('the device code expired before approval; run --qwen-login again', res.status, err);
    throw new OAuthError(`Qwen token polling failed: HTTP ${res.status} ${err || res.text.slice(0, 200)}`, res.status, err);
  }
  if (!tokens) throw new OAuthError('timed out waiting for the login to be approved in the browser', 0, 'timeout');
  opts.io.say('Login approved.');
  const alias = (await opts.io.prompt('Email or alias to name this Qwen account (used in the file name): ')) || `account-${Date.now()}`;
  const now = Date.now();
  const path = join(opts.authDir, `qwen-${safeName(alias)}.json`);
  await writeJsonAtomic(path, {
    type: 'qwen',
    access_token: tokens.access_token,
    refresh_token: tokens.refresh_token ?? '',
    resource_url: tokens.resource_url ?? '',
    email: alias,
    expired: rfc3339(now + (Number(tokens.expires_in) || 3600) * 1000),
    last_refresh: rfc3339(now),
  });
  return { path, email: alias };
}
