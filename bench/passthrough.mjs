// Issue 2 benchmark: requests/s and p50/p99, direct to a fake upstream vs through the proxy (same-format
// pass-through), stream and non-stream, concurrency 1 and 32, measured in one run.
import { cliproxyNodeArgs, startProcess } from './spawn.mjs';
import { loadInterleaved } from './load.mjs';

const DURATION = Number(process.env.BENCH_MS ?? 4000);

export async function benchPassthrough() {
  const upstream = await startProcess(new URL('./fake-upstream.mjs', import.meta.url).pathname);
  // Both proxies run with the flags of the `cliproxy` command (see src/cli.ts); the direct target is the upstream.
  const nodeArgs = cliproxyNodeArgs();
  const proxy = await startProcess(new URL('./proxy-server.mjs', import.meta.url).pathname, { UPSTREAM: upstream.url }, nodeArgs);
  const bare = await startProcess(new URL('./bare-node-proxy.mjs', import.meta.url).pathname, { UPSTREAM: upstream.url }, nodeArgs);
  const rows = [];
  try {
    for (const stream of [false, true]) {
      for (const concurrency of [1, 32]) {
        const body = { model: 'bench-model', stream, messages: [{ role: 'user', content: 'hello' }] };
        const [direct, proxied, bareRun] = await loadInterleaved(
          [
            { url: upstream.url, path: '/v1/chat/completions', headers: {}, body: { ...body, model: 'bench-up' } },
            { url: proxy.url, path: '/v1/chat/completions', headers: { authorization: 'Bearer bench-key' }, body },
            { url: bare.url, path: '/v1/chat/completions', headers: {}, body },
          ],
          { concurrency, durationMs: DURATION },
        );
        rows.push({ stream, concurrency, direct, proxied, bare: bareRun });
      }
    }
  } finally {
    upstream.kill();
    proxy.kill();
    bare.kill();
  }
  console.log('\n== pass-through: direct vs through cliproxy (OpenAI chat -> OpenAI-compatible upstream) ==');
  console.log('(rps: median of interleaved rounds; ratio: median of the per-round proxy/direct ratios; p50/p99 over all rounds)');
  console.log('mode        conc |  direct rps  p50ms  p99ms |  proxy rps  p50ms  p99ms | rps ratio  added p50 ms  errors | bare-node-proxy rps (ratio) | per-round proxy/direct rps');
  for (const r of rows) {
    const mode = r.stream ? 'stream    ' : 'non-stream';
    console.log(
      `${mode}  ${String(r.concurrency).padStart(4)} | ${r.direct.rps.toFixed(0).padStart(10)} ${r.direct.p50.toFixed(2).padStart(6)} ${r.direct.p99.toFixed(2).padStart(6)} | ${r.proxied.rps.toFixed(0).padStart(10)} ${r.proxied.p50.toFixed(2).padStart(6)} ${r.proxied.p99.toFixed(2).padStart(6)} | ${r.proxied.ratio.toFixed(2).padStart(9)}x ${(r.proxied.p50 - r.direct.p50).toFixed(2).padStart(12)}  ${r.direct.errors + r.proxied.errors} | ${r.bare.rps.toFixed(0)} (${r.bare.ratio.toFixed(2)}x) | ${r.proxied.rounds.map((p, i) => `${p}/${r.direct.rounds[i]}`).join(' ')}`,
    );
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchPassthrough();
