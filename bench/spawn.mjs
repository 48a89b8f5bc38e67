import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * The Node flags `npm start` runs the server with (package.json's `start` script: `node <flags> dist/cli.js`), so
 * a benchmark of the server measures the runtime the README's start command gives.
 */
export function cliproxyNodeArgs() {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const m = /^node((?: --\S+)*) dist\/cli\.js$/.exec(pkg.scripts.start);
  if (!m) throw new Error(`unexpected start script in package.json: ${pkg.scripts.start}`);
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
