import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeUpstream, type FakeUpstream, type RecordedCall, type FakeReply } from '../fakes/upstream.js';
import { startProxy, type RunningProxy } from '../helpers/proxy.js';
import { ampBinary, isolatedHome, runAmp } from './cli.js';

const KEY = 'native-client-key';
const found = await ampBinary();
if (!found.bin) console.warn(`[amp-native] skipping real-CLI tests: ${found.reason}`);

/** Tool results the upstream saw in a request (Anthropic tool_result or OpenAI tool message). */
function toolResultText(call: RecordedCall): string {
  const msgs: any[] = call.body?.messages ?? [];
  const out: string[] = [];
  for (const m of msgs) {
    if (m.role === 'tool') out.push(typeof m.content === 'string' ? m.content : JSON.stringify(m.content));
    if (Array.isArray(m.content)) for (const b of m.content) if (b.type === 'tool_result') out.push(typeof b.content === 'string' ? b.content : JSON.stringify(b.content));
  }
  return out.join('\n');
}

/** First call asks for the tool, later calls answer from the tool result. */
function toolThenAnswer(tool: { name: string; args: Record<string, unknown> }, answer: (result: string) => string) {
  return (call: RecordedCall): FakeReply => {
    const result = toolResultText(call);
    if (!result) return { kind: 'answer', answer: { toolCalls: [{ id: 'call_up_1', name: tool.name, args: tool.args }], inputTokens: 100, outputTokens: 10 } };
    return { kind: 'answer', answer: { text: answer(result), inputTokens: 150, outputTokens: 12 } };
  };
}

