import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake upstream on 127.0.0.1 that speaks all four wire formats the way the real services do: JSON bodies,
 * SSE framing with `event:` lines where the real API has them, `[DONE]`, usage, error bodies and statuses.
 * Routes: OpenAI chat `/v1/chat/completions` (any prefix), Responses `/responses`, Anthropic `/v1/messages`
 * (+ count_tokens), Gemini `/v1beta/models/{m}:{method}` and Vertex `/v1/publishers/google/models/{m}:{method}`.
 */
export interface FakeToolCall {
  id: string;
  name: string;
  args: Record<string, unknown>;
}

export interface FakeAnswer {
  text?: string;
  reasoning?: string;
  /** Anthropic thinking signature (Anthropic only). */
  signature?: string;
  toolCalls?: FakeToolCall[];
  /** Split text into this many chunks when streaming (default 2). */
  chunks?: number;
  inputTokens?: number;
  outputTokens?: number;
  finish?: 'stop' | 'length';
}

export type FakeReply =
  | { kind: 'answer'; answer: FakeAnswer; delayMs?: number; eventDelayMs?: number }
  | { kind: 'error'; status: number; body: unknown; headers?: Record<string, string> }
  | { kind: 'raw'; status: number; headers: Record<string, string>; body: string }
  /** Send headers + the first `afterEvents` events, then destroy the socket. */
  | { kind: 'reset-mid-stream'; answer: FakeAnswer; afterEvents: number }
  /** Send headers and then nothing for `silenceMs`, then the answer. */
  | { kind: 'silent-then-answer'; silenceMs: number; answer: FakeAnswer };

export interface RecordedCall {
  method: string;
  path: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: any;
  format: 'openai-chat' | 'openai-responses' | 'anthropic' | 'gemini' | 'other';
  stream: boolean;
  model: string;
  aborted: boolean;
}

export interface FakeUpstream {
  url: string;
  calls: RecordedCall[];
  /** Decide each reply (default: a short text answer). */
  reply: (call: RecordedCall) => FakeReply;
  close(): Promise<void>;
}

const DEFAULT_ANSWER: FakeAnswer = { text: 'Hello from fake upstream', inputTokens: 11, outputTokens: 5 };

export async function startFakeUpstream(reply?: (call: RecordedCall) => FakeReply): Promise<FakeUpstream> {
  const fake: FakeUpstream = {
    url: '',
    calls: [],
    reply: reply ?? (() => ({ kind: 'answer', answer: DEFAULT_ANSWER })),
    close: async () => {},
  };
  const server: Server = createServer((req, res) => void handle(fake, req, res));
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return fake;
}

function classify(path: string, body: any, url: URL): Pick<RecordedCall, 'format' | 'stream' | 'model'> {
  const g = /\/models\/([^/:]+):(\w+)$/.exec(path);
  if (g) return { format: 'gemini', stream: g[2] === 'streamGenerateContent', model: decodeURIComponent(g[1]!) };
  if (path.endsWith('/chat/completions')) return { format: 'openai-chat', stream: body?.stream === true, model: body?.model };
  if (path.endsWith('/responses')) return { format: 'openai-responses', stream: body?.stream === true, model: body?.model };
  if (path.endsWith('/v1/messages') || path.endsWith('/v1/messages/count_tokens')) return { format: 'anthropic', stream: body?.stream === true, model: body?.model };
  void url;
  return { format: 'other', stream: false, model: body?.model ?? '' };
}

