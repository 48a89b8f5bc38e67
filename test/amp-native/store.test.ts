import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ThreadStore, type ThreadRecord } from '../../src/amp/native/store.js';

const thread = (): ThreadRecord => ({ id: 'T-store-test', owner: 'o', created: 1, updated: 1, title: '', agentMode: 'medium', archived: false, seq: 0, messages: [] });

describe('ThreadStore', () => {
  it('checkpoints the write-ahead log from its worker thread, and keeps every message across a reopen', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'cliproxy-store-')), 'threads.db');
    const store = new ThreadStore(path, () => 100, { checkpointEveryMs: 100 });
    const t = thread();
    store.put(t);
    const before = statSync(path).size;
    const text = 'x'.repeat(2_000);
    for (let i = 1; i <= 200; i++) {
      t.seq = i;
      store.appendMessage(t, { seq: i, message: { role: 'user', content: [{ type: 'text', text: `${i} ${text}` }] } });
    }
    // Automatic checkpoints are off on the main connection: only the worker moves pages into the file.
    const deadline = Date.now() + 5_000;
    // Checkpoints may come in several passes (the log crosses the threshold while messages are still written).
    while (statSync(path).size <= before + 200 * 2_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(statSync(path).size).toBeGreaterThan(before + 200 * 2_000);
    store.close();

    const reopened = new ThreadStore(path, () => 100);
    const got = reopened.get(t.id)!;
    expect(got.seq).toBe(200);
    expect(got.messages.map((m) => m.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    reopened.close();
  });

  it('writes appended messages behind the current callbacks, and every read or close sees them first', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'cliproxy-store-')), 'threads.db');
    const store = new ThreadStore(path, () => 100);
    const t = thread();
    store.put(t);
    const other = new Database(path, { readonly: true });
    const committed = () => (other.prepare('SELECT COUNT(*) AS n FROM messages').get() as { n: number }).n;
    t.seq = 1;
    store.appendMessage(t, { seq: 1, message: { role: 'user', content: [{ type: 'text', text: 'one' }] } });
    t.seq = 2;
    store.appendMessage(t, { seq: 2, message: { role: 'assistant', content: [{ type: 'text', text: 'two' }] } });
    expect(committed()).toBe(0); // not yet: the commit waits for the event loop's current callbacks
    expect(store.get(t.id)!.messages.map((m) => m.seq)).toEqual([1, 2]); // a read commits the queue first
    expect(committed()).toBe(2);

    t.seq = 3;
    store.appendMessage(t, { seq: 3, message: { role: 'user', content: [{ type: 'text', text: 'three' }] } });
    await new Promise((r) => setImmediate(r));
    expect(committed()).toBe(3);
    expect((other.prepare('SELECT seq FROM threads WHERE id = ?').get(t.id) as { seq: number }).seq).toBe(3);

    t.seq = 4;
    store.appendMessage(t, { seq: 4, message: { role: 'assistant', content: [{ type: 'text', text: 'four' }] } });
    store.close(); // commits what is queued
    expect(committed()).toBe(4);
    other.close();
  });

  it('reports a batch that cannot be committed instead of throwing into the agent loop', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'cliproxy-store-')), 'threads.db');
    const failures: Array<[string, string[]]> = [];
    const store = new ThreadStore(path, () => 100, { onWriteError: (err, ids) => failures.push([err.message, ids]) });
    const broken = { ...thread(), id: 'T-broken', owner: null as unknown as string, seq: 1 };
    expect(() => store.appendMessage(broken, { seq: 1, message: { role: 'user', content: [] } })).not.toThrow();
    await new Promise((r) => setImmediate(r));
    expect(failures).toHaveLength(1);
    expect(failures[0]![0]).toMatch(/NOT NULL/);
    expect(failures[0]![1]).toEqual(['T-broken']);
    // The store goes on working for other threads.
    const t = thread();
    t.seq = 1;
    store.appendMessage(t, { seq: 1, message: { role: 'user', content: [{ type: 'text', text: 'fine' }] } });
    expect(store.get(t.id)!.messages).toHaveLength(1);
    store.close();
  });
});