describe.skipIf(!found.bin)('native Amp CLI against cliproxy (real binary)', () => {
  let fake: FakeUpstream;
  let proxy: RunningProxy;
  let work: string;
  let home: string;
  let db: string;
  let threadFromStream = '';
  const baseConfig = () => ({
    'api-keys': [KEY],
    'claude-api-key': [{ 'api-key': 'sk-ant-fake', 'base-url': fake.url, models: [{ name: 'claude-up', alias: 'claude-sonnet-4-5-20250929' }] }],
    'openai-compatibility': [{ name: 'fakeoai', 'base-url': `${fake.url}/v1`, 'api-key-entries': [{ 'api-key': 'sk-oai' }], models: [{ name: 'gpt-up', alias: 'local-gpt' }] }],
    ampcode: { 'threads-db': db, 'model-mappings': [{ from: 'gpt-5.2', to: 'local-gpt' }] } as Record<string, unknown>,
  });

  beforeAll(async () => {
    fake = await startFakeUpstream();
    work = await mkdtemp(join(tmpdir(), 'cliproxy-amp-work-'));
    db = join(await mkdtemp(join(tmpdir(), 'cliproxy-amp-db-')), 'threads.db');
    await writeFile(join(work, 'secret.txt'), 'the launch code is PINEAPPLE-42\n');
    home = await isolatedHome();
    proxy = await startProxy(baseConfig());
    if (process.env.AMP_NATIVE_DEBUG) {
      proxy.server.prependListener('request', (req, res) => {
        let body = '';
        req.on('data', (d) => (body += d));
        const w = res.write.bind(res);
        const e = res.end.bind(res);
        let out = '';
        (res as any).write = (c: any, ...a: any[]) => ((out += c), w(c, ...a));
        (res as any).end = (c?: any, ...a: any[]) => (c && typeof c !== 'function' && (out += c), console.log('HTTP', req.method, req.url, body.slice(0, 300), '->', res.statusCode, out.slice(0, 300)), e(c, ...a));
      });
      proxy.server.prependListener('upgrade', (req) => console.log('UPGRADE', req.url, req.headers['sec-websocket-protocol']?.slice(0, 80)));
    }
  });
  afterAll(async () => {
    await proxy?.close();
    await fake?.close();
  });

  const amp = (args: string[], extra: Partial<Parameters<typeof runAmp>[0]> = {}) => runAmp({ bin: found.bin!, home, url: proxy.url, apiKey: KEY, cwd: work, args, ...extra });

  it('reads a file through a leased Read tool and answers from it (Anthropic upstream)', async () => {
    fake.calls.length = 0;
    fake.reply = toolThenAnswer({ name: 'Read', args: { path: join(work, 'secret.txt') } }, (r) => (r.includes('PINEAPPLE-42') ? 'The code is PINEAPPLE-42.' : `no code in: ${r}`));
    const run = await amp(['-x', 'What is the launch code in secret.txt?']);
    if (run.code !== 0) console.log(run, await logs(home));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('The code is PINEAPPLE-42.');
    expect(fake.calls).toHaveLength(2);
    expect(fake.calls[0]!.format).toBe('anthropic');
    expect(fake.calls[0]!.body.tools.map((t: any) => t.name)).toContain('Read');
  });

  it('runs a shell command through the OpenAI-format upstream (mode model mapped), with --stream-json output', async () => {
    fake.calls.length = 0;
    proxy.reconfigure({ ...baseConfig(), ampcode: { ...baseConfig().ampcode, 'mode-models': { medium: 'gpt-5.2' } } });
    fake.reply = toolThenAnswer({ name: 'shell_command', args: { command: 'echo native-$((40+2))' } }, (r) => (r.includes('native-42') ? 'The shell said native-42.' : `unexpected: ${r}`));
    const run = await amp(['-x', 'Run the echo command.', '--stream-json']);
    if (run.code !== 0) console.log(run, await logs(home));
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const types = lines.map((l) => l.type);
    expect(types[0]).toBe('system');
    expect(types).toContain('assistant');
    expect(types).toContain('user');
    const result = lines.find((l) => l.type === 'result');
    expect(result.result).toContain('The shell said native-42.');
    expect(result.is_error).toBe(false);
    const toolUse = lines.filter((l) => l.type === 'assistant').flatMap((l) => l.message.content).find((c: any) => c.type === 'tool_use');
    expect(toolUse.name).toBe('shell_command');
    expect(toolUse.id).toMatch(/^TU-[0-9A-Za-z]{22}$/);
    expect(fake.calls.map((c) => c.format)).toEqual(['openai-chat', 'openai-chat']);
    expect(fake.calls[0]!.model).toBe('gpt-up');
    threadFromStream = result.session_id;
    proxy.reconfigure(baseConfig());
  });

  it('continues a thread in a second CLI process with the earlier turn in context', async () => {
    expect(threadFromStream).toMatch(/^T-/);
    fake.calls.length = 0;
    fake.reply = () => ({ kind: 'answer', answer: { text: 'Continued.', inputTokens: 200, outputTokens: 3 } });
    const run = await amp(['threads', 'continue', threadFromStream, '-x', 'And what did it print?']);
    if (run.code !== 0) console.log(run, await logs(home));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Continued.');
    const sent = JSON.stringify(fake.calls[0]!.body.messages);
    expect(sent).toContain('Run the echo command.');
    expect(sent).toContain('native-42');
    expect(sent).toContain('And what did it print?');
  });

  it('continues the thread after a cliproxy restart (state comes from the SQLite store)', async () => {
    await proxy.close();
    proxy = await startProxy(baseConfig());
    fake.calls.length = 0;
    fake.reply = () => ({ kind: 'answer', answer: { text: 'Still here.', inputTokens: 200, outputTokens: 3 } });
    const run = await amp(['threads', 'continue', threadFromStream, '-x', 'Are you still there?']);
    if (run.code !== 0) console.log(run, await logs(home));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Still here.');
    const sent = JSON.stringify(fake.calls[0]!.body.messages);
    expect(sent).toContain('native-42');
    expect(sent).toContain('And what did it print?');
  });

  it('SIGTERM of the CLI mid-turn aborts the upstream model call', async () => {
    fake.calls.length = 0;
    fake.reply = () => ({ kind: 'answer', answer: { text: 'x'.repeat(400), chunks: 200, inputTokens: 1, outputTokens: 1 }, eventDelayMs: 50 });
    const run = await amp(['-x', 'Write a long text.'], {
      onSpawn: (child) => {
        const timer = setInterval(() => {
          if (fake.calls.length > 0) {
            clearInterval(timer);
            child.kill('SIGTERM');
          }
        }, 20);
      },
    });
    expect(run.stdout).not.toContain('x'.repeat(400));
    await expect.poll(() => fake.calls[0]?.aborted, { timeout: 5000 }).toBe(true);
  });
});

async function logs(home: string): Promise<string> {
  const dir = join(home, '.cache', 'amp', 'logs', 'threads');
  try {
    const files = await readdir(dir);
    const out: string[] = [];
    for (const f of files) out.push(`--- ${f}\n${(await readFile(join(dir, f), 'utf8')).slice(-6000)}`);
    return out.join('\n');
  } catch {
    return '(no thread logs)';
  }
}
