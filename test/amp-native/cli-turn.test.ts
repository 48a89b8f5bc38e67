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

  beforeAll(async () => {
    fake = await startFakeUpstream();
    work = await mkdtemp(join(tmpdir(), 'cliproxy-amp-work-'));
    db = join(await mkdtemp(join(tmpdir(), 'cliproxy-amp-db-')), 'threads.db');
    await writeFile(join(work, 'secret.txt'), 'the launch code is PINEAPPLE-42\n');
    home = await isolatedHome();
    proxy = await startProxy({
      'api-keys': [KEY],
      'claude-api-key': [{ 'api-key': 'sk-ant-fake', 'base-url': fake.url, models: [{ name: 'claude-up', alias: 'claude-sonnet-4-5' }] }],
      'openai-compatibility': [{ name: 'fakeoai', 'base-url': `${fake.url}/v1`, 'api-key-entries': [{ 'api-key': 'sk-oai' }], models: [{ name: 'gpt-up', alias: 'local-gpt' }] }],
      ampcode: { 'threads-db': db, 'mode-models': { high: 'gpt-5.2' }, 'model-mappings': [{ from: 'gpt-5.2', to: 'local-gpt' }] },
    });
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
