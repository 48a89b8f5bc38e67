import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * The Node flags the `cliproxy` command runs with: those on its shebang line (`#!/usr/bin/env -S node ...`), so a
 * benchmark of the server measures the runtime users get.
 */
export function cliproxyNodeArgs() {
  const first = readFileSync(new URL('../dist/cli.js', import.meta.url), 'utf8').split('\n', 1)[0];
  const m = /^#!\S*env -S node((?: --\S+)*)\s*$/.exec(first);
  if (!m) throw new Error(`unexpected shebang in dist/cli.js: ${first}`);
  return m[1].trim().split(/\s+/).filter(Boolean);
}

/** Start a node script that prints `READY <port>`; resolves with its port and a kill function. */
export function startProcess(script, env = {}, nodeArgs = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /READY (\d+)/.exec(out);
      if (m) resolve({ pid: child.pid, port: Number(m[1]), url: `http://127.0.0.1:${m[1]}`, kill: () => child.kill() });
    });
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}
