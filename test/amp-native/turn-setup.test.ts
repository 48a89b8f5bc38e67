import { Writable } from 'node:stream';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream.js';
import { startProxy, type RunningProxy } from '../helpers/proxy.js';
import { newMessageId } from '../../src/amp/native/ids.js';
import { ThreadClient } from './ws-client.js';

const KEY = 'native-setup-key';
const tool = (name: string) => ({ name, description: name, inputSchema: { type: 'object', properties: {} }, source: 'builtin' });

/** One turn on a new thread whose executor registered `tools`; resolves once the thread is idle again. */
async function oneTurn(base: string, tools: string[]): Promise<void> {
  const res = await fetch(`${base}/api/thread-actors`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` }, body: JSON.stringify({ executorType: 'local-client', agentMode: 'medium' }) });
  const t = (await res.json()) as { threadId: string; wsToken: string };
  const c = await ThreadClient.connect(base, t.threadId, t.wsToken);
  await c.request('executor_connect', { clientId: 'c1', capabilities: {}, executorType: 'local-client' });
  await c.request('executor_tools_register', { tools: tools.map(tool) });
  await c.request('executor_tools_bootstrap_complete', { ok: true });
  await c.request('client_append_user_msg', { messageId: newMessageId(), content: [{ type: 'text', text: 'hi' }] });
  await c.event('agent_state', (p) => p.state === 'idle');
  c.close();
}

describe('native Amp turn setup: tools offered, system prompt, route log line', () => {
  let fake: FakeUpstream;
  let proxy: RunningProxy;
  let dir: string;
  const lines: any[] = [];
  const config = (ampcode: Record<string, unknown>) => ({
    'api-keys': [KEY],
    'claude-api-key': [{ 'api-key': 'sk-ant-fake', 'base-url': fake.url, models: [{ name: 'claude-up', alias: 'local-claude' }] }],
    ampcode: { 'threads-db': join(dir, 't.db'), 'model-mappings': [{ from: 'claude-sonnet-4-5-20250929', to: 'local-claude' }], ...ampcode },
  });

  beforeAll(async () => {
    fake = await startFakeUpstream();
    dir = await mkdtemp(join(tmpdir(), 'cliproxy-amp-setup-'));
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l));
        done();
      },
    });
    proxy = await startProxy(config({}), pino({ level: 'info' }, sink));
  });
  afterAll(async () => {
    await proxy?.close();
    await fake?.close();
  });

  it('withholds the tools that need Amp-hosted services when no Amp upstream is configured', async () => {
    fake.calls.length = 0;
    await oneTurn(proxy.url, ['Read', 'web_search', 'read_web_page', 'Bash']);
    expect(fake.calls[0]!.body.tools.map((x: any) => x.name)).toEqual(['Read', 'Bash']);
  });

  it('routes the agent mode model through model-mappings and logs the same amp: route line as a classic call', async () => {
    lines.length = 0;
    await oneTurn(proxy.url, ['Read']);
    const route = lines.find((l) => typeof l.msg === 'string' && l.msg.startsWith('amp:') && l.path === 'amp-thread');
    expect(route).toMatchObject({ model: 'claude-sonnet-4-5-20250929', mode: 'medium', route: 'mapped', target: 'local-claude' });
    expect(fake.calls.at(-1)!.body.model).toBe('claude-up');
    expect(JSON.stringify(fake.calls.at(-1)!.body.system)).toContain('through the Amp command-line client'); // built-in prompt
  });

  it('uses ampcode.system-prompt-file instead of the built-in agent prompt', async () => {
    const file = join(dir, 'my-prompt.md');
    await writeFile(file, 'You are the custom agent of this test. MARKER-7f3a');
    proxy.reconfigure(config({ 'system-prompt-file': file }));
    fake.calls.length = 0;
    await oneTurn(proxy.url, ['Read']);
    const system = JSON.stringify(fake.calls[0]!.body.system);
    expect(system).toContain('MARKER-7f3a');
    expect(system).not.toContain('through the Amp command-line client'); // the built-in prompt's first line
  });
});
