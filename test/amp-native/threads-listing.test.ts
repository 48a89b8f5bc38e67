import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream.js';
import { startProxy, type RunningProxy } from '../helpers/proxy.js';

const KEY = 'native-listing-key';

async function createThread(base: string): Promise<string> {
  const res = await fetch(`${base}/api/thread-actors`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ executorType: 'local-client', agentMode: 'medium' }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { threadId: string }).threadId;
}

async function internal(base: string, method: string, params: Record<string, unknown>): Promise<{ ok: boolean; result?: any }> {
  const res = await fetch(`${base}/api/internal?${method}`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ method, params }) });
  return (await res.json()) as { ok: boolean; result?: any };
}

describe('native Amp threads: listing, lookup, archiving and the retention limit', () => {
  let fake: FakeUpstream;
  let proxy: RunningProxy;

  beforeAll(async () => {
    fake = await startFakeUpstream();
    const db = join(await mkdtemp(join(tmpdir(), 'cliproxy-amp-listing-')), 't.db');
    proxy = await startProxy({
      'api-keys': [KEY],
      'claude-api-key': [{ 'api-key': 'sk-ant-fake', 'base-url': fake.url, models: [{ name: 'claude-up', alias: 'claude-sonnet-4-5-20250929' }] }],
      ampcode: { 'threads-db': db, 'threads-max': 3 },
    });
  });
  afterAll(async () => {
    await proxy?.close();
    await fake?.close();
  });

  it('keeps only the most recently updated threads-max threads, and lists, looks up, archives them and answers their project', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(await createThread(proxy.url));
      await new Promise((r) => setTimeout(r, 5)); // distinct `updated` times, so "least recently updated" is defined
    }
    const listed = await internal(proxy.url, 'listThreads', {});
    expect(listed.ok).toBe(true);
    expect((listed.result.threads as Array<{ id: string }>).map((t) => t.id).sort()).toEqual(ids.slice(2).sort());
    // The two oldest are gone from the store: looking them up fails as for any unknown thread.
    for (const gone of ids.slice(0, 2)) expect((await internal(proxy.url, 'getThread', { thread: gone })).ok).toBe(false);

    const kept = ids[4]!;
    const got = await internal(proxy.url, 'getThread', { thread: kept });
    expect(got.ok).toBe(true);
    expect(got.result).toMatchObject({ id: kept, agentMode: 'medium', messages: [] });
    expect((await internal(proxy.url, 'getThreadTail', { thread: kept, limit: 10 })).ok).toBe(true);
    expect(await internal(proxy.url, 'getThreadProject', { thread: kept })).toEqual({ ok: true, result: {} });

    expect((await internal(proxy.url, 'archiveThread', { thread: kept, archived: true })).ok).toBe(true);
    const after = await internal(proxy.url, 'listThreads', {});
    expect((after.result.threads as Array<{ id: string; archived: boolean }>).find((t) => t.id === kept)?.archived).toBe(true);
  });
});
