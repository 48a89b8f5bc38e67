import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { networkInterfaces } from 'node:os';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream.js';
import { startProxy, type RunningProxy } from '../helpers/proxy.js';
import { authenticate, ClientKeyRing, isLoopback } from '../../src/server/auth.js';

const KEY = 'client-key-secret-1';
let fake: FakeUpstream;
let proxy: RunningProxy;

beforeAll(async () => {
  fake = await startFakeUpstream();
  proxy = await startProxy({
    'api-keys': [KEY],
    'claude-api-key': [{ 'api-key': 'sk-ant-UPSTREAM-SECRET', 'base-url': fake.url }],
    'openai-compatibility': [{ name: 'up', 'base-url': `${fake.url}/v1`, 'api-key-entries': [{ 'api-key': 'sk-UPSTREAM-SECRET-2' }], models: [{ name: 'm-up', alias: 'gpt-test' }] }],
    'gemini-api-key': [{ 'api-key': 'AIza-UPSTREAM-SECRET-3', 'base-url': fake.url }],
  });
});
afterAll(async () => {
  await proxy?.close();
  await fake?.close();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${proxy.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('client authentication', () => {
  it.each([
    ['authorization', { authorization: `Bearer ${KEY}` }, ''],
    ['x-api-key', { 'x-api-key': KEY }, ''],
    ['x-goog-api-key', { 'x-goog-api-key': KEY }, ''],
    ['?key=', {}, `?key=${KEY}`],
  ])('accepts the key from %s', async (_n, headers, query) => {
    const r = await fetch(`${proxy.url}/v1/models${query}`, { headers });
    expect(r.status).toBe(200);
  });

  it('missing key: 401 in the OpenAI shape on OpenAI routes', async () => {
    const r = await post('/v1/chat/completions', { model: 'gpt-test', messages: [] });
    expect(r.status).toBe(401);
    expect(await r.json()).toMatchObject({ error: { message: 'Missing API key', type: 'authentication_error' } });
  });

  it('wrong key: 401 in the Anthropic shape on /v1/messages', async () => {
    const r = await post('/v1/messages', { model: 'x', max_tokens: 1, messages: [] }, { 'x-api-key': 'nope' });
    expect(r.status).toBe(401);
    expect(await r.json()).toEqual({ type: 'error', error: { type: 'authentication_error', message: 'Invalid API key' } });
  });

  it('wrong key: 401 in the Gemini shape on /v1beta', async () => {
    const r = await post('/v1beta/models/gemini-2.5-flash:generateContent', { contents: [] }, { 'x-goog-api-key': 'nope' });
    expect(r.status).toBe(401);
    expect(await r.json()).toEqual({ error: { code: 401, message: 'Invalid API key', status: 'UNAUTHENTICATED' } });
  });

  it('key comparison is by digest (different lengths do not throw)', () => {
    const ring = new ClientKeyRing(['a', 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb']);
    expect(ring.match('a')).toBe(0);
    expect(ring.match('bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb')).toBe(1);
    expect(ring.match('')).toBe(-1);
  });

  it('a remembered verdict never turns a wrong key right, and a new key ring forgets old verdicts', () => {
    const ring = new ClientKeyRing(['k1', 'k2']);
    for (let i = 0; i < 3; i++) {
      expect(ring.match('k2')).toBe(1);
      expect(ring.match('k3')).toBe(-1);
    }
    // Past the verdict cache's bound (256) the answers stay the same.
    for (let i = 0; i < 600; i++) expect(ring.match(`guess-${i}`)).toBe(-1);
    expect(ring.match('k1')).toBe(0);
    // A config reload builds a new ring: a key removed from api-keys is refused at once.
    const reloaded = new ClientKeyRing(['k1']);
    expect(reloaded.match('k2')).toBe(-1);
    expect(reloaded.match('k1')).toBe(0);
  });

  it('with no api-keys only loopback callers are served', () => {
    const ring = new ClientKeyRing([]);
    const req = (addr: string) => ({ headers: {}, socket: { remoteAddress: addr } }) as never;
    const url = new URL('http://x/v1/models');
    expect(authenticate(ring, [], req('127.0.0.1'), url).ok).toBe(true);
    expect(authenticate(ring, [], req('::ffff:127.0.0.1'), url).ok).toBe(true);
    expect(authenticate(ring, [], req('::1'), url).ok).toBe(true);
    const remote = authenticate(ring, [], req('192.0.2.10'), url);
    expect(remote).toMatchObject({ ok: false, status: 403 });
    expect(isLoopback(undefined)).toBe(false);
  });

  it('with no api-keys a real remote-interface connection is refused (403)', async (ctx) => {
    const addr = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    if (!addr) ctx.skip();
    const open = await startProxy({ host: '0.0.0.0' });
    // startProxy binds 127.0.0.1; start a second listener on all interfaces through the same app.
    const { createServer } = await import('../../src/server/http.js');
    const server = createServer(open.app);
    await new Promise<void>((r) => server.listen(0, '0.0.0.0', r));
    const port = (server.address() as { port: number }).port;
    try {
      const remote = await fetch(`http://${addr}:${port}/v1/models`);
      expect(remote.status).toBe(403);
      expect(((await remote.json()) as any).error.message).toContain('only serves callers on this machine');
      const local = await fetch(`http://127.0.0.1:${port}/v1/models`);
      expect(local.status).toBe(200);
    } finally {
      server.closeAllConnections();
      server.close();
      await open.close();
    }
  });
});

describe('errors in the caller shape', () => {
  const auth = { authorization: `Bearer ${KEY}` };

  it('unknown model: 404 naming the model and close matches (OpenAI)', async () => {
    const r = await post('/v1/chat/completions', { model: 'gpt-tset', messages: [{ role: 'user', content: 'x' }] }, auth);
    expect(r.status).toBe(404);
    const b = (await r.json()) as any;
    expect(b.error.code).toBe('model_not_found');
    expect(b.error.message).toContain('gpt-tset');
    expect(b.error.message).toContain('gpt-test');
  });

  it('unknown model: 404 Anthropic not_found_error', async () => {
    const r = await post('/v1/messages', { model: 'claude-nope', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }, auth);
    expect(r.status).toBe(404);
    const b = (await r.json()) as any;
    expect(b.type).toBe('error');
    expect(b.error.type).toBe('not_found_error');
    expect(b.error.message).toContain('claude-nope');
  });

  it('unknown model: 404 Gemini NOT_FOUND', async () => {
    const r = await post('/v1beta/models/gemini-nope:generateContent', { contents: [{ role: 'user', parts: [{ text: 'x' }] }] }, auth);
    expect(r.status).toBe(404);
    const b = (await r.json()) as any;
    expect(b.error).toMatchObject({ code: 404, status: 'NOT_FOUND' });
    expect(b.error.message).toContain('gemini-nope');
  });

  it('malformed JSON, missing model and wrong types are 400s in the caller shape', async () => {
    const bad = await post('/v1/chat/completions', '{"model": ', auth);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).error.type).toBe('invalid_request_error');
    const noModel = await post('/v1/messages', { max_tokens: 5, messages: [] }, auth);
    expect(noModel.status).toBe(400);
    expect(((await noModel.json()) as any).error.message).toContain('model');
    const wrongType = await post('/v1/chat/completions', { model: 'gpt-test', messages: 'hi' }, auth);
    expect(wrongType.status).toBe(400);
    expect(((await wrongType.json()) as any).error.message).toContain('messages');
    const arrayBody = await post('/v1/responses', [1, 2], auth);
    expect(arrayBody.status).toBe(400);
    const streamType = await post('/v1/messages', { model: 'claude-sonnet-4-5-20250929', max_tokens: 5, messages: [], stream: 'yes' }, auth);
    expect(streamType.status).toBe(400);
  });

  it('upstream HTTP errors keep status and message, re-wrapped in the caller shape, without secrets', async () => {
    fake.reply = () => ({ kind: 'error', status: 400, body: { type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: too large' } } });
    try {
      const r = await post('/v1/chat/completions', { model: 'claude-sonnet-4-5-20250929', messages: [{ role: 'user', content: 'x' }] }, auth);
      expect(r.status).toBe(400);
      const text = await r.text();
      expect(JSON.parse(text)).toMatchObject({ error: { message: 'max_tokens: too large', type: 'invalid_request_error' } });
      expect(text).not.toContain('UPSTREAM-SECRET');
      expect(text).not.toContain(KEY);
    } finally {
      fake.reply = () => ({ kind: 'answer', answer: { text: 'Hello from fake upstream' } });
    }
  });

  it('a Google error from a Gemini upstream reaches an Anthropic caller as an Anthropic error', async () => {
    fake.reply = () => ({ kind: 'error', status: 403, body: { error: { code: 403, message: 'API key not valid', status: 'PERMISSION_DENIED' } } });
    try {
      const r = await post('/v1/messages', { model: 'gemini-2.5-flash', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }, auth);
      expect(r.status).toBe(403);
      expect(await r.json()).toEqual({ type: 'error', error: { type: 'permission_error', message: 'API key not valid' } });
    } finally {
      fake.reply = () => ({ kind: 'answer', answer: { text: 'Hello from fake upstream' } });
    }
  });

  it('unknown routes answer 404 JSON; GET / is a banner; /healthz is 200', async () => {
    expect((await fetch(`${proxy.url}/nope`)).status).toBe(404);
    const banner = (await (await fetch(`${proxy.url}/`)).json()) as any;
    expect(banner.message).toBe('CLI Proxy API Server');
    expect((await fetch(`${proxy.url}/healthz`)).status).toBe(200);
  });

  it('model lists show exactly the served models, Anthropic shape for Anthropic callers', async () => {
    const oa = (await (await fetch(`${proxy.url}/v1/models`, { headers: auth })).json()) as any;
    const ids = oa.data.map((m: any) => m.id);
    expect(oa.object).toBe('list');
    expect(ids).toContain('gpt-test');
    expect(ids).toContain('claude-opus-4-5-20251101');
    expect(ids).toContain('gemini-2.5-flash');
    expect(ids).not.toContain('m-up');
    const an = (await (await fetch(`${proxy.url}/v1/models`, { headers: { ...auth, 'anthropic-version': '2023-06-01' } })).json()) as any;
    expect(an.data[0].type).toBe('model');
    expect(an.has_more).toBe(false);
    const ua = (await (await fetch(`${proxy.url}/v1/models`, { headers: { ...auth, 'user-agent': 'claude-cli/2.0 (external, cli)' } })).json()) as any;
    expect(ua.data[0].type).toBe('model');
    const g = (await (await fetch(`${proxy.url}/v1beta/models`, { headers: auth })).json()) as any;
    expect(g.models.map((m: any) => m.name)).toContain('models/gemini-2.5-flash');
    const one = await fetch(`${proxy.url}/v1beta/models/gemini-2.5-flash`, { headers: auth });
    expect(((await one.json()) as any).name).toBe('models/gemini-2.5-flash');
    expect((await fetch(`${proxy.url}/v1beta/models/nope`, { headers: auth })).status).toBe(404);
  });
});
