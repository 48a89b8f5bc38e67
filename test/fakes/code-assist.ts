import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderJson, renderStream, type RecordedCall } from './upstream.js';

/**
 * A fake Code Assist backend (`/v1internal:*`, used by Gemini CLI and Antigravity) on 127.0.0.1: answers are
 * Gemini responses wrapped as `{"response": ...}`, per SSE event when streaming, as the real service does.
 */
export interface CodeAssistCall {
  path: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: any;
}

export interface FakeCodeAssist {
  url: string;
  calls: CodeAssistCall[];
  /** Upstream model names returned by fetchAvailableModels. */
  models: string[];
  /** Status to answer generate calls with (e.g. 429 to test fallback); 200 = answer. */
  status: number;
  close(): Promise<void>;
}

export async function startFakeCodeAssist(): Promise<FakeCodeAssist> {
  const fake: FakeCodeAssist = { url: '', calls: [], models: ['gemini-2.5-flash', 'claude-sonnet-4-5', 'gemini-3-pro-high', 'chat_20706'], status: 200, close: async () => {} };
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body = text ? JSON.parse(text) : {};
    const url = new URL(req.url ?? '/', 'http://x');
    fake.calls.push({ path: url.pathname, url: req.url ?? '', headers: req.headers, body });
    const json = (status: number, b: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(b));
    if (url.pathname.endsWith('/v1internal:fetchAvailableModels')) return json(200, { models: Object.fromEntries(fake.models.map((m) => [m, { displayName: m }])) });
    if (url.pathname.endsWith('/v1internal:countTokens')) return json(200, { totalTokens: 7 });
    if (fake.status !== 200) return json(fake.status, { error: { code: fake.status, message: 'quota', status: 'RESOURCE_EXHAUSTED' } });
    const stream = url.pathname.endsWith(':streamGenerateContent');
    const call = { format: 'gemini', model: body.model, stream, body: body.request } as unknown as RecordedCall;
    const answer = { text: 'Hello from code assist', inputTokens: 3, outputTokens: 4 };
    if (!stream) return json(200, { response: renderJson(call, answer), traceId: 't1' });
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const ev of renderStream(call, answer)) {
      const data = ev.replace(/^data: /, '').trimEnd();
      res.write(`data: {"response":${data},"traceId":"t1"}\n\n`);
    }
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return fake;
}
