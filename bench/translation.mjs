// Issue 3 benchmarks, measured in one run:
// (a) Anthropic client served by an OpenAI-chat fake upstream vs calling the fake directly (c=32, 20-chunk streams
//     and non-stream): throughput ratio and p99;
// (b) translating a ~1 MB coding-agent request (200 messages, 40 tools) between each format pair vs a bare
//     JSON.parse + JSON.stringify of the same body;
// (c) a translated stream of 100,000 small events vs the same-format pass-through event rate.
import { cliproxyNodeArgs, startProcess } from './spawn.mjs';
import { loadInterleaved, median } from './load.mjs';
import { codecFor } from '../dist/formats/index.js';
import { readSseEvents } from '../dist/upstream/sse-read.js';
import { UpstreamBody } from '../dist/upstream/body.js';
import { frameSse } from '../dist/server/sse.js';
import { restoreModelNames } from '../dist/pipeline/model-name.js';

const DURATION = Number(process.env.BENCH_MS ?? 4000);
const FORMATS = ['openai-chat', 'openai-responses', 'anthropic', 'gemini'];

export async function benchProxyTranslation() {
  const upstream = await startProcess(new URL('./fake-upstream.mjs', import.meta.url).pathname, { CHUNKS: '20' });
  const proxy = await startProcess(new URL('./anthropic-proxy-server.mjs', import.meta.url).pathname, { UPSTREAM: upstream.url }, cliproxyNodeArgs());
  const rows = [];
  try {
    for (const stream of [false, true]) {
      const [direct, proxied] = await loadInterleaved(
        [
          { url: upstream.url, path: '/v1/chat/completions', headers: {}, body: { model: 'bench-up', stream, messages: [{ role: 'user', content: 'hello' }] } },
          {
            url: proxy.url,
            path: '/v1/messages',
            headers: { 'x-api-key': 'bench-key', 'anthropic-version': '2023-06-01' },
            body: { model: 'claude-bench', max_tokens: 100, stream, messages: [{ role: 'user', content: 'hello' }] },
          },
        ],
        { concurrency: 32, durationMs: DURATION },
      );
      rows.push({ stream, direct, proxied });
    }
  } finally {
    upstream.kill();
    proxy.kill();
  }
  console.log('\n== (a) Anthropic client -> cliproxy -> OpenAI-chat fake, concurrency 32 ==');
  console.log('(rps: median of interleaved rounds; ratio: median of the per-round translated/direct ratios; p50/p99 over all rounds)');
  for (const r of rows) {
    console.log(
      `${r.stream ? 'stream    ' : 'non-stream'} direct ${r.direct.rps.toFixed(0)} rps | translated ${r.proxied.rps.toFixed(0)} rps, p50 ${r.proxied.p50.toFixed(2)} ms, p99 ${r.proxied.p99.toFixed(2)} ms | ratio ${r.proxied.ratio.toFixed(2)}x (target >= 0.25x, p99 < 30 ms) errors ${r.direct.errors + r.proxied.errors} | per-round ${r.proxied.rounds.map((p, i) => `${p}/${r.direct.rounds[i]}`).join(' ')}`,
    );
  }
}

/** A canonical coding-agent conversation of about 1 MB: 200 messages, 40 tools. */
export function bigCanonical() {
  const tools = Array.from({ length: 40 }, (_, i) => ({
    name: `tool_${i}`,
    description: `Tool number ${i}. `.repeat(20),
    parameters: { type: 'object', properties: { path: { type: 'string', description: 'file path' }, line: { type: 'integer' }, flags: { type: 'array', items: { type: 'string' } } }, required: ['path'] },
  }));
  const code = 'function example(a, b) {\n  return a + b; // some code here\n}\n'.repeat(140);
  const messages = [];
  for (let i = 0; i < 100; i++) {
    if (i % 2 === 0) {
      messages.push({ role: 'user', content: [{ type: 'text', text: `Please look at file ${i}.\n${code}` }] });
      messages.push({ role: 'assistant', content: [{ type: 'text', text: `Reading file ${i}.` }, { type: 'tool-call', id: `call_${i}`, name: `tool_${i % 40}`, arguments: JSON.stringify({ path: `/src/f${i}.ts`, line: i }) }] });
    } else {
      messages.push({ role: 'user', content: [{ type: 'tool-result', callId: `call_${i - 1}`, name: `tool_${(i - 1) % 40}`, content: [{ type: 'text', text: code }] }] });
      messages.push({ role: 'assistant', content: [{ type: 'text', text: `File ${i} looks fine. ${code.slice(0, 500)}` }] });
    }
  }
  return { model: 'm', system: [{ type: 'text', text: 'You are a coding agent.' }], messages, tools, stream: false, maxOutputTokens: 4096 };
}

function time(fn, minMs = 400) {
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < minMs) {
    fn();
    n++;
  }
  return (performance.now() - start) / n;
}

