import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFakeUpstream, type FakeReply, type FakeUpstream, type RecordedCall } from '../fakes/upstream.js';
import { startProxy, type RunningProxy } from '../helpers/proxy.js';
import { createLogger } from '../../src/util/log.js';

/** Several fake upstream credentials (one fake server, told apart by their API key). */
const KEYS = ['sk-cred-a-0000001', 'sk-cred-b-0000002', 'sk-cred-c-0000003'];
const keyOf = (call: RecordedCall) => String(call.headers.authorization ?? '').replace('Bearer ', '');
const letter = (call: RecordedCall) => 'abc'[KEYS.indexOf(keyOf(call))]!;

let fake: FakeUpstream;
let script: (call: RecordedCall, cred: string) => FakeReply | undefined;
const logLines: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  fake = await startFakeUpstream((call) => script(call, letter(call)) ?? { kind: 'answer', answer: { text: `hello from ${letter(call)}` } });
});
afterAll(() => fake?.close());

let proxy: RunningProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  fake.calls.length = 0;
  script = () => undefined;
});
script = () => undefined;

async function start(extra: Record<string, unknown> = {}): Promise<RunningProxy> {
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n')) if (line.trim()) logLines.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  proxy = await startProxy(
    {
      'openai-compatibility': [
        { name: 'pool', 'base-url': `${fake.url}/v1`, 'api-key-entries': KEYS.map((k) => ({ 'api-key': k })), models: [{ name: 'up-model', alias: 'pooled' }] },
      ],
      ...extra,
      // These tests tell the credentials apart by the header that names them (off by default).
      routing: { 'credential-header': true, ...(extra.routing as Record<string, unknown> | undefined) },
    },
    createLogger({ destination: sink }),
  );
  return proxy;
}

