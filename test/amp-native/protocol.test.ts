import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream.js';
import { startProxy, type RunningProxy } from '../helpers/proxy.js';
import { newMessageId } from '../../src/amp/native/ids.js';
import { ThreadClient } from './ws-client.js';

const KEY = 'native-proto-key';
const READ_TOOL = { name: 'Read', description: 'Read a file', inputSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] }, source: 'builtin' };

async function createThread(base: string, key = KEY): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}/api/thread-actors`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ executorType: 'local-client', agentMode: 'medium', features: [], threadMeta: {} }),
  });
  return { status: res.status, body: await res.json().catch(() => undefined) };
}

async function internal(base: string, method: string, params: Record<string, unknown>, key = KEY): Promise<any> {
  const res = await fetch(`${base}/api/internal?${method}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ method, params }) });
  return { status: res.status, body: await res.json() };
}

/** Executor bootstrap as the CLI does it; `tools: false` stops before tool registration. */
async function bootstrap(c: ThreadClient, opts: { tools?: boolean } = {}): Promise<void> {
  await c.request('executor_connect', { clientId: 'c1', handshakeSeq: 0, capabilities: { workingDirectory: 'file:///w' }, executorType: 'local-client' });
  await c.event('executor_connected');
  await c.request('client_resume', { version: 0 });
  await c.request('executor_environment_snapshot', { environment: { workingDirectory: 'file:///w', rootDirectoryListing: 'a.txt\nb/' } });
  await c.request('executor_guidance_snapshot', { snapshotId: 's1', files: [{ uri: 'file:///w/AGENTS.md', content: 'Always answer in haiku.' }], isLast: true });
  if (opts.tools === false) return;
  await c.request('executor_tools_register', { tools: [READ_TOOL] });
  await c.request('executor_tools_bootstrap_complete', { ok: true });
}

