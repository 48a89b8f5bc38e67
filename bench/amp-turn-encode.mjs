// Native Amp turn preparation: what it costs to encode and serialise one turn's upstream request from a long
// stored thread and an Amp-sized tool set, with the thread's history and tool list stable (as the thread actor
// keeps them: each message and tool encoded and serialised once) and fresh (everything rebuilt per call, as for
// an ordinary HTTP request). Runs against the built dist/ (npm run build).
import { toCanonicalMessages, toolDefinitions } from '../dist/amp/native/convert.js';
import { markStable } from '../dist/ir/stable.js';
import { codecFor } from '../dist/formats/index.js';
import { serializeBody } from '../dist/util/frozen-json.js';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 600);
const TOOLS = 25;
const ROUNDS = 300;

const description = 'Use this tool to inspect or change the workspace. '.repeat(40);
const schema = { type: 'object', properties: { path: { type: 'string', description: 'Absolute path' }, offset: { type: 'integer', minimum: 0 }, limit: { type: 'integer' }, options: { type: 'object', properties: { recursive: { type: 'boolean' }, pattern: { type: 'string' } }, additionalProperties: false }, items: { type: 'array', items: { type: 'string' } } }, required: ['path'], additionalProperties: false, $schema: 'http://json-schema.org/draft-07/schema#' };
const executorTools = Array.from({ length: TOOLS }, (_, i) => ({ name: `tool_${i}`, description, inputSchema: schema }));
const stored = Array.from({ length: MESSAGES }, (_, i) => ({
  seq: i + 1,
  message: i % 2
    ? { role: 'assistant', content: [{ type: 'text', text: `Looked at file ${i}; the function adds two numbers.` }] }
    : { role: 'user', content: [{ type: 'text', text: `Please explain what src/file${i}.ts does and whether it has bugs.` }] },
}));

const MODELS = { anthropic: 'claude-sonnet-4-5', 'openai-chat': 'gpt-4o', 'openai-responses': 'gpt-5', gemini: 'gemini-2.5-pro' };

function time(fn) {
  for (let i = 0; i < 30; i++) fn();
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    for (let i = 0; i < ROUNDS; i++) fn();
    best = Math.min(best, ((performance.now() - t) * 1000) / ROUNDS);
  }
  return best;
}

export function benchAmpTurnEncode() {
  console.log(`\n== native Amp turn preparation: ${MESSAGES} stored messages + ${TOOLS} tools, encode + serialise to bytes per model call (µs, best of 3) ==`);
  const stableTools = markStable(toolDefinitions(executorTools, false));
  for (const [format, model] of Object.entries(MODELS)) {
    const { encodeRequest } = codecFor(format);
    const request = (messages, tools) => ({ model, system: [{ type: 'text', text: 'You are Amp.' }], messages, tools, stream: true, maxOutputTokens: 32000 });
    // Fresh: the same conversation as canonical messages not marked stable (a clone drops the mark), and a new
    // tool list per call: every message and tool is encoded and the whole body serialised each time.
    const plain = structuredClone(toCanonicalMessages(stored));
    // Both end as the UTF-8 bytes that go on the wire (undici encodes a string body with Buffer.from).
    const fresh = time(() => Buffer.from(JSON.stringify(encodeRequest(request(plain, toolDefinitions(executorTools, false)), model))));
    // Stable: converted once and copied per call as a list of references, as ThreadActor.canonicalHistory does.
    const history = toCanonicalMessages(stored);
    const stable = time(() => serializeBody(encodeRequest(request(history.slice(), stableTools), model)));
    console.log(`${format.padEnd(17)} fresh ${fresh.toFixed(0).padStart(6)}   stable thread ${stable.toFixed(0).padStart(5)}   (${(fresh / stable).toFixed(1)}x less)`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) benchAmpTurnEncode();
