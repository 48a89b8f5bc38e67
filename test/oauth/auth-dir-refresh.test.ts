import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeOAuth, type FakeOAuth } from '../fakes/oauth.js';
import { AuthDirSource } from '../../src/credentials/auth-dir.js';
import { parseConfigObject } from '../../src/config/load.js';
import type { Credential } from '../../src/credentials/types.js';
import { silentLogger } from '../../src/util/log.js';
import { writeJsonAtomic } from '../../src/credentials/token-file.js';
import { CredentialUnavailableError } from '../../src/credentials/session.js';

let fake: FakeOAuth;
let dir: string;
let source: AuthDirSource;
let published: Credential[];
let cfgRaw: Record<string, unknown>;

const soon = (ms: number) => new Date(Date.now() + ms).toISOString();

function makeSource(): AuthDirSource {
  published = [];
  return new AuthDirSource({
    dir,
    log: silentLogger(),
    config: () => parseConfigObject({ 'auth-dir': dir, ...cfgRaw }).config,
    publish: (c) => (published = c),
    env: fake.env(),
    refreshIntervalMs: 3_600_000,
  });
}

beforeAll(async () => {
  fake = await startFakeOAuth();
});
afterAll(async () => fake.close());
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cliproxy-authdir-'));
  cfgRaw = {};
  fake.revoked.clear();
  fake.refreshGate = undefined;
  fake.calls.length = 0;
});
afterEach(() => source?.stop());

describe('auth-dir loading', () => {
  it('turns each provider file into credentials with CLIProxyAPI ids, providers and models', async () => {
    await writeJsonAtomic(join(dir, 'claude-a@x.com.json'), { type: 'claude', access_token: 'a', refresh_token: 'r', email: 'a@x.com', expired: soon(86_400_000) });
    await writeJsonAtomic(join(dir, 'gemini-a@x.com-all.json'), { type: 'gemini', token: { access_token: 'g', refresh_token: 'gr', expiry: soon(3_600_000) }, project_id: 'p1,p2', email: 'a@x.com' });
    await writeJsonAtomic(join(dir, 'qwen-me.json'), { type: 'qwen', access_token: 'q', refresh_token: 'qr', email: 'me', proxy_url: 'socks5://127.0.0.1:1', base_url: 'http://gw.test/v1' });
    cfgRaw = { 'oauth-excluded-models': { claude: ['claude-3-*'] } };
    source = makeSource();
    await source.start();
    const ids = published.map((c) => c.id).sort();
    expect(ids).toEqual(['claude-a@x.com.json', 'gemini-a@x.com-all.json::p1', 'gemini-a@x.com-all.json::p2', 'qwen-me.json']);
    const claude = published.find((c) => c.provider === 'claude')!;
    expect(claude.kind).toBe('claude');
    expect(claude.label).toBe('a@x.com');
    expect(claude.models.map((m) => m.id)).toContain('claude-sonnet-4-5-20250929');
    expect(claude.models.some((m) => m.id.startsWith('claude-3-'))).toBe(false);
    const gem = published.find((c) => c.id.endsWith('::p2'))!;
    expect(gem).toMatchObject({ provider: 'gemini-cli', kind: 'gemini-cli', label: 'a@x.com [p2]', attributes: { project: 'p2' } });
    const qwen = published.find((c) => c.provider === 'qwen')!;
    expect(qwen.proxyUrl).toBe('socks5://127.0.0.1:1');
    expect(qwen.baseUrl).toBe('http://gw.test/v1');
  });

  it('reports a malformed file by name and skips it without affecting the others', async () => {
    await writeFile(join(dir, 'broken.json'), '{ not json');
    await writeFile(join(dir, 'notype.json'), '{"access_token":"x"}');
    await writeJsonAtomic(join(dir, 'codex-b.json'), { type: 'codex', access_token: 'c', refresh_token: 'cr', expired: soon(86_400_000 * 30) });
    source = makeSource();
    await source.start();
    expect(published.map((c) => c.id)).toEqual(['codex-b.json']);
    expect(source.problems.get('broken.json')).toMatch(/invalid JSON/);
    expect(source.problems.get('notype.json')).toMatch(/type/);
  });

  it('picks up files added, changed and removed while running', async () => {
    source = makeSource();
    await source.start();
    expect(published).toEqual([]);
    const path = join(dir, 'claude-live.json');
    let synced = once(source, 'sync');
    await writeJsonAtomic(path, { type: 'claude', access_token: 'a1', refresh_token: 'r1', email: 'first@x.com', expired: soon(86_400_000) });
    await synced;
    expect(published.map((c) => c.label)).toEqual(['first@x.com']);
    synced = once(source, 'sync');
    await writeJsonAtomic(path, { type: 'claude', access_token: 'a2', refresh_token: 'r2', email: 'second@x.com', expired: soon(86_400_000) });
    await synced;
    expect(published.map((c) => c.label)).toEqual(['second@x.com']);
    synced = once(source, 'sync');
    await rm(path);
    await synced;
    expect(published).toEqual([]);
  });
});

