import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { startProxy, type RunningProxy } from '../helpers/proxy.js';

// Same-format answers travel as bytes (non-stream) or byte views (streams): only model names are edited.
// Non-ASCII text in the answer, in the upstream's model name and in the caller's alias must come out exactly as
// UTF-8, with a matching length.
let upstream: Server;
let proxy: RunningProxy;
let answer: (model: string) => string;
let events: (model: string) => string[];
/** Non-stream answers: the status and a content-encoding to compress with. */
let reply: { status: number; encoding?: 'gzip' | 'br' } = { status: 200 };

beforeAll(async () => {
  upstream = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const req = JSON.parse(raw) as { model: string; stream?: boolean };
      if (req.stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        // One write per event, and one event split mid-character across two writes.
        for (const ev of events(req.model)) {
          const bytes = Buffer.from(ev, 'utf8');
          const cut = bytes.indexOf(0xc3);
          if (cut > 0) {
            res.write(bytes.subarray(0, cut + 1));
            res.write(bytes.subarray(cut + 1));
          } else res.write(bytes);
        }
        res.end();
        return;
      }
      const body = Buffer.from(answer(req.model), 'utf8');
      const { status, encoding } = reply;
      if (!encoding) {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(body);
        return;
      }
      res.writeHead(status, { 'content-type': 'application/json', 'content-encoding': encoding });
      res.end(encoding === 'gzip' ? gzipSync(body) : brotliCompressSync(body));
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

const call = (model: string, stream = false) =>
  fetch(`${proxy.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'x' }] }),
  });

const chunk = (model: string, content: string) => `data: {"id":"c1","object":"chat.completion.chunk","model":${JSON.stringify(model)},"choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}},"finish_reason":null}]}\n\n`;

describe('same-format pass-through bytes', () => {
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

  it('streams non-ASCII deltas intact (a character split across upstream writes included) under a non-ASCII alias', async () => {
    const parts = ['héllo ', '日本 ', '🎉', ' çà'];
    events = (model) => [...parts.map((p) => chunk(model, p)), 'data: [DONE]\n\n'];
    const r = await call('modèle-é', true);
    expect(r.status).toBe(200);
    const text = Buffer.from(await r.arrayBuffer()).toString('utf8');
    expect(text).not.toContain('\ufffd');
    const datas = text.split('\n').filter((l) => l.startsWith('data: ') && l !== 'data: [DONE]').map((l) => JSON.parse(l.slice(6)) as { model: string; choices: Array<{ delta: { content: string } }> });
    expect(datas.map((d) => d.model)).toEqual(parts.map(() => 'modèle-é'));
    expect(datas.map((d) => d.choices[0]!.delta.content).join('')).toBe(parts.join(''));
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });

  it('an upstream error as the first event reaches the caller with its non-ASCII message intact', async () => {
    events = () => ['data: {"error":{"message":"Überlastet – bitte später","type":"overloaded_error","code":"overloaded"}}\n\n'];
    const r = await call('modèle-é', true);
    expect(r.status).toBeGreaterThanOrEqual(500);
    expect(JSON.stringify(await r.json())).toContain('Überlastet – bitte später');
  });

  it('a compressed non-stream answer (gzip, br) reaches the caller decoded, and a compressed error keeps its message', async () => {
    answer = (model) => `{"id":"c1","object":"chat.completion","model":${JSON.stringify(model)},"choices":[{"index":0,"message":{"role":"assistant","content":"gepackt: héllo 日本"},"finish_reason":"stop"}]}`;
    try {
      for (const encoding of ['gzip', 'br'] as const) {
        reply = { status: 200, encoding };
        const r = await call('modèle-é');
        expect(r.status).toBe(200);
        const bytes = Buffer.from(await r.arrayBuffer());
        expect(bytes.equals(Buffer.from(answer('modèle-é'), 'utf8'))).toBe(true);
      }
      answer = () => '{"error":{"message":"Kontingent erschöpft","type":"invalid_request_error"}}';
      reply = { status: 400, encoding: 'gzip' };
      const r = await call('plain');
      expect(r.status).toBe(400);
      expect(((await r.json()) as { error: { message: string } }).error.message).toBe('Kontingent erschöpft');
    } finally {
      reply = { status: 200 };
    }
  });
});
