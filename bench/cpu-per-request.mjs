// CPU time per request of the proxy process (process.cpuUsage) under c=32 load: cliproxy vs the bare Node proxy.
// Steadier than requests/s on a shared machine. `npm run build && node bench/cpu-per-request.mjs` (STREAM=1 for SSE).
import { spawn } from 'node:child_process';
import { load } from './load.mjs';
import { startProcess } from './spawn.mjs';
function startWithCpu(script, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', `process.on('SIGUSR2',()=>{const u=process.cpuUsage();process.stdout.write('CPU '+(u.user+u.system)+'\\n')}); await import('${script}')`], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = ''; const waiters = [];
    child.stdout.on('data', (d) => { out += d; const m = /READY (\d+)/.exec(out); if (m && !child.port) { child.port = m[1]; resolve(child); } const c = /CPU (\d+)\n/g; let x; while ((x = c.exec(out))) { waiters.shift()?.(Number(x[1])); } out = out.replace(/CPU \d+\n/g, ''); });
    child.cpu = () => new Promise((r) => { waiters.push(r); child.kill('SIGUSR2'); });
  });
}
const up = await startProcess(new URL('./fake-upstream.mjs', import.meta.url).pathname);
const full = await startWithCpu(new URL('./proxy-server.mjs', import.meta.url).href, { UPSTREAM: up.url });
const bare = await startWithCpu(new URL('./bare-node-proxy.mjs', import.meta.url).href, { UPSTREAM: up.url });
const body = { model: 'bench-model', messages: [{ role: 'user', content: 'hi' }], stream: process.env.STREAM === '1' };
for (const [name, p, headers] of [['cliproxy', full, { authorization: 'Bearer bench-key' }], ['bare', bare, {}]]) {
  await load({ url: `http://127.0.0.1:${p.port}`, path: '/v1/chat/completions', headers, body, concurrency: 32, durationMs: 1000 });
  const c0 = await p.cpu();
  const r = await load({ url: `http://127.0.0.1:${p.port}`, path: '/v1/chat/completions', headers, body, concurrency: 32, durationMs: 3000, warmupMs: 0 });
  const c1 = await p.cpu();
  console.log(name, 'cpu µs/request', ((c1 - c0) / (r.n)).toFixed(1), 'rps', r.rps.toFixed(0));
}
up.kill(); full.kill(); bare.kill();
