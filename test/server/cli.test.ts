import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer } from 'node:net';

const CLI = resolve('dist/cli.js');

async function freePort(): Promise<number> {
  return new Promise((r) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => r(port));
    });
  });
}

function run(args: string[], cwd: string, home: string) {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number>((r) => child.on('exit', (code) => r(code ?? -1)));
  return { child, exited, out: () => out, err: () => err };
}

describe.skipIf(!existsSync(CLI))('cliproxy command (built dist/cli.js)', () => {
  it('starts on built-in defaults when there is no config.yaml and says how to add credentials', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cliproxy-cli-'));
    // Defaults listen on 8317; give it a config-free run on a free port through a config elsewhere would change
    // the scenario, so check the default port only if it is free.
    const p = run([], dir, dir);
    const start = Date.now();
    // The banner lines can arrive in separate chunks: wait for the last of them, not just the first.
    const banner = ['listening', 'running on built-in defaults', '--claude-login', 'only callers on this machine'];
    while (!banner.every((b) => p.out().includes(b)) && !p.err() && Date.now() - start < 5000) await new Promise((r) => setTimeout(r, 50));
    if (p.err().includes('EADDRINUSE')) {
      p.child.kill();
      return;
    }
    expect(p.out()).toContain('listening on http://0.0.0.0:8317');
    expect(p.out()).toContain('running on built-in defaults');
    expect(p.out()).toContain(join(dir, '.cli-proxy-api'));
    expect(p.out()).toContain('--claude-login');
    expect(p.out()).toContain('only callers on this machine');
    const health = await fetch('http://127.0.0.1:8317/healthz');
    expect(health.status).toBe(200);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });

  it('serves on the configured port with --config and exits non-zero on an invalid config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cliproxy-cli-'));
    const port = await freePort();
    writeFileSync(join(dir, 'my.yaml'), `port: ${port}\nhost: 127.0.0.1\napi-keys: [k]\nunknown-thing: 1\n`);
    const p = run(['--config', join(dir, 'my.yaml')], dir, dir);
    const start = Date.now();
    while (!p.out().includes('listening') && Date.now() - start < 5000) await new Promise((r) => setTimeout(r, 50));
    expect(p.out()).toContain(`listening on http://127.0.0.1:${port}`);
    const banner = await fetch(`http://127.0.0.1:${port}/`);
    expect(((await banner.json()) as any).message).toBe('CLI Proxy API Server');
    p.child.kill('SIGTERM');
    await p.exited;
    expect(p.err() + p.out()).toContain('unknown key `unknown-thing` ignored');

    writeFileSync(join(dir, 'bad.yaml'), 'port: 99999\n');
    const bad = run(['-config', join(dir, 'bad.yaml')], dir, dir);
    expect(await bad.exited).toBe(1);
    expect(bad.err()).toContain('`port`');
    expect(bad.err()).toContain('99999');

    const missing = run(['--config', join(dir, 'missing.yaml')], dir, dir);
    expect(await missing.exited).toBe(1);
    expect(missing.err()).toContain('does not exist');
  });

  it('`npm start` runs dist/cli.js with Node flags this Node accepts', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    const m = /^node((?: --\S+)+) dist\/cli\.js$/.exec(pkg.scripts.start);
    expect(m, pkg.scripts.start).not.toBeNull();
    const flags = m![1]!.trim().split(' ');
    // Node refuses to start on a flag it does not know: a probe started the same way reports what it got.
    const r = spawnSync(process.execPath, [...flags, '-e', 'process.stdout.write(JSON.stringify(process.execArgv))'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as string[]).slice(0, flags.length)).toEqual(flags);
    // The command itself keeps the plain shebang (see src/cli.ts).
    expect(readFileSync(CLI, 'utf8').split('\n', 1)[0]).toBe('#!/usr/bin/env node');
  });
});