async function handle(fake: FakeUpstream, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  let body: any;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  const url = new URL(req.url ?? '/', 'http://x');
  const call: RecordedCall = { method: req.method ?? 'GET', path: url.pathname, url: req.url ?? '', headers: req.headers, body, aborted: false, ...classify(url.pathname, body, url) };
  fake.calls.push(call);
  res.on('close', () => {
    if (!res.writableFinished) call.aborted = true;
  });
  if (url.pathname.endsWith('/count_tokens')) return json(res, 200, { input_tokens: 42 });
  if (url.pathname.endsWith(':countTokens')) return json(res, 200, { totalTokens: 42 });
  const r = fake.reply(call);
  if (r.kind === 'error') return json(res, r.status, r.body, r.headers);
  if (r.kind === 'raw') {
    res.writeHead(r.status, r.headers);
    res.end(r.body);
    return;
  }
  const answer = r.answer;
  if (r.kind === 'answer' && r.delayMs) await sleep(r.delayMs);
  if (!call.stream) return json(res, 200, renderJson(call, answer));
  const events = renderStream(call, answer);
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.flushHeaders();
  if (r.kind === 'silent-then-answer') await sleep(r.silenceMs);
  for (let i = 0; i < events.length; i++) {
    if (r.kind === 'reset-mid-stream' && i === r.afterEvents) {
      await sleep(20);
      res.socket?.destroy();
      return;
    }
    if (res.destroyed) return;
    res.write(events[i]);
    if (r.kind === 'answer' && r.eventDelayMs) await sleep(r.eventDelayMs);
  }
  res.end();
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const t = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(t), ...headers });
  res.end(t);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function split(text: string, n: number): string[] {
  if (!text) return [];
  const size = Math.max(1, Math.ceil(text.length / n));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

const sse = (data: unknown, event?: string) => `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;

export function renderJson(call: RecordedCall, a: FakeAnswer): unknown {
  const inTok = a.inputTokens ?? 11;
  const outTok = a.outputTokens ?? 5;
  const tools = a.toolCalls ?? [];
  switch (call.format) {
    case 'openai-chat':
      return {
        id: 'chatcmpl-fake1',
        object: 'chat.completion',
        created: 1_700_000_000,
        model: call.model,
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: a.text ?? null,
              ...(a.reasoning ? { reasoning_content: a.reasoning } : {}),
              ...(tools.length ? { tool_calls: tools.map((t) => ({ id: t.id, type: 'function', function: { name: t.name, arguments: JSON.stringify(t.args) } })) } : {}),
            },
            finish_reason: tools.length ? 'tool_calls' : a.finish === 'length' ? 'length' : 'stop',
            logprobs: null,
          },
        ],
        usage: { prompt_tokens: inTok, completion_tokens: outTok, total_tokens: inTok + outTok },
      };
    case 'anthropic':
      return {
        id: 'msg_fake1',
        type: 'message',
        role: 'assistant',
        model: call.model,
        content: [
          ...(a.reasoning ? [{ type: 'thinking', thinking: a.reasoning, signature: a.signature ?? 'sig-fake' }] : []),
          ...(a.text ? [{ type: 'text', text: a.text }] : []),
          ...tools.map((t) => ({ type: 'tool_use', id: t.id, name: t.name, input: t.args })),
        ],
        stop_reason: tools.length ? 'tool_use' : a.finish === 'length' ? 'max_tokens' : 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: inTok, output_tokens: outTok },
      };
    case 'gemini':
      return {
        candidates: [
          {
            content: {
              role: 'model',
              parts: [
                ...(a.reasoning ? [{ text: a.reasoning, thought: true }] : []),
                ...(a.text ? [{ text: a.text }] : []),
                ...tools.map((t) => ({ functionCall: { name: t.name, args: t.args } })),
              ],
            },
            finishReason: a.finish === 'length' ? 'MAX_TOKENS' : 'STOP',
            index: 0,
          },
        ],
        usageMetadata: { promptTokenCount: inTok, candidatesTokenCount: outTok, totalTokenCount: inTok + outTok },
        modelVersion: call.model,
        responseId: 'fake-resp-1',
      };
    case 'openai-responses':
      return responsesObject(call, a, 'completed');
    default:
      return { ok: true };
  }
}

function responsesObject(call: RecordedCall, a: FakeAnswer, status: string): Record<string, unknown> {
  const inTok = a.inputTokens ?? 11;
  const outTok = a.outputTokens ?? 5;
  const output: unknown[] = [];
  if (a.reasoning) output.push({ id: 'rs_fake1', type: 'reasoning', summary: [{ type: 'summary_text', text: a.reasoning }] });
  if (a.text) output.push({ id: 'msg_fake1', type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: a.text, annotations: [] }] });
  for (const t of a.toolCalls ?? []) output.push({ id: `fc_${t.id}`, type: 'function_call', status: 'completed', call_id: t.id, name: t.name, arguments: JSON.stringify(t.args) });
  return {
    id: 'resp_fake1',
    object: 'response',
    created_at: 1_700_000_000,
    status,
    model: call.model,
    output,
    usage: { input_tokens: inTok, input_tokens_details: { cached_tokens: 0 }, output_tokens: outTok, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: inTok + outTok },
  };
}

export function renderStream(call: RecordedCall, a: FakeAnswer): string[] {
  const pieces = split(a.text ?? '', a.chunks ?? 2);
  const inTok = a.inputTokens ?? 11;
  const outTok = a.outputTokens ?? 5;
  const tools = a.toolCalls ?? [];
  const out: string[] = [];
  switch (call.format) {
    case 'openai-chat': {
      const base = { id: 'chatcmpl-fake1', object: 'chat.completion.chunk', created: 1_700_000_000, model: call.model };
      out.push(sse({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }));
      if (a.reasoning) out.push(sse({ ...base, choices: [{ index: 0, delta: { reasoning_content: a.reasoning }, finish_reason: null }] }));
      for (const p of pieces) out.push(sse({ ...base, choices: [{ index: 0, delta: { content: p }, finish_reason: null }] }));
      tools.forEach((t, i) => {
        const args = JSON.stringify(t.args);
        const half = Math.floor(args.length / 2);
        out.push(sse({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: i, id: t.id, type: 'function', function: { name: t.name, arguments: '' } }] }, finish_reason: null }] }));
        out.push(sse({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: i, function: { arguments: args.slice(0, half) } }] }, finish_reason: null }] }));
        out.push(sse({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: i, function: { arguments: args.slice(half) } }] }, finish_reason: null }] }));
      });
      out.push(sse({ ...base, choices: [{ index: 0, delta: {}, finish_reason: tools.length ? 'tool_calls' : a.finish === 'length' ? 'length' : 'stop' }] }));
      if (call.body?.stream_options?.include_usage) out.push(sse({ ...base, choices: [], usage: { prompt_tokens: inTok, completion_tokens: outTok, total_tokens: inTok + outTok } }));
      out.push(sse('[DONE]'));
      return out;
    }
    case 'anthropic': {
      out.push(sse({ type: 'message_start', message: { id: 'msg_fake1', type: 'message', role: 'assistant', model: call.model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: inTok, output_tokens: 1 } } }, 'message_start'));
      let index = 0;
      if (a.reasoning) {
        out.push(sse({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } }, 'content_block_start'));
        out.push(sse({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: a.reasoning } }, 'content_block_delta'));
        out.push(sse({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: a.signature ?? 'sig-fake' } }, 'content_block_delta'));
        out.push(sse({ type: 'content_block_stop', index }, 'content_block_stop'));
        index++;
      }
      if (pieces.length) {
        out.push(sse({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } }, 'content_block_start'));
        out.push(sse({ type: 'ping' }, 'ping'));
        for (const p of pieces) out.push(sse({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: p } }, 'content_block_delta'));
        out.push(sse({ type: 'content_block_stop', index }, 'content_block_stop'));
        index++;
      }
      for (const t of tools) {
        const args = JSON.stringify(t.args);
        const half = Math.floor(args.length / 2);
        out.push(sse({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: t.id, name: t.name, input: {} } }, 'content_block_start'));
        out.push(sse({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: args.slice(0, half) } }, 'content_block_delta'));
        out.push(sse({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: args.slice(half) } }, 'content_block_delta'));
        out.push(sse({ type: 'content_block_stop', index }, 'content_block_stop'));
        index++;
      }
      out.push(sse({ type: 'message_delta', delta: { stop_reason: tools.length ? 'tool_use' : a.finish === 'length' ? 'max_tokens' : 'end_turn', stop_sequence: null }, usage: { output_tokens: outTok } }, 'message_delta'));
      out.push(sse({ type: 'message_stop' }, 'message_stop'));
      return out;
    }
    case 'gemini': {
      const chunk = (parts: unknown[], extra: Record<string, unknown> = {}) => sse({ candidates: [{ content: { role: 'model', parts }, index: 0, ...extra }], modelVersion: call.model, responseId: 'fake-resp-1' });
      if (a.reasoning) out.push(chunk([{ text: a.reasoning, thought: true }]));
      for (const p of pieces) out.push(chunk([{ text: p }]));
      if (tools.length) out.push(chunk(tools.map((t) => ({ functionCall: { name: t.name, args: t.args } }))));
      out.push(
        sse({
          candidates: [{ content: { role: 'model', parts: [{ text: '' }] }, finishReason: a.finish === 'length' ? 'MAX_TOKENS' : 'STOP', index: 0 }],
          usageMetadata: { promptTokenCount: inTok, candidatesTokenCount: outTok, totalTokenCount: inTok + outTok },
          modelVersion: call.model,
          responseId: 'fake-resp-1',
        }),
      );
      return out;
    }
    case 'openai-responses': {
      let seq = 0;
      const ev = (type: string, data: Record<string, unknown>) => sse({ type, sequence_number: seq++, ...data }, type);
      const base = responsesObject(call, a, 'in_progress');
      out.push(ev('response.created', { response: { ...base, output: [], usage: null } }));
      out.push(ev('response.in_progress', { response: { ...base, output: [], usage: null } }));
      let oi = 0;
      if (a.reasoning) {
        const item = { id: 'rs_fake1', type: 'reasoning', summary: [] as unknown[] };
        out.push(ev('response.output_item.added', { output_index: oi, item }));
        out.push(ev('response.reasoning_summary_part.added', { item_id: item.id, output_index: oi, summary_index: 0, part: { type: 'summary_text', text: '' } }));
        out.push(ev('response.reasoning_summary_text.delta', { item_id: item.id, output_index: oi, summary_index: 0, delta: a.reasoning }));
        out.push(ev('response.reasoning_summary_text.done', { item_id: item.id, output_index: oi, summary_index: 0, text: a.reasoning }));
        out.push(ev('response.reasoning_summary_part.done', { item_id: item.id, output_index: oi, summary_index: 0, part: { type: 'summary_text', text: a.reasoning } }));
        out.push(ev('response.output_item.done', { output_index: oi, item: { ...item, summary: [{ type: 'summary_text', text: a.reasoning }] } }));
        oi++;
      }
      if (pieces.length) {
        const id = 'msg_fake1';
        out.push(ev('response.output_item.added', { output_index: oi, item: { id, type: 'message', status: 'in_progress', role: 'assistant', content: [] } }));
        out.push(ev('response.content_part.added', { item_id: id, output_index: oi, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } }));
        for (const p of pieces) out.push(ev('response.output_text.delta', { item_id: id, output_index: oi, content_index: 0, delta: p }));
        out.push(ev('response.output_text.done', { item_id: id, output_index: oi, content_index: 0, text: a.text }));
        out.push(ev('response.content_part.done', { item_id: id, output_index: oi, content_index: 0, part: { type: 'output_text', text: a.text, annotations: [] } }));
        out.push(ev('response.output_item.done', { output_index: oi, item: { id, type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: a.text, annotations: [] }] } }));
        oi++;
      }
      for (const t of tools) {
        const args = JSON.stringify(t.args);
        const half = Math.floor(args.length / 2);
        const item = { id: `fc_${t.id}`, type: 'function_call', status: 'in_progress', call_id: t.id, name: t.name, arguments: '' };
        out.push(ev('response.output_item.added', { output_index: oi, item }));
        out.push(ev('response.function_call_arguments.delta', { item_id: item.id, output_index: oi, delta: args.slice(0, half) }));
        out.push(ev('response.function_call_arguments.delta', { item_id: item.id, output_index: oi, delta: args.slice(half) }));
        out.push(ev('response.function_call_arguments.done', { item_id: item.id, output_index: oi, arguments: args }));
        out.push(ev('response.output_item.done', { output_index: oi, item: { ...item, status: 'completed', arguments: args } }));
        oi++;
      }
      out.push(ev('response.completed', { response: responsesObject(call, a, 'completed') }));
      return out;
    }
    default:
      return [sse({ ok: true })];
  }
}
