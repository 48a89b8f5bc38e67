import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { renderJson, renderStream, type RecordedCall } from '../fakes/upstream.js';

/**
 * A fake ampcode.com on 127.0.0.1: answers the JSON-RPC control plane the way the Amp CLI needs
 * (CLIENT-FACTS.md), serves model calls forwarded to it (answering "from amp upstream"), and on request answers
 * gzip without a Content-Encoding header or streams SSE. Records everything it receives.
 */
export interface AmpRecord {
  method: string;
  path: string;
  url: string;
  headers: IncomingMessage['headers'];
  text: string;
  body: any;
}

export interface FakeAmp {
  url: string;
  records: AmpRecord[];
  /** Optional override: answer a request yourself (return true when handled). */
  override?: (rec: AmpRecord, res: ServerResponse) => boolean | Promise<boolean>;
  /** The records whose path starts with `prefix`. */
  at(prefix: string): AmpRecord[];
  close(): Promise<void>;
}

export const AMP_UPSTREAM_TEXT = 'Hello from the Amp upstream';

export async function startFakeAmp(): Promise<FakeAmp> {
  const fake: FakeAmp = {
    url: '',
    records: [],
    at: (prefix) => fake.records.filter((r) => r.path.startsWith(prefix)),
    close: async () => {},
  };
  const server: Server = createServer((req, res) => void handle(fake, req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return fake;
}

async function handle(fake: FakeAmp, req: IncomingMessage, res: ServerResponse): Promise<void> {
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
  const rec: AmpRecord = { method: req.method ?? 'GET', path: url.pathname, url: req.url ?? '', headers: req.headers, text, body };
  fake.records.push(rec);
  if (fake.override && (await fake.override(rec, res))) return;

  if (url.pathname === '/api/internal') return json(res, 200, internalAnswer(url, body));
  if (url.pathname === '/api/user') return json(res, 200, { id: 'user-1', email: 'dev@example.com' });
  if (url.pathname === '/news.rss') {
    // ampcode.com has been seen answering gzip bodies without declaring Content-Encoding.
    const gz = gzipSync(Buffer.from('<rss><channel><title>Amp news</title></channel></rss>'));
    res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-length': gz.length });
    return void res.end(gz);
  }
  if (url.pathname === '/api/threads/stream') {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.flushHeaders();
    for (let i = 0; i < 3; i++) res.write(`data: {"n":${i}}\n\n`);
    return void res.end();
  }
  const provider = /^\/api\/provider\/[^/]+\//.exec(url.pathname);
  if (provider) return answerModelCall(url, body, res);
  json(res, 200, { ok: true, path: url.pathname });
}

/** JSON-RPC answers the Amp CLI accepts (a bare `{}` crashes it). */
function internalAnswer(url: URL, body: any): unknown {
  const method = (body && typeof body === 'object' && body.method) || [...url.searchParams.keys()][0];
  switch (method) {
    case 'getUserInfo':
      return { ok: true, result: { id: 'user-1', email: 'dev@example.com', username: 'dev', features: [] } };
    case 'loadPlugins':
      return { ok: true, result: [] };
    case 'getThread':
      return { ok: false, error: { code: 'thread-not-found', message: 'thread not found' } };
    default:
      return { ok: true, result: null };
  }
}

/** Model calls that reached ampcode.com: answered in the caller's format with a recognisable text. */
function answerModelCall(url: URL, body: any, res: ServerResponse): void {
  const g = /\/models\/([^/:]+):(\w+)$/.exec(url.pathname);
  const format: RecordedCall['format'] = g
    ? 'gemini'
    : url.pathname.endsWith('/chat/completions')
      ? 'openai-chat'
      : url.pathname.endsWith('/responses')
        ? 'openai-responses'
        : 'anthropic';
  const model = g ? decodeURIComponent(g[1]!) : String(body?.model ?? '');
  const stream = g ? g[2] === 'streamGenerateContent' : body?.stream === true;
  const call = { format, model, stream, body } as RecordedCall;
  const answer = { text: AMP_UPSTREAM_TEXT };
  if (stream) {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const ev of renderStream(call, answer)) res.write(ev);
    return void res.end();
  }
  json(res, 200, renderJson(call, answer));
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const t = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(t) });
  res.end(t);
}