export function benchRequestTranslation() {
  const canonical = bigCanonical();
  const bodies = Object.fromEntries(FORMATS.map((f) => [f, JSON.stringify(codecFor(f).encodeRequest(canonical, 'm'))]));
  console.log('\n== (b) translating a coding-agent request (200 messages, 40 tools) vs bare JSON.parse+stringify ==');
  let worst = 0;
  // Bare and translated runs are interleaved over several rounds so a noisy moment on this shared machine
  // lands on both sides of the ratio instead of on one measurement.
  const ROUNDS = 5;
  for (const from of FORMATS) {
    const text = bodies[from];
    const targets = FORMATS.filter((to) => to !== from);
    let bare = 0;
    const spent = Object.fromEntries(targets.map((to) => [to, 0]));
    for (let round = 0; round < ROUNDS; round++) {
      bare += time(() => JSON.stringify(JSON.parse(text)), 120) / ROUNDS;
      for (const to of targets) {
        spent[to] += time(() => {
          const c = codecFor(from).decodeRequest(JSON.parse(text));
          JSON.stringify(codecFor(to).encodeRequest(c, 'm'));
        }, 120) / ROUNDS;
      }
    }
    const cells = targets.map((to) => {
      worst = Math.max(worst, spent[to] / bare);
      return `${to} ${(spent[to] / bare).toFixed(2)}x`;
    });
    console.log(`${from.padEnd(17)} (${(text.length / 1e6).toFixed(2)} MB, bare ${bare.toFixed(2)} ms) -> ${cells.join(', ')}`);
  }
  console.log(`worst pair: ${worst.toFixed(2)}x (target <= 1.5x)`);
}

export async function benchStreamRate() {
  const N = 100_000;
  let sse = '';
  const head = '{"id":"chatcmpl-x","object":"chat.completion.chunk","created":1,"model":"up-model","choices":[{"index":0,"delta":{"content":"tok "},"finish_reason":null}]}';
  sse += 'data: {"id":"chatcmpl-x","object":"chat.completion.chunk","created":1,"model":"up-model","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}\n\n';
  for (let i = 0; i < N; i++) sse += `data: ${head}\n\n`;
  sse += 'data: {"id":"chatcmpl-x","object":"chat.completion.chunk","created":1,"model":"up-model","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n';
  const buf = Buffer.from(sse);
  const chunks = [];
  for (let i = 0; i < buf.length; i += 16_384) chunks.push(buf.subarray(i, i + 16_384));

  const run = async (translate) => {
    const start = performance.now();
    let bytes = 0;
    const decoder = codecFor('openai-chat').createStreamDecoder();
    const encoder = codecFor('anthropic').createStreamEncoder({ model: 'claude-x' });
    // The transport's body fed chunk by chunk, as the dispatch handler does, read through the one SSE reader.
    const body = new UpstreamBody();
    const events = readSseEvents(body);
    let next = 0;
    const feed = () => {
      if (next < chunks.length) {
        body.push(chunks[next++]);
        setImmediate(feed);
      } else body.complete();
    };
    feed();
    for await (const batch of events) {
      let out = '';
      if (translate) {
        for (const ev of batch) for (const ce of decoder.push(ev)) for (const o of encoder.push(ce)) out += frameSse(o);
      } else {
        for (const ev of batch) out += frameSse(ev.event ? { event: ev.event, data: restoreModelNames(ev.data, 'gpt-x') } : { data: restoreModelNames(ev.data, 'gpt-x') });
      }
      bytes += out.length;
    }
    return { ms: performance.now() - start, bytes };
  };
  await run(false);
  await run(true);
  // Interleaved rounds, median of the per-round ratios: one stream takes a few hundred ms, and this shared
  // machine's speed drifts more than that between two single measurements.
  const ROUNDS = 5;
  const rounds = [];
  for (let r = 0; r < ROUNDS; r++) {
    const pass = await run(false);
    const tr = await run(true);
    rounds.push({ pass: N / (pass.ms / 1000), tr: N / (tr.ms / 1000) });
  }
  const passRate = median(rounds.map((r) => r.pass));
  const trRate = median(rounds.map((r) => r.tr));
  const ratio = median(rounds.map((r) => r.tr / r.pass));
  console.log('\n== (c) 100,000-event stream: same-format pass-through vs translated (OpenAI chat -> Anthropic) ==');
  console.log(
    `pass-through ${passRate.toFixed(0)} events/s, translated ${trRate.toFixed(0)} events/s (medians of ${ROUNDS} interleaved rounds), ratio ${ratio.toFixed(2)} (median of per-round ratios; target >= 0.50) | per-round ${rounds.map((r) => (r.tr / r.pass).toFixed(2)).join(' ')}`,
  );
}

export async function benchTranslation() {
  await benchProxyTranslation();
  benchRequestTranslation();
  await benchStreamRate();
}

if (import.meta.url === `file://${process.argv[1]}`) await benchTranslation();
