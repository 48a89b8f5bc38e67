import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProxy, type RunningProxy } from '../helpers/proxy.js';

const KEY = 'acct-key';

/** A stand-in for ampcode.com that records what reaches it. */
async function fakeAmp(): Promise<{ url: string; seen: string[]; server: Server }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(req.url ?? '');
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, result: { email: 'real@amp', features: [], from: 'upstream' } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

const post = (base: string, path: string, body: unknown) =>
  fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, json: (await r.json()) as any }));

describe('account plane with an Amp upstream', () => {
  let amp: Awaited<ReturnType<typeof fakeAmp>>;
  let proxy: RunningProxy;
  let db: string;
  const cfg = (threads: 'local' | 'upstream') => ({ 'api-keys': [KEY], ampcode: { 'upstream-url': amp.url, 'upstream-api-key': 'sgamp_x', threads, 'threads-db': db } });

  beforeAll(async () => {
    amp = await fakeAmp();
    db = join(await mkdtemp(join(tmpdir(), 'cliproxy-amp-acct-')), 't.db');
    proxy = await startProxy(cfg('local'));
  });
  afterAll(async () => {
    await proxy?.close();
    amp?.server.close();
  });

  it('threads: local forwards account methods but serves thread-actors and thread methods locally', async () => {
    const info = await post(proxy.url, '/api/internal?getUserInfo', { method: 'getUserInfo', params: {} });
    expect(info.json.result.from).toBe('upstream');
    const t = await post(proxy.url, '/api/thread-actors', { executorType: 'local-client', agentMode: 'medium' });
    expect(t.json.threadId).toMatch(/^T-/);
    const tail = await post(proxy.url, '/api/internal?getThreadTail', { method: 'getThreadTail', params: { thread: t.json.threadId, limit: 5 } });
    expect(tail.json.ok).toBe(true);
    expect(tail.json.result.thread.data.id).toBe(t.json.threadId);
    expect(amp.seen.filter((u) => u.includes('thread'))).toEqual([]);
  });

  it('threads: upstream forwards thread-actors to Amp', async () => {
    proxy.reconfigure(cfg('upstream'));
    await post(proxy.url, '/api/thread-actors', { executorType: 'local-client' });
    expect(amp.seen).toContain('/api/thread-actors');
    proxy.reconfigure(cfg('local'));
  });
});
