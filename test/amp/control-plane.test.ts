import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream.js';
import { startProxy, type RunningProxy } from '../helpers/proxy.js';
import { createServer } from '../../src/server/http.js';
import { startFakeAmp, type FakeAmp } from './fake-amp.js';
import { AMP_KEY, CLIENT_KEY, call, localProviders, sseData } from './helpers.js';

const OTHER_CLIENT = 'proxy-client-key-2';
const PER_CLIENT_AMP_KEY = 'sgamp_user_PER_CLIENT';
let models: FakeUpstream;
let amp: FakeAmp;
let proxy: RunningProxy;
const home = mkdtempSync(join(tmpdir(), 'cliproxy-amp-home-'));

function ampConfig(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    'api-keys': [CLIENT_KEY, OTHER_CLIENT],
    ...localProviders(models),
    ampcode: { 'upstream-url': amp.url, 'upstream-api-key': AMP_KEY, 'upstream-api-keys': [{ 'upstream-api-key': PER_CLIENT_AMP_KEY, 'api-keys': [CLIENT_KEY] }], ...over },
  };
}

beforeAll(async () => {
  process.env.HOME = home;
  delete process.env.AMP_API_KEY;
  models = await startFakeUpstream();
  amp = await startFakeAmp();
  proxy = await startProxy(ampConfig());
});

afterAll(async () => {
  await proxy?.close();
  await models?.close();
  await amp?.close();
});

const rpc = (method: string, headers: Record<string, string> = {}, base = proxy.url) => call(base, `/api/internal?${method}`, { method, params: {} }, headers);

describe('Amp control-plane reverse proxy', () => {
  it('forwards JSON-RPC calls and relays the answer, with the caller key replaced by the upstream key', async () => {
    const r = await rpc('getUserInfo', { 'x-api-key': CLIENT_KEY, 'x-goog-api-key': CLIENT_KEY });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ ok: true, result: { email: 'dev@example.com', features: [] } });
    const rec = amp.at('/api/internal').at(-1)!;
    expect(rec.url).toBe('/api/internal?getUserInfo');
    expect(rec.body).toEqual({ method: 'getUserInfo', params: {} });
    expect(rec.headers.authorization).toBe(`Bearer ${PER_CLIENT_AMP_KEY}`);
    expect(rec.headers['x-api-key']).toBe(PER_CLIENT_AMP_KEY);
    expect(rec.headers['x-goog-api-key']).toBeUndefined();
    expect(JSON.stringify(rec)).not.toContain(CLIENT_KEY);
  });

  it('strips the caller key from key= and auth_token= query values, keeping other parameters', async () => {
    await call(proxy.url, `/api/threads/t-1?key=${CLIENT_KEY}&auth_token=${CLIENT_KEY}&page=2&key=not-ours`, undefined, {}, 'GET');
    const rec = amp.at('/api/threads/t-1').at(-1)!;
    expect(rec.url).toBe('/api/threads/t-1?page=2&key=not-ours');
  });

  it('scrubs proxy-identifying headers and keeps Amp headers', async () => {
    await rpc('getThread', {
      'x-forwarded-for': '10.1.1.1',
      'x-forwarded-host': 'me',
      'x-real-ip': '10.1.1.1',
      forwarded: 'for=10.1.1.1',
      via: '1.1 someproxy',
      'x-title': 'app',
      'x-stainless-os': 'Linux',
      'sec-ch-ua-platform': 'Linux',
      'sec-fetch-mode': 'cors',
      referer: 'http://localhost',
      priority: 'u=1',
      'accept-encoding': 'gzip, br',
      'x-amp-thread-id': 'T-123',
    });
    const h = amp.at('/api/internal').at(-1)!.headers;
    for (const name of ['x-forwarded-for', 'x-forwarded-host', 'x-real-ip', 'forwarded', 'via', 'x-title', 'x-stainless-os', 'sec-ch-ua-platform', 'sec-fetch-mode', 'referer', 'priority']) expect(h[name], name).toBeUndefined();
    expect(h['accept-encoding'] ?? '').not.toContain('br');
    expect(h['x-amp-thread-id']).toBe('T-123');
  });

  it('decodes an upstream body that is gzip without a Content-Encoding header', async () => {
    const res = await fetch(`${proxy.url}/news.rss`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toBe('<rss><channel><title>Amp news</title></channel></rss>');
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
  });

  it('relays SSE as it streams', async () => {
    const r = await call(proxy.url, '/api/threads/stream', undefined, {}, 'GET');
    expect(r.headers.get('content-type')).toContain('text/event-stream');
    expect(sseData(r.text)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
  });

  it('serves root browser routes without a client key and /api routes only with one', async () => {
    const login = await fetch(`${proxy.url}/auth/cli-login?authToken=abc`);
    expect(login.status).toBe(200);
    expect(amp.at('/auth/cli-login').at(-1)!.url).toBe('/auth/cli-login?authToken=abc');
    for (const p of ['/threads', '/threads/T-1', '/threads.rss', '/docs/x', '/settings']) expect((await fetch(`${proxy.url}${p}`)).status, p).toBe(200);
    const noKey = await fetch(`${proxy.url}/api/user`);
    expect(noKey.status).toBe(401);
    const withKey = await call(proxy.url, '/api/user', undefined, {}, 'GET');
    expect(withKey.json.email).toBe('dev@example.com');
  });

  it('refuses browser CORS preflights on control-plane routes but not on provider routes', async () => {
    const pre = await fetch(`${proxy.url}/api/internal?getUserInfo`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(pre.status).toBe(403);
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    const auth = await fetch(`${proxy.url}/auth/cli-login`, { method: 'OPTIONS', headers: { origin: 'https://evil.example' } });
    expect(auth.status).toBe(403);
    const prov = await fetch(`${proxy.url}/api/provider/openai/v1/chat/completions`, { method: 'OPTIONS' });
    expect(prov.status).toBe(204);
  });

  it('answers 502 JSON at once when the upstream is down', async () => {
    const probe = createNetServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const deadUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
    await new Promise<void>((r) => probe.close(() => r()));
    proxy.reconfigure(ampConfig({ 'upstream-url': deadUrl }));
    try {
      const r = await rpc('getUserInfo');
      expect(r.status).toBe(502);
      expect(r.json).toEqual({ error: 'amp_upstream_proxy_error', message: 'Failed to reach Amp upstream' });
      const model = await call(proxy.url, '/api/provider/anthropic/v1/messages', { model: 'unknown-model', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] });
      expect(model.status).toBe(502);
      expect(model.headers.get('x-cliproxy-route')).toBe('amp-upstream');
    } finally {
      proxy.reconfigure(ampConfig());
    }
  });

  it('answers the control plane locally when no upstream is configured (no Amp account needed)', async () => {
    proxy.reconfigure(ampConfig({ 'upstream-url': '' }));
    try {
      const before = amp.records.length;
      const r = await rpc('getUserInfo');
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ ok: true, result: { features: [] } });
      expect(amp.records.length).toBe(before);
    } finally {
      proxy.reconfigure(ampConfig());
    }
  });
});

