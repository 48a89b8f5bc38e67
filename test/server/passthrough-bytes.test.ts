import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startProxy, type RunningProxy } from '../helpers/proxy.js';

// A non-stream same-format answer travels as bytes: only the model name is edited. Non-ASCII text in the answer,
// in the upstream's model name and in the caller's alias must come out exactly as UTF-8, with a matching length.
let upstream: Server;
let proxy: RunningProxy;
let answer: (model: string) => string;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const body = answer((JSON.parse(raw) as { model: string }).model);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  proxy = await startProxy({
    'openai-compatibility': [{ name: 'u', 'base-url': `${url}/v1`, models: [{ name: 'up-ü', alias: 'modèle-é' }, { name: 'plain-up', alias: 'plain' }] }],
  });
});
afterAll(async () => {
  await proxy?.close();
  await new Promise((r) => upstream?.close(r));
});

const call = (model: string) =>
  fetch(`${proxy.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'x' }] }),
  });

describe('non-stream pass-through bytes', () => {
  it('keeps non-ASCII content byte for byte and restores a non-ASCII alias', async () => {
    answer = (model) => `{"id":"c1","object":"chat.completion","model":${JSON.stringify(model)},"choices":[{"index":0,"message":{"role":"assistant","content":"héllo 日本 🎉 \\u00e9"},"finish_reason":"stop"}]}`;
    const r = await call('modèle-é');
    expect(r.status).toBe(200);
    const bytes = Buffer.from(await r.arrayBuffer());
    expect(Number(r.headers.get('content-length'))).toBe(bytes.length);
    const expected = Buffer.from(answer('modèle-é'), 'utf8');
    expect(bytes.equals(expected)).toBe(true);
    expect((JSON.parse(bytes.toString('utf8')) as { model: string; choices: Array<{ message: { content: string } }> }).choices[0]!.message.content).toBe('héllo 日本 🎉 é');
  });

  it('an ASCII alias over an upstream answer that already names it leaves the body untouched', async () => {
    answer = () => '{"model":"plain","note":"ünïcödé"}';
    const r = await call('plain');
    expect(Buffer.from(await r.arrayBuffer()).equals(Buffer.from('{"model":"plain","note":"ünïcödé"}', 'utf8'))).toBe(true);
  });
});
