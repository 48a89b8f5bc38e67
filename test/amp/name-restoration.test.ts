import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderJson, renderStream, type RecordedCall } from '../fakes/upstream.js';
import { startProxy, type RunningProxy } from '../helpers/proxy.js';
import { CLIENT_KEY, call, sseData } from './helpers.js';

/**
 * A Responses upstream that cuts every SSE event in the middle of its `"model":"..."` value and sends the halves
 * as separate writes, so the proxy sees events spanning network chunks.
 */
let server: Server;
let upstreamUrl = '';
let proxy: RunningProxy;
const writes: number[] = [];

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const rc = { format: 'openai-responses', model: body.model, stream: body.stream === true, body } as RecordedCall;
    const answer = { text: 'split stream text', chunks: 3, toolCalls: [{ id: 'call_1', name: 'read_file', args: { path: 'a' } }] };
    if (!rc.stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify(renderJson(rc, answer)));
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.flushHeaders();
    let n = 0;
    for (const ev of renderStream(rc, answer)) {
      const cut = ev.indexOf('"model":"');
      const parts = cut > 0 ? [ev.slice(0, cut + 12), ev.slice(cut + 12)] : [ev.slice(0, 10), ev.slice(10)];
      for (const p of parts) {
        await new Promise<void>((r) => res.write(p, () => r()));
        // Give the socket a turn so each half leaves as its own segment.
        await new Promise((r) => setTimeout(r, 2));
        n++;
      }
    }
    writes.push(n);
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  upstreamUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy = await startProxy({
    'api-keys': [CLIENT_KEY],
    'codex-api-key': [{ 'api-key': 'sk-codex', 'base-url': `${upstreamUrl}/v1`, models: [{ name: 'gpt-5-upstream-name', alias: 'local-codex' }] }],
    ampcode: { 'model-mappings': [{ from: 'gpt-5.4', to: 'local-codex' }] },
  });
});

afterAll(async () => {
  await proxy?.close();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('name restoration on mapped Responses calls', () => {
  it('every streamed event names the requested model, even when events span network chunks', async () => {
    const r = await call(proxy.url, '/api/provider/openai/v1/responses', { model: 'gpt-5.4', input: 'hi', stream: true, tools: [{ type: 'function', name: 'Read_File', parameters: { type: 'object' } }] });
    expect(r.headers.get('x-cliproxy-route')).toBe('mapped');
    expect(writes.at(-1)).toBeGreaterThan(20);
    expect(r.text).not.toContain('gpt-5-upstream-name');
    const events = sseData(r.text);
    const withResponse = events.filter((e) => e.response);
    expect(withResponse.map((e) => e.type)).toEqual(['response.created', 'response.in_progress', 'response.completed']);
    for (const e of withResponse) expect(e.response.model).toBe('gpt-5.4');
    expect(events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta).join('')).toBe('split stream text');
    // Tool names come back in the request's casing, in the item events and in the final response.
    const added = events.find((e) => e.type === 'response.output_item.added' && e.item.type === 'function_call');
    expect(added.item.name).toBe('Read_File');
    const completed = events.find((e) => e.type === 'response.completed');
    expect(completed.response.output.find((o: any) => o.type === 'function_call').name).toBe('Read_File');
  });

  it('a suffixed request keeps its suffix in the reported name', async () => {
    const r = await call(proxy.url, '/api/provider/openai/v1/responses', { model: 'gpt-5.4(high)', input: 'hi' });
    expect(r.headers.get('x-cliproxy-route')).toBe('mapped');
    expect(r.json.model).toBe('gpt-5.4(high)');
  });
});