describe('native Amp thread socket (protocol level)', () => {
  let fake: FakeUpstream;
  let proxy: RunningProxy;

  beforeAll(async () => {
    fake = await startFakeUpstream();
    const db = join(await mkdtemp(join(tmpdir(), 'cliproxy-amp-proto-')), 't.db');
    proxy = await startProxy({
      'api-keys': [KEY, 'other-key'],
      'claude-api-key': [{ 'api-key': 'sk-ant-fake', 'base-url': fake.url, models: [{ name: 'claude-up', alias: 'claude-sonnet-4-5-20250929' }] }],
      ampcode: { 'threads-db': db },
    });
  });
  afterAll(async () => {
    await proxy?.close();
    await fake?.close();
  });

  it('thread-actors requires one of our api-keys and issues a T- id and a token', async () => {
    expect((await createThread(proxy.url, 'wrong-key')).status).toBe(401);
    const { status, body } = await createThread(proxy.url);
    expect(status).toBe(200);
    expect(body.threadId).toMatch(/^T-[0-9a-f-]{36}$/);
    expect(body.wsToken.length).toBeGreaterThanOrEqual(32);
    expect(body.threadVersion).toBe(0);
  });

  it('refuses a socket with a wrong, missing or other-thread token', async () => {
    const a = (await createThread(proxy.url)).body;
    const b = (await createThread(proxy.url)).body;
    await expect(ThreadClient.connect(proxy.url, a.threadId, 'not-a-token')).rejects.toThrow(/403/);
    await expect(ThreadClient.connect(proxy.url, a.threadId, b.wsToken)).rejects.toThrow(/403/);
    await expect(ThreadClient.connect(proxy.url, a.threadId, '', ['rivet'])).rejects.toThrow(/403/);
  });

  it('says "pong" on open and answers every "ping"', async () => {
    const t = (await createThread(proxy.url)).body;
    const c = await ThreadClient.connect(proxy.url, t.threadId, t.wsToken);
    expect(c.ws.protocol).toBe('rivet');
    await c.waitFor((f) => f === 'pong');
    const before = c.frames.filter((f) => f === 'pong').length;
    c.send('ping');
    await c.waitFor(() => c.frames.filter((f) => f === 'pong').length > before);
    c.close();
  });

  it('answers malformed frames with JSON-RPC errors and keeps serving', async () => {
    const t = (await createThread(proxy.url)).body;
    const c = await ThreadClient.connect(proxy.url, t.threadId, t.wsToken);
    c.send('{not json');
    expect((await c.waitFor((f) => f?.error?.code === -32700)).id).toBeNull();
    c.send(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 42 }));
    expect((await c.waitFor((f) => f?.id === 7)).error.code).toBe(-32600);
    c.send('[]');
    await c.waitFor((f) => f?.error?.message === 'empty batch');
    const bad = await c.request('client_append_user_msg', { messageId: 'M-short', content: [] });
    expect(bad.error.code).toBe(-32602);
    // A batch: both ids answered.
    c.send(JSON.stringify([{ jsonrpc: '2.0', id: 100, method: 'client_update_thread_settings', params: {} }, { jsonrpc: '2.0', id: 101, method: 'executor_plugin_message', params: {} }]));
    await c.waitFor((f) => f?.id === 100);
    await c.waitFor((f) => f?.id === 101);
    expect((await c.request('client_resume', { version: 0 })).result).toEqual({ ok: true });
    c.close();
  });

  it('holds a user message that arrives before tool registration, then runs the turn with tools', async () => {
    fake.calls.length = 0;
    fake.reply = (call) => {
      const hasResult = JSON.stringify(call.body.messages).includes('tool_result');
      return hasResult ? { kind: 'answer', answer: { text: 'The file says hello.', inputTokens: 20, outputTokens: 4 } } : { kind: 'answer', answer: { toolCalls: [{ id: 'toolu_up', name: 'Read', args: { path: '/w/a.txt' } }], inputTokens: 10, outputTokens: 2 } };
    };
    const t = (await createThread(proxy.url)).body;
    const c = await ThreadClient.connect(proxy.url, t.threadId, t.wsToken);
    await bootstrap(c, { tools: false });
    const userId = newMessageId();
    expect((await c.request('client_append_user_msg', { messageId: userId, content: [{ type: 'text', text: 'read a.txt' }], agentMode: 'medium' })).result).toBeDefined();
    await new Promise((r) => setTimeout(r, 50)); // give a wrong implementation the chance to start without tools
    expect(fake.calls).toHaveLength(0);
    await c.request('executor_tools_register', { tools: [READ_TOOL] });
    await c.request('executor_tools_bootstrap_complete', { ok: true });

    const lease = await c.event('tool_lease');
    expect(lease.toolCallId).toMatch(/^TU-[0-9A-Za-z]{22}$/);
    expect(lease.toolName).toBe('Read');
    expect(lease.args).toEqual({ path: '/w/a.txt' });
    expect(fake.calls[0]!.body.tools.map((x: any) => x.name)).toEqual(['Read']);
    const system = JSON.stringify(fake.calls[0]!.body.system);
    expect(system).toContain('Always answer in haiku.');
    expect(system).toContain('a.txt');

    // A result for a call nobody leased is refused.
    const stray = await c.request('executor_tool_result', { toolCallId: 'TU-0000000000000000000000', run: { status: 'done', result: 'x' } });
    expect(stray.error.code).toBe(-32602);

    await c.request('executor_tool_lease_ack', { toolCallId: lease.toolCallId });
    const ok = await c.request('executor_tool_result', { toolCallId: lease.toolCallId, run: { status: 'done', result: { content: '1: hello' } } });
    expect(ok.result).toEqual({ ok: true });
    await c.event('executor_tool_result_ack', (p) => p.toolCallId === lease.toolCallId);
    await c.event('agent_state', (p) => p.state === 'idle');

    const added = c.frames.filter((f) => f?.method === 'message_added').map((f) => f.params);
    expect(added.map((a) => a.message.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(added.map((a) => a.seq)).toEqual([1, 2, 3, 4]);
    const final = added[3].message;
    expect(final.messageId).toMatch(/^M-[0-9A-Za-z]{22}$/);
    expect(final.content).toEqual([{ type: 'text', text: 'The file says hello.' }]);
    expect(final.state).toEqual({ type: 'complete', stopReason: 'end_turn' });
    expect(Object.keys(final.usage).sort()).toEqual(['cacheCreationInputTokens', 'cacheReadInputTokens', 'inputTokens', 'maxInputTokens', 'model', 'outputTokens', 'timestamp', 'totalInputTokens']);
    // The streaming state names the message about to be produced, and deltas carry its text.
    const streaming = c.frames.filter((f) => f?.method === 'agent_state' && f.params.state === 'streaming').map((f) => f.params.messageId);
    expect(streaming).toContain(final.messageId);
    const text = c.frames.filter((f) => f?.method === 'delta' && f.params.messageId === final.messageId).map((f) => f.params.blocks[0].text).join('');
    expect(text).toBe('The file says hello.');
    expect(added[2].message.content[0]).toMatchObject({ type: 'tool_result', toolUseID: lease.toolCallId, run: { status: 'done' } });

    // A second socket resuming from version 2 gets exactly what it missed.
    const t2 = (await fetch(`${proxy.url}/api/thread-actors`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` }, body: JSON.stringify({ threadId: t.threadId }) }).then((r) => r.json())) as any;
    expect(t2.threadVersion).toBe(4);
    const c2 = await ThreadClient.connect(proxy.url, t.threadId, t2.wsToken);
    await c2.request('client_resume', { version: 2 });
    await c2.waitFor(() => c2.frames.filter((f) => f?.method === 'message_added').length === 2);
    expect(c2.frames.filter((f) => f?.method === 'message_added').map((f) => f.params.seq)).toEqual([3, 4]);
    c.close();
    c2.close();
  });

  it('queues a message sent mid-turn and runs it after the first', async () => {
    fake.calls.length = 0;
    fake.reply = (call) => ({ kind: 'answer', answer: { text: `answer ${fake.calls.indexOf(call) + 1}`, inputTokens: 1, outputTokens: 1 }, delayMs: 30 });
    const t = (await createThread(proxy.url)).body;
    const c = await ThreadClient.connect(proxy.url, t.threadId, t.wsToken);
    await bootstrap(c);
    await c.request('client_append_user_msg', { messageId: newMessageId(), content: [{ type: 'text', text: 'one' }] });
    await c.request('client_append_user_msg', { messageId: newMessageId(), content: [{ type: 'text', text: 'two' }] });
    await c.waitFor(() => c.frames.filter((f) => f?.method === 'message_added' && f.params.message.role === 'assistant').length === 2);
    expect(fake.calls).toHaveLength(2);
    expect(JSON.stringify(fake.calls[1]!.body.messages)).toContain('answer 1');
    c.close();
  });

  it('re-sends the same history and tools each turn, and the tools the executor has now after it changes them', async () => {
    fake.calls.length = 0;
    fake.reply = (call) => ({ kind: 'answer', answer: { text: `answer ${fake.calls.indexOf(call) + 1}`, inputTokens: 1, outputTokens: 1 } });
    const t = (await createThread(proxy.url)).body;
    const c = await ThreadClient.connect(proxy.url, t.threadId, t.wsToken);
    await bootstrap(c);
    const idleCount = () => c.frames.filter((f) => f?.method === 'agent_state' && f.params.state === 'idle').length;
    const turn = async (text: string) => {
      const before = idleCount();
      await c.request('client_append_user_msg', { messageId: newMessageId(), content: [{ type: 'text', text }] });
      await c.waitFor(() => idleCount() > before);
    };
    await turn('one');
    await turn('two');
    const GREP_TOOL = { name: 'Grep', description: 'Search files', inputSchema: { type: 'object', properties: { pattern: { type: 'string' } } }, source: 'builtin' };
    await c.request('executor_tools_register', { tools: [GREP_TOOL] });
    await c.request('executor_tools_unregister', { toolNames: ['Read'] });
    await turn('three');
    expect(fake.calls).toHaveLength(3);
    expect(fake.calls.map((call) => call.body.tools.map((x: any) => x.name))).toEqual([['Read'], ['Read'], ['Grep']]);
    expect(fake.calls[2]!.body.tools[0].input_schema).toEqual(GREP_TOOL.inputSchema);
    // Each turn's history is the previous turn's, byte for byte, plus the new exchange.
    const history = fake.calls.map((call) => call.body.messages.map((m: any) => JSON.stringify(m)));
    expect(history[1]!.slice(0, history[0]!.length)).toEqual(history[0]);
    expect(history[2]!.slice(0, history[1]!.length)).toEqual(history[1]);
    expect(fake.calls[2]!.body.messages.map((m: any) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user']);
    c.close();
  });

  it('ends the turn with error_set naming the model and the mapping that fixes it, then idle', async () => {
    proxy.reconfigure({
      'api-keys': [KEY, 'other-key'],
      'claude-api-key': [{ 'api-key': 'sk-ant-fake', 'base-url': fake.url, models: [{ name: 'claude-up', alias: 'claude-sonnet-4-5-20250929' }] }],
      ampcode: { 'threads-db': (proxy.app.config.current.ampcode as any)['threads-db'], 'mode-models': { high: 'gpt-unserved' } },
    });
    const t = (await createThread(proxy.url)).body;
    const c = await ThreadClient.connect(proxy.url, t.threadId, t.wsToken);
    await bootstrap(c);
    await c.request('client_append_user_msg', { messageId: newMessageId(), content: [{ type: 'text', text: 'hi' }], agentMode: 'high' });
    const err = await c.event('error_set');
    expect(err.error.message).toContain('gpt-unserved');
    expect(err.error.message).toContain('ampcode.model-mappings: - { from: "gpt-unserved", to: "claude-sonnet-4-5-20250929" }');
    expect(typeof err.seq).toBe('number');
    await c.event('agent_state', (p) => p.state === 'idle');
    c.close();
  });

  it('an upstream error ends the turn with error_set and idle; client_cancel aborts a running inference', async () => {
    fake.reply = () => ({ kind: 'error', status: 400, body: { type: 'error', error: { type: 'invalid_request_error', message: 'prompt is too long' } } });
    const t = (await createThread(proxy.url)).body;
    const c = await ThreadClient.connect(proxy.url, t.threadId, t.wsToken);
    await bootstrap(c);
    await c.request('client_append_user_msg', { messageId: newMessageId(), content: [{ type: 'text', text: 'hi' }] });
    expect((await c.event('error_set')).error.message).toContain('prompt is too long');
    await c.event('agent_state', (p) => p.state === 'idle');

    fake.calls.length = 0;
    fake.reply = () => ({ kind: 'answer', answer: { text: 'y'.repeat(100), chunks: 100 }, eventDelayMs: 30 });
    await c.request('client_append_user_msg', { messageId: newMessageId(), content: [{ type: 'text', text: 'long' }] });
    await c.event('delta');
    await c.request('client_cancel');
    await expect.poll(() => fake.calls[0]?.aborted, { timeout: 3000 }).toBe(true);
    await c.waitFor(() => c.frames.filter((f) => f?.method === 'agent_state' && f.params.state === 'idle').length === 2);
    c.close();
  });

  it('serves the account plane locally with no Amp upstream (getUserInfo, plugins, skills, telemetry)', async () => {
    const info = await internal(proxy.url, 'getUserInfo', {});
    expect(info.body.ok).toBe(true);
    expect(info.body.result.features).toEqual([]);
    expect(typeof info.body.result.email).toBe('string');
    expect((await internal(proxy.url, 'loadPlugins', {})).body).toEqual({ ok: true, result: [] });
    expect((await internal(proxy.url, 'loadSkills', {})).body).toEqual({ ok: true, result: { sources: [] } });
    expect((await internal(proxy.url, 'getThreadTail', { thread: 'T-00000000-0000-0000-0000-000000000000', limit: 1 })).body.ok).toBe(false);
    const tel = await fetch(`${proxy.url}/api/telemetry`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` }, body: '{}' });
    expect(tel.status).toBe(200);
  });

  it("does not let another api-key open or read a thread", async () => {
    const t = (await createThread(proxy.url)).body;
    const other = await fetch(`${proxy.url}/api/thread-actors`, { method: 'POST', headers: { authorization: 'Bearer other-key' }, body: JSON.stringify({ threadId: t.threadId }) });
    expect(other.status).toBe(404);
    expect((await internal(proxy.url, 'getThreadTail', { thread: t.threadId, limit: 5 }, 'other-key')).body.ok).toBe(false);
  });

  it('runs many threads at once', async () => {
    fake.reply = () => ({ kind: 'answer', answer: { text: 'ok', inputTokens: 1, outputTokens: 1 }, delayMs: 20 });
    const runs = Array.from({ length: 8 }, async () => {
      const t = (await createThread(proxy.url)).body;
      const c = await ThreadClient.connect(proxy.url, t.threadId, t.wsToken);
      await bootstrap(c);
      await c.request('client_append_user_msg', { messageId: newMessageId(), content: [{ type: 'text', text: 'hi' }] });
      await c.event('agent_state', (p) => p.state === 'idle');
      c.close();
    });
    await Promise.all(runs);
  });
});
