// Instructions executed per request on the proxy's main thread, cliproxy vs the bare Node proxy, counted by
// valgrind's callgrind (`apt-get install valgrind`). Unlike requests/s or CPU time on this shared VM, which
// swing by tens of percent from one second to the next, the count repeats within about 1% for cliproxy and 4%
// for the bare proxy (its JIT choices vary more), so it shows hot-path changes that throughput runs cannot. Not
// part of `npm run bench`: it needs valgrind and takes a few minutes (Node runs some 50x slower under it).
//
//   node bench/instructions.mjs            non-stream pass-through (OpenAI chat, the issue-2 benchmark's call)
//   STREAM=1 node bench/instructions.mjs   the same call streamed
//   N=2000 WARM=8000 ...                   measured requests / warm-up requests per target (defaults 2000/8000)
import { spawn, execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { cliproxyNodeArgs, startProcess } from './spawn.mjs';

const N = Number(process.env.N ?? 2000);
const WARM = Number(process.env.WARM ?? 8000);
const CONCURRENCY = 8;
const stream = process.env.STREAM === '1';

if (spawnSync('valgrind', ['--version']).status !== 0) {
  console.error('bench/instructions.mjs needs valgrind (apt-get install valgrind)');
  process.exit(2);
}

const here = (f) => fileURLToPath(new URL(f, import.meta.url));

/** Main-thread instructions per request of `script` (a server printing READY <port>) under callgrind. */
async function count(script, upstreamUrl) {
  const dir = mkdtempSync(join(tmpdir(), 'cliproxy-callgrind-'));
  // Instrumentation starts off (start-up and warm-up run at full valgrind speed) and is switched on for the
  // measured requests only; one output file per thread, the main thread's being the first.
  const child = spawn(
    'valgrind',
    ['--tool=callgrind', '--smc-check=all-non-file', '--instr-atstart=no', '--separate-threads=yes', `--callgrind-out-file=${dir}/cg.%p`, process.execPath, ...cliproxyNodeArgs(), script],
    { env: { ...process.env, UPSTREAM: upstreamUrl }, stdio: ['ignore', 'pipe', 'ignore'] },
  );
  try {
    const port = await new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = /READY (\d+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`${script} exited with ${code} under valgrind`)));
    });
    const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CONCURRENCY });
    const request = {
      method: 'POST',
      path: '/v1/chat/completions',
      headers: { 'content-type': 'application/json', authorization: 'Bearer bench-key' },
      body: JSON.stringify({ model: 'bench-model', stream, messages: [{ role: 'user', content: 'hello' }] }),
    };
    const batch = async (n) => {
      let sent = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (sent++ < n) {
            const r = await pool.request(request);
            await r.body.text();
            if (r.statusCode !== 200) throw new Error(`status ${r.statusCode}`);
          }
        }),
      );
    };
    await batch(WARM);
    execFileSync('callgrind_control', ['-i', 'on', String(child.pid)], { stdio: 'ignore' });
    await batch(N);
    execFileSync('callgrind_control', ['-i', 'off', String(child.pid)], { stdio: 'ignore' });
    execFileSync('callgrind_control', ['-d', String(child.pid)], { stdio: 'ignore' });
    await pool.close();
    // The dump of thread 1 (the event loop) is `cg.<pid>.1-01`.
    const main = readdirSync(dir).find((f) => /\.1-01$/.test(f));
    if (!main) throw new Error('callgrind wrote no main-thread dump');
    const annotated = execFileSync('callgrind_annotate', [join(dir, main)], { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] });
    const total = /([\d,]+) \(100\.0%\)\s+PROGRAM TOTALS/.exec(annotated);
    if (!total) throw new Error('no PROGRAM TOTALS in the callgrind dump');
    return Number(total[1].replace(/,/g, '')) / N;
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

const upstream = await startProcess(here('./fake-upstream.mjs'));
try {
  const proxy = await count(here('./proxy-server.mjs'), upstream.url);
  const bare = await count(here('./bare-node-proxy.mjs'), upstream.url);
  console.log(`\n== instructions per request on the proxy's main thread (callgrind, ${stream ? 'stream' : 'non-stream'} pass-through, ${N} requests after ${WARM}) ==`);
  console.log(`cliproxy ${Math.round(proxy)}  bare-node-proxy ${Math.round(bare)}  cliproxy / bare ${(proxy / bare).toFixed(3)}`);
} finally {
  upstream.kill();
}