describe('token refresh', () => {
  it('refreshes a token inside its lead time and writes it back atomically with mode 0600', async () => {
    const path = join(dir, 'claude-r.json');
    await writeJsonAtomic(path, { type: 'claude', access_token: 'old', refresh_token: 'rt-1', email: 'r@x.com', expired: soon(60 * 60_000) });
    source = makeSource();
    await source.start();
    await source.scheduler.tick();
    const file = JSON.parse(await readFile(path, 'utf8'));
    expect(file.access_token).toMatch(/^at-refreshed-/);
    expect(file.refresh_token).toBe('rt-1');
    expect(Date.parse(file.expired)).toBeGreaterThan(Date.now() + 50 * 60_000);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const call = fake.calls.find((c) => c.path === '/token')!;
    expect(call.body).toMatchObject({ grant_type: 'refresh_token', refresh_token: 'rt-1', client_id: '9d1c250a-e61b-44d9-88ed-5944d1962f5e' });
  });

  it('refreshes each provider with its own grant shape', async () => {
    await writeJsonAtomic(join(dir, 'codex.json'), { type: 'codex', access_token: 'o', refresh_token: 'c-rt', expired: soon(60_000) });
    await writeJsonAtomic(join(dir, 'gemini.json'), { type: 'gemini', token: { access_token: 'o', refresh_token: 'g-rt', expiry: soon(30_000) }, project_id: 'p' });
    await writeJsonAtomic(join(dir, 'qwen.json'), { type: 'qwen', access_token: 'o', refresh_token: 'q-rt', expired: soon(60_000) });
    await writeJsonAtomic(join(dir, 'iflow.json'), { type: 'iflow', access_token: 'o', refresh_token: 'i-rt', api_key: 'k', expired: soon(60_000) });
    await writeJsonAtomic(join(dir, 'ag.json'), { type: 'antigravity', access_token: 'o', refresh_token: 'a-rt', timestamp: Date.now(), expires_in: 60 });
    source = makeSource();
    await source.start();
    await Promise.all([...source.sessions()].map((s) => s.token()));
    const grants = fake.calls.filter((c) => c.body.grant_type === 'refresh_token');
    const byRt = Object.fromEntries(grants.map((g) => [g.body.refresh_token, g]));
    expect(byRt['c-rt']!.body.scope).toBe('openid profile email');
    expect(byRt['g-rt']!.body.client_secret).toBe('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');
    expect(byRt['a-rt']!.body.client_id).toMatch(/^1071006060591/);
    expect(byRt['q-rt']!.body.client_id).toBe('f0304373b74a44d2b584a3fb70ca9e56');
    expect(byRt['i-rt']!.headers.authorization).toMatch(/^Basic /);
    const gem = JSON.parse(await readFile(join(dir, 'gemini.json'), 'utf8'));
    expect(gem.token.access_token).toMatch(/^at-refreshed/);
    expect(gem.access_token).toBe(gem.token.access_token);
    const iflow = JSON.parse(await readFile(join(dir, 'iflow.json'), 'utf8'));
    expect(iflow.api_key).toMatch(/^iflow-key-for-at-refreshed/);
  });

  it('coalesces concurrent callers into one refresh', async () => {
    await writeJsonAtomic(join(dir, 'claude-c.json'), { type: 'claude', access_token: 'old', refresh_token: 'rt-c', expired: soon(-1000) });
    source = makeSource();
    await source.start();
    let open!: () => void;
    fake.refreshGate = new Promise<void>((r) => (open = r));
    const session = source.session('claude-c.json')!;
    const waiting = Array.from({ length: 10 }, () => session.token());
    const background = source.scheduler.tick();
    open();
    const tokens = await Promise.all(waiting);
    await background;
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).toMatch(/^at-refreshed-/);
    expect(fake.calls.filter((c) => c.body.refresh_token === 'rt-c')).toHaveLength(1);
  });

  it('an expired refresh token marks the credential unavailable with the reason and keeps the stored token', async () => {
    const path = join(dir, 'claude-dead.json');
    const original = { type: 'claude', access_token: 'old', refresh_token: 'rt-dead', expired: soon(-1000) };
    await writeJsonAtomic(path, original);
    fake.revoked.add('rt-dead');
    source = makeSource();
    await source.start();
    const session = source.session('claude-dead.json')!;
    const err = await session.token().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CredentialUnavailableError);
    expect((err as Error).message).toMatch(/invalid_grant/);
    expect(session.failure).toMatchObject({ permanent: true, reason: expect.stringMatching(/invalid_grant/) });
    expect(published).toEqual([]);
    expect(JSON.parse(await readFile(path, 'utf8')).refresh_token).toBe('rt-dead');
    // A later request does not hammer the token endpoint again.
    await session.token().catch(() => {});
    expect(fake.calls.filter((c) => c.body.refresh_token === 'rt-dead')).toHaveLength(1);
    // Logging in again (a new file) brings it back.
    const synced = once(source, 'sync');
    await writeJsonAtomic(path, { ...original, access_token: 'fresh', refresh_token: 'rt-new', expired: soon(86_400_000) });
    await synced;
    expect(published.map((c) => c.id)).toEqual(['claude-dead.json']);
  });
});

describe('iflow cookie mode', () => {
  it('renews an expired API key with the stored cookie', async () => {
    await writeJsonAtomic(join(dir, 'iflow-ck.json'), { type: 'iflow', api_key: 'old-key', cookie: 'BXAuth=zzz', email: 'cookie-user', expired: soon(-1000) });
    source = makeSource();
    await source.start();
    expect(await source.session('iflow-ck.json')!.token()).toBe('ck-key-1');
    const call = fake.calls.find((c) => c.path === '/iflow/apikey')!;
    expect(call.headers.cookie).toBe('BXAuth=zzz');
    expect(call.body).toEqual({ name: 'cookie-user' });
    expect(JSON.parse(await readFile(join(dir, 'iflow-ck.json'), 'utf8')).expired).toBe('2030-01-01T00:00:00Z');
  });
});
