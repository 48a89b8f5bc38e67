import { spawn } from 'node:child_process';

/** Start a node script that prints `READY <port>`; resolves with its port and a kill function. */
export function startProcess(script, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /READY (\d+)/.exec(out);
      if (m) resolve({ pid: child.pid, port: Number(m[1]), url: `http://127.0.0.1:${m[1]}`, kill: () => child.kill() });
    });
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}
