import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { startFakeOAuth, type FakeOAuth } from '../fakes/oauth.js';
import { LOGIN_FLOWS, vertexImport, type LoginIO, type LoginOptions } from '../../src/providers/oauth/index.js';
import { runLoginIfRequested } from '../../src/login-dispatch.js';
import { parseConfigObject } from '../../src/config/load.js';
import { silentLogger } from '../../src/util/log.js';

let fake: FakeOAuth;
let dir: string;

/** A browser that follows the authorize URL's redirect to our callback listener, as a real one would. */
function browserIO(answers: string[] = []): LoginIO & { lines: string[]; opened: string[] } {
  const lines: string[] = [];
  const opened: string[] = [];
  return {
    lines,
    opened,
    say: (l) => lines.push(l),
    prompt: async () => answers.shift() ?? '',
    async openBrowser(url) {
      opened.push(url);
      const r = await fetch(url, { redirect: 'manual' });
      const location = r.headers.get('location');
      if (location) void fetch(location).then((x) => x.text()).catch(() => {});
    },
  };
}

function options(io: LoginIO, extra: Partial<LoginOptions> = {}): LoginOptions {
  return { authDir: dir, io, env: fake.env(), timeoutMs: 5000, pollIntervalMs: 5, ...extra };
}

async function readJson(path: string): Promise<Record<string, any>> {
  return JSON.parse(await readFile(path, 'utf8'));
}

beforeAll(async () => {
  fake = await startFakeOAuth();
});
afterAll(async () => fake.close());
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cliproxy-login-'));
  fake.authorizeMode = 'ok';
  fake.calls.length = 0;
});

describe('browser logins end to end against a fake OAuth server', () => {
  it('claude login: PKCE S256, JSON token exchange, claude-<email>.json with mode 0600', async () => {
    const io = browserIO();
    const r = await LOGIN_FLOWS['claude-login']!.run(options(io));
    expect(r.path).toBe(join(dir, 'claude-user@example.com.json'));
    const auth = new URL(io.opened[0]!);
    expect(auth.searchParams.get('code_challenge_method')).toBe('S256');
    expect(auth.searchParams.get('client_id')).toBe('9d1c250a-e61b-44d9-88ed-5944d1962f5e');
    expect(auth.searchParams.get('scope')).toBe('org:create_api_key user:profile user:inference');
    expect(auth.searchParams.get('redirect_uri')).toMatch(/^http:\/\/localhost:\d+\/callback$/);
    const tokenCall = fake.calls.find((c) => c.path === '/token')!;
    expect(tokenCall.headers['content-type']).toContain('application/json');
    expect(tokenCall.body.code_verifier).toBeTruthy();
    const file = await readJson(r.path);
    expect(file).toMatchObject({ type: 'claude', access_token: 'at-login', refresh_token: 'rt-login', email: 'user@example.com' });
    expect(Date.parse(file.expired)).toBeGreaterThan(Date.now());
    expect((await stat(r.path)).mode & 0o777).toBe(0o600);
  });

  it('codex login: form exchange, account id and email from the ID token', async () => {
    const io = browserIO();
    const r = await LOGIN_FLOWS['codex-login']!.run(options(io));
    const auth = new URL(io.opened[0]!);
    expect(auth.searchParams.get('codex_cli_simplified_flow')).toBe('true');
    expect(auth.searchParams.get('redirect_uri')).toMatch(/\/auth\/callback$/);
    expect(fake.calls.find((c) => c.path === '/token')!.headers['content-type']).toContain('x-www-form-urlencoded');
    expect(await readJson(r.path)).toMatchObject({ type: 'codex', account_id: 'acct-123', email: 'user@example.com', id_token: expect.any(String) });
    expect(r.path.endsWith('codex-user@example.com.json')).toBe(true);
  });

  it('gemini login with a chosen project: onboarding polled until done, API enabled, gemini-<email>-<project>.json', async () => {
    const io = browserIO(['2']);
    const r = await LOGIN_FLOWS.login!.run(options(io));
    expect(r.path).toBe(join(dir, 'gemini-user@example.com-proj-b.json'));
    const file = await readJson(r.path);
    expect(file).toMatchObject({ type: 'gemini', project_id: 'proj-b', email: 'user@example.com', checked: true });
    expect(file.token).toMatchObject({ access_token: 'at-login', refresh_token: 'rt-login', client_id: expect.stringContaining('681255809395') });
    const onboard = fake.calls.filter((c) => c.path === '/v1internal:onboardUser');
    expect(onboard.length).toBeGreaterThanOrEqual(2);
    expect(onboard[0]!.body).toMatchObject({ tierId: 'free-tier', cloudaicompanionProject: 'proj-b' });
    expect(fake.calls.some((c) => c.path.endsWith(':enable'))).toBe(true);
  });

  it('gemini login with --project_id ALL writes one -all file with every project', async () => {
    const r = await LOGIN_FLOWS.login!.run(options(browserIO(), { projectId: 'ALL' }));
    expect(r.path).toBe(join(dir, 'gemini-user@example.com-all.json'));
    expect((await readJson(r.path)).project_id).toBe('proj-a,proj-b');
  });

  it('antigravity login stores the Code Assist project and expiry fields', async () => {
    const r = await LOGIN_FLOWS['antigravity-login']!.run(options(browserIO()));
    expect(r.path).toBe(join(dir, 'antigravity-user_example_com.json'));
    expect(await readJson(r.path)).toMatchObject({ type: 'antigravity', project_id: 'ag-project-1', expires_in: 3600, timestamp: expect.any(Number) });
  });

  it('iflow login exchanges with Basic auth and stores the API key from user info', async () => {
    const r = await LOGIN_FLOWS['iflow-login']!.run(options(browserIO()));
    const tok = fake.calls.find((c) => c.path === '/token')!;
    expect(tok.headers.authorization).toMatch(/^Basic /);
    expect(await readJson(r.path)).toMatchObject({ type: 'iflow', api_key: 'iflow-key-for-at-login', email: 'user@example.com' });
  });

  it('iflow cookie login requires BXAuth and stores the cookie and key', async () => {
    await expect(LOGIN_FLOWS['iflow-cookie']!.run(options(browserIO(['foo=bar'])))).rejects.toThrow(/BXAuth/);
    const r = await LOGIN_FLOWS['iflow-cookie']!.run(options(browserIO(['BXAuth=abc; other=1'])));
    expect(await readJson(r.path)).toMatchObject({ type: 'iflow', api_key: 'ck-key-1', cookie: 'BXAuth=abc; other=1', email: 'cookie-user' });
  });

  it('rejects a callback whose state does not match', async () => {
    fake.authorizeMode = 'bad-state';
    await expect(LOGIN_FLOWS['claude-login']!.run(options(browserIO()))).rejects.toThrow(/state mismatch/);
  });

  it('reports denial clearly', async () => {
    fake.authorizeMode = 'deny';
    await expect(LOGIN_FLOWS['codex-login']!.run(options(browserIO()))).rejects.toThrow(/denied.*access_denied/);
  });

  it('times out with a clear message when no callback arrives; --no-browser prints URL and SSH tunnel', async () => {
    const io = browserIO();
    await expect(LOGIN_FLOWS['claude-login']!.run(options(io, { noBrowser: true, timeoutMs: 100 }))).rejects.toThrow(/timed out/);
    expect(io.opened).toEqual([]);
    expect(io.lines.join('\n')).toMatch(/ssh -L (\d+):localhost:\1 user@server/);
    expect(io.lines.some((l) => l.includes('/authorize?'))).toBe(true);
  });
});

