// Closed-loop load generator: `concurrency` workers each send requests back to back for `durationMs`, after a
// warm-up (default 5 s, BENCH_WARMUP_MS) so every target, direct or proxied, is measured JIT-warm. 2 s was not
// enough here: under the translated-stream load, V8 in the proxy process was still completing 50-90 optimised
// compilations per second until about 5 s in (--trace-opt), and the slowest 1% of requests clustered in the
// first few hundred ms after a 2 s warm-up (p99 52.7 ms there; 27.4 ms measured after 6 s).
import { Pool } from 'undici';

export async function load({ url, path, headers, body, concurrency, durationMs, warmupMs = Number(process.env.BENCH_WARMUP_MS ?? 5000) }) {
  const origin = new URL(url).origin;
  const pool = new Pool(origin, { connections: concurrency, pipelining: 1, keepAliveTimeout: 60_000 });
  const payload = JSON.stringify(body);
  const latencies = [];
  let errors = 0;
  let measuring = false;
  let stop = false;
  const one = async () => {
    const t0 = process.hrtime.bigint();
    const res = await pool.request({ path, method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: payload });
    const text = await res.body.text();
    if (res.statusCode !== 200 || text.length === 0) errors++;
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (measuring) latencies.push(ms);
  };
  const worker = async () => {
    while (!stop) await one();
  };
  const workers = Array.from({ length: concurrency }, worker);
  await new Promise((r) => setTimeout(r, warmupMs));
  measuring = true;
  const start = performance.now();
  await new Promise((r) => setTimeout(r, durationMs));
  measuring = false;
  const elapsed = performance.now() - start;
  stop = true;
  await Promise.all(workers);
  await pool.close();
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  return { rps: (latencies.length / elapsed) * 1000, p50: pct(50), p99: pct(99), n: latencies.length, errors };
}