describe('upstream key precedence', () => {
  it('per-client entry, then upstream-api-key, then env AMP_API_KEY, then the Amp secrets file; never a client key', async () => {
    const lastAuth = () => amp.at('/api/internal').at(-1)!.headers.authorization;
    await rpc('getUserInfo');
    expect(lastAuth()).toBe(`Bearer ${PER_CLIENT_AMP_KEY}`);
    await rpc('getUserInfo', { authorization: `Bearer ${OTHER_CLIENT}` });
    expect(lastAuth()).toBe(`Bearer ${AMP_KEY}`);

    proxy.reconfigure(ampConfig({ 'upstream-api-key': '', 'upstream-api-keys': [] }));
    process.env.AMP_API_KEY = 'sgamp_from_env';
    await rpc('getUserInfo');
    expect(lastAuth()).toBe('Bearer sgamp_from_env');

    // A client key exported as AMP_API_KEY (same shell as the Amp CLI) is never sent upstream.
    process.env.AMP_API_KEY = CLIENT_KEY;
    mkdirSync(join(home, '.local', 'share', 'amp'), { recursive: true });
    writeFileSync(join(home, '.local', 'share', 'amp', 'secrets.json'), JSON.stringify({ 'apiKey@https://ampcode.com/': 'sgamp_from_file' }));
    await rpc('getUserInfo');
    expect(lastAuth()).toBe('Bearer sgamp_from_file');
    delete process.env.AMP_API_KEY;
    proxy.reconfigure(ampConfig());
  });

  it('forwards without any key rather than with the caller key when no upstream key exists', async () => {
    const bare = await startProxy({ 'api-keys': [CLIENT_KEY], ampcode: { 'upstream-url': amp.url } });
    try {
      bare.app.amp.secrets.invalidate();
      process.env.HOME = mkdtempSync(join(tmpdir(), 'cliproxy-amp-empty-home-'));
      await rpc('getUserInfo', {}, bare.url);
      const h = amp.at('/api/internal').at(-1)!.headers;
      expect(h.authorization).toBeUndefined();
      expect(h['x-api-key']).toBeUndefined();
    } finally {
      process.env.HOME = home;
      await bare.close();
    }
  });
});

/** A non-loopback address of this machine, so a request can arrive from outside 127.0.0.0/8. */
function externalIPv4(): string | undefined {
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return undefined;
}

describe('restrict-management-to-localhost', () => {
  const external = externalIPv4();
  it.skipIf(!external)('judges the socket address, so a spoofed X-Forwarded-For cannot pass', async () => {
    proxy.reconfigure(ampConfig({ 'restrict-management-to-localhost': true }));
    const server: Server = createServer(proxy.app, { extraRoutes: proxy.app.extraRoutes() });
    await new Promise<void>((r) => server.listen(0, '0.0.0.0', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const spoof = { 'x-forwarded-for': '127.0.0.1', 'x-real-ip': '127.0.0.1', forwarded: 'for=127.0.0.1' };
      const remote = await rpc('getUserInfo', spoof, `http://${external}:${port}`);
      expect(remote.status).toBe(403);
      expect(remote.json.error).toBe('Access denied: management routes restricted to localhost');
      const rootRemote = await fetch(`http://${external}:${port}/threads.rss`, { headers: spoof });
      expect(rootRemote.status).toBe(403);
      const local = await rpc('getUserInfo', {}, `http://127.0.0.1:${port}`);
      expect(local.status).toBe(200);
      // Model calls are not management: remote Amp clients keep working.
      const model = await call(`http://${external}:${port}`, '/api/provider/anthropic/v1/messages', { model: 'local-claude', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] });
      expect(model.status).toBe(200);

      proxy.reconfigure(ampConfig({ 'restrict-management-to-localhost': false }));
      expect((await rpc('getUserInfo', {}, `http://${external}:${port}`)).status).toBe(200);
    } finally {
      proxy.reconfigure(ampConfig());
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
