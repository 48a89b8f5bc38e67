import { join } from 'node:path';
import { endpoint } from './endpoints.js';
import { googleTokens, loadCodeAssist, projectIdOf } from './google-login.js';
import type { LoginOptions, LoginResult } from './io.js';
import { writeJsonAtomic } from '../../credentials/token-file.js';
import { rfc3339 } from '../../credentials/expiry.js';

/** `--antigravity-login`: Google OAuth on localhost:51121, project looked up through loadCodeAssist (SPEC 4). */
export async function antigravityLogin(opts: LoginOptions): Promise<LoginResult> {
  const { tokens, email } = await googleTokens('antigravity', opts);
  let project = '';
  try {
    const loaded = await loadCodeAssist(
      endpoint('antigravity', 'api', opts.env),
      String(tokens.access_token),
      { metadata: { ideType: 'ANTIGRAVITY', platform: 'PLATFORM_UNSPECIFIED', pluginType: 'GEMINI' } },
      opts.proxyUrl,
    );
    project = projectIdOf(loaded.cloudaicompanionProject) ?? '';
  } catch (err) {
    opts.io.say(`warning: could not look up the Antigravity project (${(err as Error).message}); requests will use a generated one.`);
  }
  const now = Date.now();
  const expiresIn = Number(tokens.expires_in) || 3599;
  const path = join(opts.authDir, `antigravity-${email.replace(/[@.]/g, '_')}.json`);
  await writeJsonAtomic(path, {
    type: 'antigravity',
    access_token: tokens.access_token,
    refresh_token: tokens.refresh_token ?? '',
    expires_in: expiresIn,
    timestamp: now,
    expired: rfc3339(now + expiresIn * 1000),
    email,
    project_id: project,
  });
  return { path, email };
}
