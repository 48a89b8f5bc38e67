import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { loadConfigFile } from '../../src/config/load.js';
import { ConfigHolder } from '../../src/config/watch.js';
import { App } from '../../src/app.js';
import { createServer } from '../../src/server/http.js';
import { silentLogger } from '../../src/util/log.js';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream.js';

let fake: FakeUpstream;
let dir: string;
let file: string;
let holder: ConfigHolder;
let url: string;
let close: () => Promise<void>;

const yaml = (keys: string[], alias: string) => `
port: 0
auth-dir: ${join(tmpdir(), 'cliproxy-none')}
api-keys: [${keys.map((k) => JSON.stringify(k)).join(', ')}]
openai-compatibility:
  - name: up
    base-url: ${fake.url}/v1
    models: [{ name: m-up, alias: ${alias} }]
`;

function writeAtomically(text: string): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

async function until(cond: () => Promise<boolean>, ms: number): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < ms) {
    if (await cond()) return Date.now() - start;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`condition not met within ${ms} ms`);
}

beforeAll(async () => {
  fake = await startFakeUpstream();
  dir = mkdtempSync(join(tmpdir(), 'cliproxy-reload-'));
  file = join(dir, 'config.yaml');
  writeFileSync(file, yaml(['key-a'], 'model-one'));
  const loaded = await loadConfigFile(file);
  holder = new ConfigHolder(loaded.config, loaded.path, loaded.text, silentLogger());
  const app = new App(holder, silentLogger());
  const server = createServer(app);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  holder.start();
  close = async () => {
    holder.stop();
    server.closeAllConnections();
    server.close();
  };
});
afterAll(async () => {
  await close?.();
  await fake?.close();
});

const models = async (key: string) => {
  const r = await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
  if (r.status !== 200) return [] as string[];
  return ((await r.json()) as any).data.map((m: any) => m.id) as string[];
};

describe('hot reload', () => {
  it('applies new api-keys and models within 1 s of saving, without dropping an in-flight stream', async () => {
    fake.reply = () => ({ kind: 'answer', answer: { text: 'abcdefghij', chunks: 10 }, eventDelayMs: 60 });
    const streaming = fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer key-a', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'model-one', stream: true, messages: [{ role: 'user', content: 'x' }] }),
    });
    const res = await streaming;
    expect(res.status).toBe(200);
    writeAtomically(yaml(['key-b'], 'model-two'));
    const took = await until(async () => (await models('key-b')).includes('model-two'), 1000);
    expect(took).toBeLessThan(1000);
    expect(await models('key-a')).toEqual([]);
    const body = await res.text();
    const text = body
      .split('\n')
      .filter((l) => l.startsWith('data: {'))
      .map((l) => JSON.parse(l.slice(6)).choices[0]?.delta?.content ?? '')
      .join('');
    expect(text).toBe('abcdefghij');
    expect(body).toContain('data: [DONE]');
    fake.reply = () => ({ kind: 'answer', answer: { text: 'ok' } });
  });

  it('a broken edit keeps the last good config', async () => {
    writeAtomically('port: [oops\n');
    await new Promise((r) => setTimeout(r, 400));
    expect(await models('key-b')).toContain('model-two');
    writeAtomically('port: "not a number"\n');
    await new Promise((r) => setTimeout(r, 400));
    expect(await models('key-b')).toContain('model-two');
    writeAtomically(yaml(['key-c'], 'model-three'));
    await until(async () => (await models('key-c')).includes('model-three'), 1000);
  });
});
