import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream.js';
import { startProxy, type RunningProxy } from '../helpers/proxy.js';
import { startFakeAmp, type FakeAmp } from './fake-amp.js';
import { AMP_KEY, CLIENT_KEY, localProviders } from './helpers.js';

/**
 * The real Amp CLI (the last JS build that calls `/api/provider/*` itself, CLIENT-FACTS.md) against the server:
 * its model calls are served by a local (fake) credential through a mapping, its account calls by a fake Amp.
 * The package is installed once into the OS temp dir and reused by later runs.
 */
const AMP_VERSION = '0.0.1777897475-g2324e1';
const PREFIX = join(tmpdir(), `cliproxy-amp-cli-${AMP_VERSION}`);
const MAIN = join(PREFIX, 'node_modules', '@sourcegraph', 'amp', 'dist', 'main.js');
const REPLY = 'Hello from fake upstream';

let installError = '';
let models: FakeUpstream;
let amp: FakeAmp;
let proxy: RunningProxy;

beforeAll(async () => {
  if (!existsSync(MAIN)) {
    try {
      mkdirSync(PREFIX, { recursive: true });
      await promisify(execFile)('npm', ['install', '--prefix', PREFIX, '--no-audit', '--no-fund', '--no-save', `@sourcegraph/amp@${AMP_VERSION}`], { timeout: 180_000 });
    } catch (err) {
      installError = (err as Error).message.split('\n')[0] ?? 'unknown error';
    }
    if (!installError && !existsSync(MAIN)) installError = `npm install finished but ${MAIN} is missing`;
  }
  models = await startFakeUpstream();
  amp = await startFakeAmp();
  proxy = await startProxy({
    'api-keys': [CLIENT_KEY],
    ...localProviders(models),
    ampcode: {
      'upstream-url': amp.url,
      'upstream-api-key': AMP_KEY,
      'model-mappings': [
        { from: 'claude-opus-4-7', to: 'local-claude' },
        { from: 'claude-haiku-4-5-20251001', to: 'local-claude' },
        { from: 'gpt-5.4', to: 'local-codex' },
      ],
    },
  });
}, 200_000);

afterAll(async () => {
  await proxy?.close();
  await models?.close();
  await amp?.close();
});

function runAmp(prompt: string, mode?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const home = mkdtempSync(join(tmpdir(), 'cliproxy-amp-cli-home-'));
  mkdirSync(join(home, '.config', 'amp'), { recursive: true });
  writeFileSync(join(home, '.config', 'amp', 'settings.json'), JSON.stringify({ 'amp.updates.mode': 'disabled', 'amp.notifications.enabled': false }));
  const env = { PATH: process.env.PATH ?? '', HOME: home, AMP_URL: proxy.url, AMP_API_KEY: CLIENT_KEY, NO_COLOR: '1', TERM: 'dumb' };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...(mode ? ['-m', mode] : []), '-x', prompt], { env, cwd: home, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('the Amp CLI against cliproxy', () => {
  it('completes a one-turn prompt served by a local credential through a mapping', async (ctx) => {
    if (installError) {
      console.warn(`skipping the Amp CLI test: could not install @sourcegraph/amp@${AMP_VERSION}: ${installError}`);
      ctx.skip();
    }
    const r = await runAmp('say hello');
    expect(r.stdout, `stderr: ${r.stderr}`).toContain(REPLY);
    expect(r.code).toBe(0);

    // Model calls stayed local: the Anthropic route, mapped to the local credential, never reaching Amp.
    const anthropicCalls = models.calls.filter((c) => c.format === 'anthropic');
    expect(anthropicCalls.length).toBeGreaterThan(0);
    expect(anthropicCalls.every((c) => c.model === 'claude-up')).toBe(true);
    expect(amp.at('/api/provider')).toHaveLength(0);
    // Account calls went to the (fake) Amp upstream with the upstream key, never the proxy key.
    const internal = amp.at('/api/internal');
    expect(internal.map((r) => r.url)).toContain('/api/internal?getUserInfo');
    for (const rec of internal) {
      expect(rec.headers.authorization).toBe(`Bearer ${AMP_KEY}`);
      expect(JSON.stringify(rec.headers)).not.toContain(CLIENT_KEY);
    }
    console.info(
      `Amp CLI ${AMP_VERSION}: control plane ${JSON.stringify(internal.map((r) => r.url.replace('/api/internal?', '')))}; ` +
        `model calls ${JSON.stringify(anthropicCalls.map((c) => ({ model: c.body.model, stream: c.stream, tools: c.body.tools?.length ?? 0 })))}`,
    );
  }, 120_000);

  it('deep mode: the Responses route (gpt-5.4) is served locally through a mapping too', async (ctx) => {
    if (installError) ctx.skip();
    const before = models.calls.length;
    const r = await runAmp('say hello', 'deep');
    expect(r.stdout, `stderr: ${r.stderr}`).toContain(REPLY);
    const calls = models.calls.slice(before);
    expect(calls.some((c) => c.format === 'openai-responses' && c.model === 'gpt-5-up' && c.stream)).toBe(true);
    expect(amp.at('/api/provider')).toHaveLength(0);
  }, 120_000);
});
