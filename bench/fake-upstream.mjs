// A minimal, fast fake upstream for benchmarks: OpenAI chat completions (stream of N chunks or JSON)
// and Anthropic messages, on 127.0.0.1. Run as a separate process so it does not share the proxy's event loop.
import { createServer } from 'node:http';

const CHUNKS = Number(process.env.CHUNKS ?? 20);
const created = 1_700_000_000;

function chatJson(model) {
  return JSON.stringify({
    id: 'chatcmpl-bench', object: 'chat.completion', created, model,
    choices: [{ index: 0, message: { role: 'assistant', content: 'word '.repeat(CHUNKS) }, finish_reason: 'stop', logprobs: null }],
    usage: { prompt_tokens: 10, completion_tokens: CHUNKS, total_tokens: 10 + CHUNKS },
  });
}

function chatStream(model) {
  const base = `{"id":"chatcmpl-bench","object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"choices":[{"index":0,"delta":`;
  let out = `data: ${base}{"role":"assistant","content":""},"finish_reason":null}]}\n\n`;
  for (let i = 0; i < CHUNKS; i++) out += `data: ${base}{"content":"word "},"finish_reason":null}]}\n\n`;
  out += `data: ${base}{},"finish_reason":"stop"}]}\n\n`;
  // The usage-only chunk of stream_options.include_usage: no choices, the usage object, then [DONE].
  out += `data: ${base.replace('"choices":[{"index":0,"delta":', `"choices":[],"usage":{"prompt_tokens":10,"completion_tokens":${CHUNKS},"total_tokens":${10 + CHUNKS}}}`)}\n\n`;
  out += 'data: [DONE]\n\n';
  return out;
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let body = {};
    try { body = JSON.parse(Buffer.concat(chunks).toString()); } catch {}
    const model = body.model ?? 'm';
    if (body.stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      // One write per event, as a real upstream flushes them.
      const text = chatStream(model);
      for (const ev of text.split(/(?<=\n\n)/)) res.write(ev);
      res.end();
    } else {
      const text = chatJson(model);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`READY ${server.address().port}\n`);
});
