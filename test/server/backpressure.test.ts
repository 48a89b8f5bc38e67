import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startProxy, type RunningProxy } from '../helpers/proxy.js';

// An OpenAI-compatible upstream that streams EVENTS large events (about 20 MB) as fast as its socket takes them.
// If the proxy kept reading while its caller does not, the whole stream would pile up in the proxy's memory and
// the upstream would finish while the caller is still paused; with backpressure it cannot.
const EVENTS = 10_000;
const PAD = 'x'.repeat(2000);
let upstreamFinished = false;
let upstream: Server;
let proxy: RunningProxy;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let i = 0;
      const chunk = (n: number) => `data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"up","choices":[{"index":0,"delta":{"content":"${n}:${PAD};"},"finish_reason":null}]}\n\n`;
      const pump = () => {
        while (i < EVENTS) {
          if (i === 0) res.write('data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"up","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}\n\n');
          if (!res.write(chunk(i++))) {
            res.once('drain', pump);
            return;
          }
        }
        upstreamFinished = true;
        res.end('data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"up","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n');
      };
      pump();
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  proxy = await startProxy({
    'openai-compatibility': [{ name: 'up', 'base-url': `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`, models: [{ name: 'up', alias: 'big' }] }],
  });
});

afterAll(async () => {
  await proxy.close();
  upstream.close();
});

/**
 * POST a streaming call, stop reading for `pauseMs` after the first bytes, then read everything. Resolves with
 * the text and whether the upstream had already sent its whole stream shortly before the caller resumed.
 */
function slowRead(path: string, body: unknown, pauseMs: number): Promise<{ text: string; finishedWhilePaused: boolean }> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, proxy.url);
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' } }, (res) => {
      const parts: Buffer[] = [];
      let paused = false;
      let finishedWhilePaused = false;
      res.on('data', (c: Buffer) => {
        parts.push(c);
        if (!paused) {
          paused = true;
          res.pause();
          setTimeout(() => {
            finishedWhilePaused = upstreamFinished;
            res.resume();
          }, pauseMs);
        }
      });
      res.on('end', () => resolve({ text: Buffer.concat(parts).toString('utf8'), finishedWhilePaused }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('a slow caller pauses the upstream instead of buffering the stream', () => {
  it('pass-through: every event arrives, in order, and the upstream waits for the caller', async () => {
    upstreamFinished = false;
    const { text, finishedWhilePaused } = await slowRead('/v1/chat/completions', { model: 'big', stream: true, messages: [{ role: 'user', content: 'x' }] }, 1000);
    expect(finishedWhilePaused).toBe(false);
    const contents = [...text.matchAll(/"content":"(\d+):x+;"/g)].map((m) => Number(m[1]));
    expect(contents).toEqual(Array.from({ length: EVENTS }, (_, i) => i));
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(text).toContain('"model":"big"');
  });

  it('translated (Anthropic caller): every delta arrives, in order, and the upstream waits for the caller', async () => {
    upstreamFinished = false;
    const { text, finishedWhilePaused } = await slowRead('/v1/messages', { model: 'big', stream: true, max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }, 1000);
    expect(finishedWhilePaused).toBe(false);
    const deltas = [...text.matchAll(/"text":"(\d+):x+;"/g)].map((m) => Number(m[1]));
    expect(deltas).toEqual(Array.from({ length: EVENTS }, (_, i) => i));
    expect(text).toContain('event: message_stop');
  });
});
