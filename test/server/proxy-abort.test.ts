import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream.js';
import { startHttpProxy, startSocks5Proxy, type FakeProxy } from '../fakes/proxies.js';
import { startProxy } from '../helpers/proxy.js';

let fake: FakeUpstream;
let httpProxy: FakeProxy;
let socks: FakeProxy;

beforeAll(async () => {
  fake = await startFakeUpstream();
  httpProxy = await startHttpProxy();
  socks = await startSocks5Proxy({ user: 'u', pass: 'p w' });
});
afterAll(async () => {
  await fake?.close();
  await httpProxy?.close();
  await socks?.close();
});

const chat = (url: string, model: string, stream = false) =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'x' }] }),
  });

describe('outbound proxies', () => {
  it('global http proxy-url carries upstream calls; per-entry "direct" bypasses it; per-entry socks5 overrides it', async () => {
    const upstreamHost = new URL(fake.url).host;
    const proxy = await startProxy({
      'proxy-url': httpProxy.url,
      'openai-compatibility': [
        { name: 'via-global', 'base-url': `${fake.url}/v1`, models: [{ name: 'm', alias: 'via-global' }] },
        { name: 'direct', 'base-url': `${fake.url}/v1`, 'api-key-entries': [{ 'api-key': 'k', 'proxy-url': 'direct' }], models: [{ name: 'm', alias: 'via-direct' }] },
        { name: 'socks', 'base-url': `${fake.url}/v1`, 'api-key-entries': [{ 'api-key': 'k2', 'proxy-url': socks.url.replace('p w', 'p%20w') }], models: [{ name: 'm', alias: 'via-socks' }] },
      ],
    });
    try {
      expect((await chat(proxy.url, 'via-global')).status).toBe(200);
      expect(httpProxy.targets).toContain(upstreamHost);
      const before = httpProxy.targets.length;
      expect((await chat(proxy.url, 'via-direct')).status).toBe(200);
      expect(httpProxy.targets.length).toBe(before);
      const r = await chat(proxy.url, 'via-socks', true);
      expect(r.status).toBe(200);
      expect(await r.text()).toContain('[DONE]');
      expect(socks.targets).toContain(upstreamHost);
      expect(httpProxy.targets.length).toBe(before);
    } finally {
      await proxy.close();
    }
  });

  it('an invalid proxy-url fails the call with 502, not a crash', async () => {
    const proxy = await startProxy({ 'openai-compatibility': [{ name: 'bad', 'base-url': `${fake.url}/v1`, 'api-key-entries': [{ 'api-key': 'k', 'proxy-url': 'ftp://nope' }], models: [{ name: 'm', alias: 'bad' }] }] });
    try {
      const r = await chat(proxy.url, 'bad');
      expect(r.status).toBe(502);
      expect(((await r.json()) as any).error.message).toContain('unsupported proxy scheme');
    } finally {
      await proxy.close();
    }
  });
});

describe('client disconnect', () => {
  it('aborts the upstream request when the caller goes away mid-stream', async () => {
    fake.reply = () => ({ kind: 'answer', answer: { text: 'x'.repeat(50), chunks: 50 }, eventDelayMs: 50 });
    const proxy = await startProxy({ 'openai-compatibility': [{ name: 'up', 'base-url': `${fake.url}/v1`, models: [{ name: 'm', alias: 'slow' }] }] });
    try {
      const controller = new AbortController();
      const r = await fetch(`${proxy.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'slow', stream: true, messages: [{ role: 'user', content: 'x' }] }),
        signal: controller.signal,
      });
      const reader = r.body!.getReader();
      await reader.read();
      controller.abort();
      const call = fake.calls[fake.calls.length - 1]!;
      const start = Date.now();
      while (!call.aborted && Date.now() - start < 2000) await new Promise((res) => setTimeout(res, 20));
      expect(call.aborted).toBe(true);
    } finally {
      fake.reply = () => ({ kind: 'answer', answer: { text: 'ok' } });
      await proxy.close();
    }
  });

  it('streams each upstream event to the caller as soon as it arrives', async () => {
    fake.reply = () => ({ kind: 'answer', answer: { text: 'abc', chunks: 3 }, eventDelayMs: 150 });
    const proxy = await startProxy({ 'openai-compatibility': [{ name: 'up', 'base-url': `${fake.url}/v1`, models: [{ name: 'm', alias: 'paced' }] }] });
    try {
      const r = await fetch(`${proxy.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'paced', stream: true, messages: [{ role: 'user', content: 'x' }] }),
      });
      const reader = r.body!.getReader();
      const decoder = new TextDecoder();
      const arrivals: string[] = [];
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        arrivals.push(decoder.decode(value));
      }
      // Paced upstream events must not be coalesced into one write: several separate reads arrive.
      expect(arrivals.filter((a) => a.includes('"content"')).length).toBeGreaterThanOrEqual(3);
    } finally {
      fake.reply = () => ({ kind: 'answer', answer: { text: 'ok' } });
      await proxy.close();
    }
  });
});
