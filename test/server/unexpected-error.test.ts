import { afterEach, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream.js';
import { startProxy, type RunningProxy } from '../helpers/proxy.js';
import { createLogger } from '../../src/util/log.js';

// A bug inside cliproxy must end the request with a 500 and a log line, never leave the caller hanging or take
// the server down; the error's text stays in the log.
let fake: FakeUpstream | undefined;
let proxy: RunningProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await fake?.close();
  proxy = fake = undefined;
});

async function start(lines: Array<Record<string, unknown>>): Promise<RunningProxy> {
  fake = await startFakeUpstream(() => ({ kind: 'answer', answer: { text: 'fine' } }));
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  proxy = await startProxy(
    { 'openai-compatibility': [{ name: 'c', 'base-url': `${fake.url}/v1`, 'api-key-entries': [{ 'api-key': 'sk-up-secret-1' }], models: [{ name: 'up', alias: 'm' }] }] },
    createLogger({ destination: sink }),
  );
  return proxy;
}

const chat = (p: RunningProxy) =>
  fetch(`${p.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }) });

describe('an unexpected failure inside a model call', () => {
  it('answers 500, logs the error, and the server keeps serving', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const p = await start(lines);
    const run = p.app.router.run.bind(p.app.router);
    p.app.router.run = () => Promise.reject(new Error('router exploded (test)'));
    const r = await chat(p);
    expect(r.status).toBe(500);
    const body = (await r.json()) as { error: { message: string } };
    expect(body.error.message).toBe('internal error in cliproxy');
    expect(JSON.stringify(body)).not.toContain('exploded');
    const logged = lines.find((l) => l.msg === 'unhandled error in request');
    expect(logged?.err).toBe('router exploded (test)');
    expect(logged?.path).toBe('/v1/chat/completions');

    p.app.router.run = () => {
      throw new Error('router threw (test)');
    };
    const r2 = await chat(p);
    expect(r2.status).toBe(500);
    expect(lines.some((l) => l.err === 'router threw (test)')).toBe(true);

    // In the caller's own error shape.
    const anthropic = await fetch(`${p.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(anthropic.status).toBe(500);
    expect(await anthropic.json()).toMatchObject({ type: 'error', error: { message: 'internal error in cliproxy' } });
    const gemini = await fetch(`${p.url}/v1beta/models/m:generateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
    });
    expect(gemini.status).toBe(500);
    expect(await gemini.json()).toMatchObject({ error: { code: 500, message: 'internal error in cliproxy' } });

    p.app.router.run = run;
    const ok = await chat(p);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as any).choices[0].message.content).toBe('fine');
  });
});