const chat = (p: RunningProxy, opts: { stream?: boolean; headers?: Record<string, string>; body?: Record<string, unknown> } = {}) =>
  fetch(`${p.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...opts.headers },
    body: JSON.stringify({ model: 'pooled', stream: opts.stream ?? false, messages: [{ role: 'user', content: 'hi' }], ...opts.body }),
  });

const textOf = async (r: Response) => ((await r.json()) as any).choices[0].message.content as string;
const sseData = (raw: string) =>
  raw
    .split('\n\n')
    .filter((b) => b.startsWith('data: '))
    .map((b) => b.slice(6));
const streamedText = (raw: string) =>
  sseData(raw)
    .filter((d) => d !== '[DONE]')
    .map((d) => JSON.parse(d) as any)
    .map((c) => c.choices?.[0]?.delta?.content ?? '')
    .join('');

describe('credential pool over HTTP', () => {
  it('round-robin spreads requests evenly and every answer names its credential', async () => {
    const p = await start();
    const labels: string[] = [];
    for (let i = 0; i < 30; i++) {
      const r = await chat(p);
      expect(r.status).toBe(200);
      labels.push(r.headers.get('x-cliproxy-credential')!);
      await r.text();
    }
    const per = labels.reduce<Record<string, number>>((a, l) => ((a[l] = (a[l] ?? 0) + 1), a), {});
    expect(Object.values(per)).toEqual([10, 10, 10]);
    // Labels identify without revealing the key.
    for (const l of Object.keys(per)) for (const k of KEYS) expect(l).not.toContain(k);
  });

  it('answers do not name their credential unless routing.credential-header is on (an OAuth label is an email)', async () => {
    const p = await start({ routing: { 'credential-header': false }, streaming: { 'keepalive-seconds': 0.1 } });
    const r = await chat(p);
    expect(r.status).toBe(200);
    expect(r.headers.get('x-cliproxy-credential')).toBeNull();
    await r.text();
    const s = await chat(p, { stream: true });
    expect(s.headers.get('x-cliproxy-credential')).toBeNull();
    await s.text();
    // Nor in the comment that carries it once a keep-alive has sent the headers.
    script = () => ({ kind: 'silent-then-answer', silenceMs: 300, answer: { text: 'late answer' } });
    const late = await (await chat(p, { stream: true })).text();
    expect(late.startsWith(': keep-alive')).toBe(true);
    expect(streamedText(late)).toBe('late answer');
    expect(late).not.toContain('x-cliproxy-credential');
    // A failure names none either.
    script = () => ({ kind: 'error', status: 400, body: { error: { message: 'bad request here', type: 'invalid_request_error' } } });
    const failed = await chat(p);
    expect(failed.status).toBe(400);
    expect(failed.headers.get('x-cliproxy-credential')).toBeNull();
  });

  it('a 429 on one credential is served by another without the caller noticing', async () => {
    const p = await start({ routing: { strategy: 'fill-first' } });
    script = (_c, cred) => (cred === 'a' ? { kind: 'error', status: 429, body: { error: { message: 'rate limited', type: 'rate_limit_error' } }, headers: { 'retry-after': '30' } } : undefined);
    const r = await chat(p);
    expect(r.status).toBe(200);
    expect(await textOf(r)).toBe('hello from b');
    expect(fake.calls.map(letter)).toEqual(['a', 'b']);
    expect(r.headers.get('x-cliproxy-credential')).toContain('pool-2');
  });

  it('Retry-After is respected: the credential is not used again until it passes', async () => {
    const p = await start();
    script = (_c, cred) => (cred === 'a' ? { kind: 'error', status: 429, body: { error: { message: 'slow down' } }, headers: { 'retry-after': '30' } } : undefined);
    const t0 = Date.now();
    for (let i = 0; i < 9; i++) expect((await chat(p)).status).toBe(200);
    expect(fake.calls.filter((c) => letter(c) === 'a').length).toBe(1);
    const cooling = p.app.router.cooldowns.entries(Date.now());
    expect(cooling.length).toBe(1);
    expect(cooling[0]!.state.until - t0).toBeGreaterThanOrEqual(29_000);
    expect(cooling[0]!.state.until - Date.now()).toBeLessThanOrEqual(30_000);
  });

  it('a 400 is tried exactly once, returned as is, and cools nothing', async () => {
    const p = await start();
    script = () => ({ kind: 'error', status: 400, body: { error: { message: "Invalid value for 'temperature'", type: 'invalid_request_error' } } });
    const r = await chat(p);
    expect(r.status).toBe(400);
    expect(((await r.json()) as any).error.message).toContain('temperature');
    expect(fake.calls.length).toBe(1);
    expect(p.app.router.cooldowns.entries(Date.now())).toEqual([]);
  });

  it('when every credential cools, the caller gets 429 with Retry-After in its own error shape', async () => {
    const p = await start();
    script = () => ({ kind: 'error', status: 429, body: { error: { message: 'quota' } }, headers: { 'retry-after': '20' } });
    const first = await chat(p);
    expect(first.status).toBe(429);
    expect(fake.calls.length).toBe(3);
    const r = await chat(p);
    expect(r.status).toBe(429);
    expect(fake.calls.length).toBe(3); // nothing sent upstream while all cool
    const secs = Number(r.headers.get('retry-after'));
    expect(secs).toBeGreaterThanOrEqual(19);
    expect(secs).toBeLessThanOrEqual(20);
    const body = (await r.json()) as any;
    expect(body.error.message).toMatch(/cooling down; retry after \d+s \(at \d{4}-/);
    expect(body.error.code).toBe('model_cooldown');

    const a = await fetch(`${p.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'pooled', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(a.status).toBe(429);
    expect(a.headers.get('retry-after')).toBeTruthy();
    expect(((await a.json()) as any).type).toBe('error');
  });

  it('an unknown model is a 404 naming the model', async () => {
    const p = await start();
    const r = await chat(p, { body: { model: 'no-such-model' } });
    expect(r.status).toBe(404);
    expect(((await r.json()) as any).error.message).toContain('no-such-model');
  });

  it('an empty stream fails over to the next credential', async () => {
    const p = await start({ routing: { strategy: 'fill-first' } });
    script = (_c, cred) => (cred === 'a' ? { kind: 'raw', status: 200, headers: { 'content-type': 'text/event-stream' }, body: '' } : undefined);
    const r = await chat(p, { stream: true });
    expect(streamedText(await r.text())).toBe('hello from b');
  });

  it('a reset mid-stream after the first byte ends the stream with an error event and no duplicate output', async () => {
    const p = await start({ routing: { strategy: 'fill-first' } });
    script = (_c, cred) => (cred === 'a' ? { kind: 'reset-mid-stream', answer: { text: 'partial answer here', chunks: 3 }, afterEvents: 2 } : undefined);
    const r = await chat(p, { stream: true });
    expect(r.status).toBe(200);
    const raw = await r.text();
    const data = sseData(raw);
    expect(fake.calls.length).toBe(1); // committed: no failover after the first byte
    const last = JSON.parse(data[data.length - 1]!) as any;
    expect(last.error.message).toMatch(/upstream stream failed/);
    expect(streamedText(raw.replace(/data: \{"error".*\n\n/, ''))).toBe('partial');
    expect(raw).not.toContain('[DONE]');
    // The failure still counts against the credential.
    expect(p.app.router.cooldowns.entries(Date.now()).map((e) => e.state.reason)).toEqual(['transport']);
  });

  it('a non-streaming answer cut off after its headers fails over, counts against the credential, and is a 502 when nothing else serves', async () => {
    // An upstream that announces 500 bytes of JSON, sends 20, then drops the connection.
    const broken = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
        res.write('{"id":"chatcmpl-cut",');
        setTimeout(() => res.socket?.destroy(), 20);
      });
    });
    await new Promise<void>((r) => broken.listen(0, '127.0.0.1', () => r()));
    const brokenUrl = `http://127.0.0.1:${(broken.address() as AddressInfo).port}/v1`;
    try {
      const p = await start({
        routing: { strategy: 'fill-first' },
        'openai-compatibility': [
          { name: 'cut', 'base-url': brokenUrl, 'api-key-entries': [{ 'api-key': 'sk-cut-0000001' }], models: [{ name: 'up-model', alias: 'pooled' }, { name: 'up-model', alias: 'only-cut' }] },
          { name: 'pool', 'base-url': `${fake.url}/v1`, 'api-key-entries': [{ 'api-key': KEYS[0]! }], models: [{ name: 'up-model', alias: 'pooled' }] },
        ],
      });
      const r = await chat(p);
      expect(r.status).toBe(200);
      expect(await textOf(r)).toBe('hello from a');
      expect(p.app.router.cooldowns.entries(Date.now()).map((e) => e.state.reason)).toEqual(['transport']);

      const only = await chat(p, { body: { model: 'only-cut' } });
      expect(only.status).toBe(502);
      const err = (await only.json()) as { error: { message: string } };
      expect(err.error.message).toContain('upstream body failed');
    } finally {
      await new Promise((r) => broken.close(r));
    }
  });

  it('a reset mid-stream on a translated stream (Anthropic caller, OpenAI upstream) ends with an Anthropic error event', async () => {
    const p = await start({ routing: { strategy: 'fill-first' } });
    script = () => ({ kind: 'reset-mid-stream', answer: { text: 'partial answer here', chunks: 3 }, afterEvents: 2 });
    const r = await fetch(`${p.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'pooled', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    const raw = await r.text();
    expect(fake.calls.length).toBe(1);
    const events = raw.split('\n\n').filter(Boolean);
    const errorAt = events.findIndex((e) => e.startsWith('event: error'));
    expect(errorAt).toBeGreaterThan(0);
    expect(raw.match(/partial/g)?.length).toBe(1);
    expect(events.slice(errorAt + 1).some((e) => e.includes('message_stop'))).toBe(false);
  });

  it('sends SSE keep-alive comments while the upstream is silent, before and after the first event', async () => {
    const p = await start({ streaming: { 'keepalive-seconds': 0.1 } });
    script = () => ({ kind: 'silent-then-answer', silenceMs: 450, answer: { text: 'late answer' } });
    const r = await chat(p, { stream: true });
    expect(r.status).toBe(200);
    const raw = await r.text();
    expect(raw.startsWith(': keep-alive')).toBe(true);
    expect(streamedText(raw)).toBe('late answer');
    // Headers were committed by the keep-alive; the credential label follows as a comment.
    expect(raw).toContain(': x-cliproxy-credential: pool-');

    script = () => ({ kind: 'answer', answer: { text: 'slow drip', chunks: 2 }, eventDelayMs: 200 });
    const raw2 = await (await chat(p, { stream: true })).text();
    const afterFirst = raw2.slice(raw2.indexOf('data: '));
    expect(afterFirst).toContain(': keep-alive');
    expect(streamedText(raw2)).toBe('slow drip');
  });

  it('a first-byte timeout before anything was sent moves to the next credential', async () => {
    const p = await start({ routing: { strategy: 'fill-first' }, streaming: { 'first-byte-timeout-seconds': 0.3 } });
    script = (_c, cred) => (cred === 'a' ? { kind: 'silent-then-answer', silenceMs: 3000, answer: { text: 'too late' } } : undefined);
    const r = await chat(p, { stream: true });
    const raw = await r.text();
    expect(streamedText(raw)).toBe('hello from b');
    expect(raw).not.toContain('too late');
    expect(p.app.router.cooldowns.entries(Date.now()).map((e) => e.state.reason)).toEqual(['transport']);
  });

  it('an idle timeout ends a stuck stream with an error event', async () => {
    const p = await start({ streaming: { 'idle-timeout-seconds': 0.3 } });
    script = () => ({ kind: 'answer', answer: { text: 'stuck stream', chunks: 2 }, eventDelayMs: 2000 });
    const t0 = Date.now();
    const raw = await (await chat(p, { stream: true })).text();
    expect(Date.now() - t0).toBeLessThan(1800);
    const data = sseData(raw);
    expect(JSON.parse(data[data.length - 1]!).error.message).toMatch(/idle timeout/);
  });

  it('non-stream answers can be preceded by whitespace keep-alives and still parse', async () => {
    const p = await start({ 'nonstream-keepalive-interval': 0.1 });
    script = () => ({ kind: 'answer', answer: { text: 'slow json' }, delayMs: 450 });
    const r = await chat(p);
    expect(r.status).toBe(200);
    const raw = await r.text();
    expect(raw.startsWith('\n')).toBe(true);
    expect((JSON.parse(raw) as any).choices[0].message.content).toBe('slow json');
    // A quick answer is not touched.
    script = () => undefined;
    const quick = await chat(p);
    expect((await quick.text()).startsWith('{')).toBe(true);
    expect(quick.headers.get('x-cliproxy-credential')).toBeTruthy();
  });

  it('session affinity keeps a conversation on one credential (X-Session-ID, Claude Code metadata.user_id)', async () => {
    const p = await start({ routing: { 'session-affinity': true } });
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) seen.add((await chat(p, { headers: { 'x-session-id': 'conv-1' } })).headers.get('x-cliproxy-credential')!);
    expect(seen.size).toBe(1);
    const seenCc = new Set<string>();
    const userId = JSON.stringify({ device_id: 'd', account_uuid: 'a', session_id: '0b7c6a3e-1111-2222-3333-444455556666' });
    for (let i = 0; i < 4; i++) seenCc.add((await chat(p, { body: { metadata: { user_id: userId } } })).headers.get('x-cliproxy-credential')!);
    expect(seenCc.size).toBe(1);
  });

  it('payload rules change the upstream body by model and protocol', async () => {
    const p = await start({
      payload: {
        default: [{ models: [{ name: 'pooled' }], params: { 'temperature': 0.5, 'metadata.tag': 'x' } }],
        override: [{ models: [{ name: 'up-*', protocol: 'openai' }], params: { max_tokens: 77 } }],
        filter: [{ models: [{ name: '*' }], params: ['top_p'] }],
      },
    });
    await (await chat(p, { body: { temperature: 0.1, top_p: 0.9, max_tokens: 5 } })).text();
    const sent = fake.calls[0]!.body;
    expect(sent.temperature).toBe(0.1);
    expect(sent.metadata).toEqual({ tag: 'x' });
    expect(sent.max_tokens).toBe(77);
    expect(sent.top_p).toBeUndefined();
  });

  it('logs model, credential label, attempts, status and latency for each request', async () => {
    const p = await start({ routing: { strategy: 'fill-first' } });
    script = (_c, cred) => (cred === 'a' ? { kind: 'error', status: 503, body: { error: { message: 'down' } } } : undefined);
    await (await chat(p)).text();
    await new Promise((r) => setTimeout(r, 50)); // pino writes asynchronously
    const line = logLines.filter((l) => l.msg === 'model call').pop()!;
    expect(line).toMatchObject({ model: 'pooled', attempts: 2, status: 200 });
    expect(String(line.credential)).toContain('pool-2');
    expect(typeof line.ms).toBe('number');
    expect(JSON.stringify(logLines)).not.toContain(KEYS[1]);
  });
});
