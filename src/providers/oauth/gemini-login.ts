import { join } from 'node:path';
import { call, ensureOk, OAuthError } from './http.js';
import { endpoint, PROVIDERS } from './endpoints.js';
import { CODE_ASSIST_METADATA, googleTokens, loadCodeAssist, projectIdOf } from './google-login.js';
import type { LoginOptions, LoginResult } from './io.js';
import { safeName, writeJsonAtomic } from '../../credentials/token-file.js';
import { rfc3339 } from '../../credentials/expiry.js';

const SERVICE = 'cloudaicompanion.googleapis.com';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `--login` (Gemini CLI / Code Assist): Google OAuth on localhost:8085, then choose projects (`--project_id`,
 * `ALL`, or a prompt), onboard each to Code Assist, make sure the Gemini for Cloud API is enabled (SPEC 4).
 */
export async function geminiLogin(opts: LoginOptions): Promise<LoginResult> {
  const { tokens, email } = await googleTokens('gemini', opts);
  const token = String(tokens.access_token);
  const auth = { authorization: `Bearer ${token}` };
  const projects = await chooseProjects(opts, token);
  const api = endpoint('gemini', 'api', opts.env);
  const onboarded: string[] = [];
  let checked = true;
  for (const requested of projects) {
    const project = await onboard(opts, api, token, requested);
    onboarded.push(project);
    const su = `${endpoint('gemini', 'serviceusage', opts.env).replace(/\/+$/, '')}/v1/projects/${encodeURIComponent(project)}/services/${SERVICE}`;
    const state = await call(su, { headers: auth, proxyUrl: opts.proxyUrl });
    if (state.status === 200 && state.json?.state === 'ENABLED') continue;
    opts.io.say(`Enabling ${SERVICE} for project ${project}...`);
    const en = await call(`${su}:enable`, { method: 'POST', json: {}, headers: auth, proxyUrl: opts.proxyUrl });
    if (en.status >= 300) {
      checked = false;
      opts.io.say(`warning: could not enable ${SERVICE} for ${project} (HTTP ${en.status}); enable it in the Google Cloud console if requests fail.`);
    }
  }
  const p = PROVIDERS.gemini;
  const now = Date.now();
  const expiry = rfc3339(now + (Number(tokens.expires_in) || 3600) * 1000);
  const many = onboarded.length > 1 || opts.projectId?.trim().toUpperCase() === 'ALL';
  const name = `gemini-${safeName(email)}-${many ? 'all' : safeName(onboarded[0]!)}.json`;
  const path = join(opts.authDir, name);
  await writeJsonAtomic(path, {
    type: 'gemini',
    token: {
      access_token: token,
      token_type: tokens.token_type ?? 'Bearer',
      refresh_token: tokens.refresh_token ?? '',
      expiry,
      token_uri: endpoint('gemini', 'token', opts.env),
      client_id: p.clientId,
      client_secret: p.clientSecret,
      scopes: p.scopes,
      universe_domain: 'googleapis.com',
    },
    project_id: onboarded.join(','),
    email,
    auto: false,
    checked,
  });
  return { path, email };
}

async function chooseProjects(opts: LoginOptions, token: string): Promise<string[]> {
  const flag = opts.projectId?.trim();
  if (flag && flag.toUpperCase() !== 'ALL') return flag.split(',').map((s) => s.trim()).filter(Boolean);
  const res = await call(endpoint('gemini', 'projects', opts.env), { headers: { authorization: `Bearer ${token}` }, proxyUrl: opts.proxyUrl });
  ensureOk(res, 'listing Google Cloud projects');
  const list = ((res.json?.projects ?? []) as Array<{ projectId?: string; name?: string }>).filter((p) => p.projectId);
  if (list.length === 0) throw new OAuthError('this Google account has no Cloud projects; create one at https://console.cloud.google.com and retry (or pass --project_id)');
  if (flag?.toUpperCase() === 'ALL') return list.map((p) => p.projectId!);
  opts.io.say('Your Google Cloud projects:');
  list.forEach((p, i) => opts.io.say(`  ${i + 1}. ${p.projectId}${p.name ? ` (${p.name})` : ''}`));
  const answer = (await opts.io.prompt(`Project to use [1-${list.length}, an id, or ALL; default 1]: `)).trim();
  if (!answer) return [list[0]!.projectId!];
  if (answer.toUpperCase() === 'ALL') return list.map((p) => p.projectId!);
  const n = Number(answer);
  if (Number.isInteger(n) && n >= 1 && n <= list.length) return [list[n - 1]!.projectId!];
  return answer.split(',').map((s) => s.trim()).filter(Boolean);
}

/** loadCodeAssist → (if not yet on a tier) onboardUser polled until done → the project Code Assist uses. */
async function onboard(opts: LoginOptions, api: string, token: string, project: string): Promise<string> {
  opts.io.say(`Checking Code Assist for project ${project}...`);
  const loaded = await loadCodeAssist(api, token, { metadata: CODE_ASSIST_METADATA, cloudaicompanionProject: project }, opts.proxyUrl);
  if (loaded.currentTier) return projectIdOf(loaded.cloudaicompanionProject) ?? project;
  const tiers = (loaded.allowedTiers ?? []) as Array<{ id?: string; isDefault?: boolean }>;
  const tierId = tiers.find((t) => t.isDefault)?.id ?? 'legacy-tier';
  opts.io.say(`Onboarding project ${project} to Code Assist (tier ${tierId})...`);
  const interval = opts.pollIntervalMs ?? 5000;
  for (let i = 0; i < 60; i++) {
    const res = await call(`${api.replace(/\/+$/, '')}/v1internal:onboardUser`, {
      json: { tierId, metadata: CODE_ASSIST_METADATA, cloudaicompanionProject: project },
      headers: { authorization: `Bearer ${token}` },
      proxyUrl: opts.proxyUrl,
    });
    ensureOk(res, 'Code Assist onboarding');
    if (res.json?.done) return projectIdOf(res.json?.response?.cloudaicompanionProject) ?? project;
    await sleep(interval);
  }
  throw new OAuthError(`project activation required: onboarding ${project} did not finish; try again later`);
}
