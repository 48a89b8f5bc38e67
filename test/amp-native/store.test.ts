import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ThreadStore, type ThreadRecord } from '../../src/amp/native/store.js';

const thread = (): ThreadRecord => ({ id: 'T-store-test', owner: 'o', created: 1, updated: 1, title: '', agentMode: 'medium', archived: false, seq: 0, messages: [] });

describe('ThreadStore', () => {
  it('checkpoints the write-ahead log from its worker thread, and keeps every message across a reopen', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'cliproxy-store-')), 'threads.db');
    const store = new ThreadStore(path, () => 100, 100);
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
});
