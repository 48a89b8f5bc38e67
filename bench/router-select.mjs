// Router selection + bookkeeping cost per request with 1,000 credentials registered for one model.
// Run after `npm run build`:  node bench/router-select.mjs
// Prints: router-select: X µs/request (1000 credentials)
import { Router } from '../dist/router/router.js';

const N = 1000;
const MODEL = 'claude-sonnet-4-5';
const creds = Array.from({ length: N }, (_, i) => ({
  id: `cred-${i}`,
  provider: 'claude',
  kind: 'claude',
  label: `claude-key-${i}`,
  source: 'config',
  headers: {},
  models: [{ id: MODEL, upstream: MODEL }, { id: 'other-model', upstream: 'other-model' }],
  priority: i % 3,
  attributes: {},
}));

const ok = { ok: true, value: 1 };
const attempt = () => Promise.resolve(ok);

async function measure(label, options, setup = () => {}, iterations = 200_000) {
  const router = new Router(options);
  router.setCredentials(creds);
  setup(router);
  const run = async (n) => {
    for (let i = 0; i < n; i++) {
      // What a request pays: registry lookup, strategy order, cooldown checks, attempt loop, success marking.
      const candidates = router.registry.candidates(MODEL);
      const r = await router.run(MODEL, candidates, attempt, undefined, i & 1 ? { sessionKey: `s-${i & 1023}` } : undefined);
      if (!r.ok) throw new Error('unexpected failure');
    }
  };
  await run(20_000); // warm-up
  const t0 = process.hrtime.bigint();
  await run(iterations);
  const us = Number(process.hrtime.bigint() - t0) / 1000 / iterations;
  return { label, us };
}

const results = [
  await measure('round-robin', { strategy: 'round-robin' }),
  await measure('round-robin, 50% cooling', { strategy: 'round-robin' }, (r) => {
    for (let i = 0; i < N; i += 2) r.markFailure(`cred-${i}`, MODEL, { status: 429, message: 'q', retryAfterMs: 3_600_000 });
  }),
  await measure('priority', { strategy: 'priority' }),
  await measure('fill-first', { strategy: 'fill-first' }),
  await measure('round-robin + session affinity', { strategy: 'round-robin', sessionAffinity: true }),
];

const worst = Math.max(...results.map((r) => r.us));
for (const r of results) console.error(`  ${r.label}: ${r.us.toFixed(2)} µs/request`);
console.log(`router-select: ${worst.toFixed(2)} µs/request (1000 credentials)`);
