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
  return { rps: (latencies.length / elapsed) * 1000, p50: pct(50), p99: pct(99), n: latencies.length, errors, latencies };
}

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Measure several targets under the same load, interleaved: each target is warmed up once, then measured in
 * `ROUNDS` short rounds that take turns (direct, proxy, direct, proxy, ...). This machine is a shared VM whose
 * speed drifts by tens of percent over seconds; a ratio of two measurements taken one after the other mostly
 * measures that drift. Interleaving pairs every proxy round with a direct round of the same moment (the order
 * rotates from round to round), and the reported figure is the median of the per-round ratios (rps of
 * `targets[i]` / rps of `targets[0]`).
 * `durationMs` is the total measuring time per target, split across the rounds.
 */
export async function loadInterleaved(targets, { concurrency, durationMs }) {
  for (const t of targets) await load({ ...t, concurrency, durationMs: 200 });
  const rounds = targets.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    // The order rotates every round, so no target always runs first or right after another one.
    for (let k = 0; k < targets.length; k++) {
      const i = (k + r) % targets.length;
      rounds[i].push(await load({ ...targets[i], concurrency, durationMs: Math.max(500, Math.round(durationMs / ROUNDS)), warmupMs: 300 }));
    }
  }
  return targets.map((_, i) => {
    // Latency percentiles over every request of every round.
    const all = rounds[i].flatMap((x) => x.latencies).sort((a, b) => a - b);
    const pct = (p) => all[Math.min(all.length - 1, Math.floor((p / 100) * all.length))] ?? NaN;
    return {
      rps: median(rounds[i].map((x) => x.rps)),
      p50: pct(50),
      p99: pct(99),
      errors: rounds[i].reduce((n, x) => n + x.errors, 0),
      ratio: median(rounds[i].map((x, r) => x.rps / rounds[0][r].rps)),
      rounds: rounds[i].map((x) => Math.round(x.rps)),
    };
  });
}