describe('device flow (qwen)', () => {
  it('polls through authorization_pending and slow_down, then saves qwen-<alias>.json', async () => {
    fake.devicePolls = ['authorization_pending', 'slow_down', 'authorization_pending'];
    const io = browserIO(['me@qwen.test']);
    const r = await LOGIN_FLOWS['qwen-login']!.run(options(io));
    expect(r.path).toBe(join(dir, 'qwen-me@qwen.test.json'));
    expect(await readJson(r.path)).toMatchObject({ type: 'qwen', access_token: 'qwen-at', refresh_token: 'qwen-rt', resource_url: 'portal.qwen.ai' });
    const polls = fake.calls.filter((c) => c.body.grant_type === 'urn:ietf:params:oauth:grant-type:device_code');
    expect(polls).toHaveLength(4);
    expect(polls[0]!.body.code_verifier).toBeTruthy();
    expect(fake.calls.find((c) => c.path === '/device/code')!.body.code_challenge_method).toBe('S256');
    expect(io.lines.some((l) => l.includes('more slowly'))).toBe(true);
  });

  it('stops on access_denied', async () => {
    fake.devicePolls = ['access_denied'];
    await expect(LOGIN_FLOWS['qwen-login']!.run(options(browserIO()))).rejects.toThrow(/denied/);
  });
});

describe('vertex import and CLI dispatch', () => {
  it('imports a service account as vertex-<project>.json', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const sa = join(dir, 'sa-key.txt');
    await writeFile(sa, JSON.stringify({ type: 'service_account', project_id: 'my-proj', client_email: 'sa@my-proj.iam.gserviceaccount.com', private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }) }));
    const r = await vertexImport(sa, options(browserIO()));
    expect(r.path).toBe(join(dir, 'vertex-my-proj.json'));
    expect(await readJson(r.path)).toMatchObject({ type: 'vertex', project_id: 'my-proj', location: 'us-central1', service_account: { client_email: 'sa@my-proj.iam.gserviceaccount.com' } });
  });

  it('runLoginIfRequested runs the flag and exits 0, or 1 with the reason', async () => {
    const { config } = parseConfigObject({ 'auth-dir': dir });
    const io = browserIO();
    const old = { ...process.env };
    Object.assign(process.env, fake.env());
    try {
      expect(await runLoginIfRequested({ 'claude-login': true }, config, silentLogger(), io)).toBe(0);
      expect(io.lines.some((l) => l.startsWith('Saved ') && l.includes('claude-user@example.com.json'))).toBe(true);
      fake.authorizeMode = 'deny';
      expect(await runLoginIfRequested({ 'codex-login': true }, config, silentLogger(), io)).toBe(1);
      expect(io.lines.some((l) => l.startsWith('Login failed:'))).toBe(true);
      expect(await runLoginIfRequested({}, config, silentLogger(), io)).toBeUndefined();
    } finally {
      process.env = old;
    }
  });
});
