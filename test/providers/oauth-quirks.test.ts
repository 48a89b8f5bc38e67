import { describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendWithFallback, unwrapResponseEvent } from '../../src/providers/unwrap.js';
import { sendUpstream, TransportError } from '../../src/upstream/send.js';
import { directDispatcher } from '../../src/upstream/dispatcher.js';
import { antigravityRequest } from '../../src/providers/antigravity.js';
import { geminiCliExecutor } from '../../src/providers/gemini-cli.js';
import { applyInstructions, foldResponsesSse, INSTRUCTIONS_PREFIX } from '../../src/providers/codex-oauth.js';
import { withClaudeCodeSystem, CLAUDE_CODE_SYSTEM } from '../../src/providers/claude-oauth.js';
import type { Credential } from '../../src/credentials/types.js';

async function server(status: number): Promise<{ url: string; hits: number; close: () => void }> {
  const s = { url: '', hits: 0, close: () => {} };
  const srv = createServer((_req, res) => {
    s.hits++;
    res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  s.url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  s.close = () => srv.close();
  return s;
}

describe('antigravity base-URL fallback', () => {
  it('moves to the next base URL after a 429 or a transport error', async () => {
    const limited = await server(429);
    const ok = await server(200);
    const signal = new AbortController().signal;
    const r = await sendWithFallback({ url: `${limited.url}/x`, fallbackUrls: ['http://127.0.0.1:1/x', `${ok.url}/x`], method: 'POST', headers: {}, body: '{}' }, directDispatcher(), signal, sendUpstream);
    expect(r.status).toBe(200);
    expect([limited.hits, ok.hits]).toEqual([1, 1]);
    await expect(sendWithFallback({ url: 'http://127.0.0.1:1/x', method: 'POST', headers: {} }, directDispatcher(), signal, sendUpstream)).rejects.toBeInstanceOf(TransportError);
    limited.close();
    ok.close();
  });
});

describe('antigravity request shaping', () => {
  it('Claude models: parametersJsonSchema renamed, unsupported schema keys dropped, anyOf collapsed', () => {
    const req = antigravityRequest(
      {
        contents: [],
        safetySettings: [{}],
        tools: [{ functionDeclarations: [{ name: 'f', parametersJsonSchema: { $schema: 'x', type: 'object', properties: { a: { anyOf: [{ type: 'string', maxLength: 3 }, { type: 'null' }] } } } }] }],
        generationConfig: { thinkingConfig: { thinkingBudget: 500 }, maxOutputTokens: 2000 },
      },
      'claude-sonnet-4-5-thinking',
    );
    expect(req.safetySettings).toBeUndefined();
    expect((req.tools as any)[0].functionDeclarations[0]).toEqual({ name: 'f', parameters: { type: 'object', properties: { a: { type: 'string' } } } });
    expect((req.generationConfig as any).thinkingConfig).toBeUndefined();
  });

  it('non-Claude models lose maxOutputTokens; thinkingLevel becomes budget -1 before gemini-3', () => {
    const req = antigravityRequest({ contents: [], generationConfig: { maxOutputTokens: 10, thinkingConfig: { thinkingLevel: 'HIGH' } } }, 'gemini-2.5-flash');
    expect(req.generationConfig).toEqual({ thinkingConfig: { thinkingBudget: -1 } });
  });
});

describe('gemini-cli envelope', () => {
  it('countTokens sends only the request, without safetySettings, and unwraps answers', async () => {
    const cred = { id: 'c', provider: 'gemini-cli', kind: 'gemini-cli', label: 'c', source: 'file', headers: {}, models: [], priority: 0, attributes: { project: 'p' }, baseUrl: 'http://h' } as Credential;
    const req = await geminiCliExecutor.prepare({ credential: cred, body: { contents: [{ parts: [{ text: 'x' }] }], safetySettings: [] }, upstreamModel: 'gemini-2.5-pro', stream: false, operation: 'count-tokens', clientHeaders: {} });
    expect(req.url).toBe('http://h/v1internal:countTokens');
    expect(JSON.parse(String(req.body))).toEqual({ request: { contents: [{ parts: [{ text: 'x' }] }] } });
    expect(unwrapResponseEvent({ data: '{"response":{"candidates":[]},"traceId":"t"}' })).toEqual({ data: '{"candidates":[]}' });
    expect(geminiCliExecutor.unwrapBody!('{"response":{"totalTokens":3}}')).toBe('{"totalTokens":3}');
  });
});

describe('codex and claude OAuth quirks', () => {
  it('official instructions replace the caller’s, which move into the first user message', () => {
    const out = applyInstructions({ instructions: 'be brief', input: [{ type: 'message', role: 'user', content: 'hi' }] }, 'OFFICIAL PROMPT');
    expect(out.instructions).toBe('OFFICIAL PROMPT');
    expect((out.input as any)[0].content[0].text).toBe(`${INSTRUCTIONS_PREFIX}\nbe brief`);
    const same = applyInstructions({ instructions: 'OFFICIAL PROMPT and more', input: [] }, 'OFFICIAL PROMPT');
    expect(same.input).toEqual([]);
    expect(applyInstructions({ input: [] }, undefined).instructions).toBe('');
  });

  it('folds an SSE-only answer into its completed response; JSON bodies pass', () => {
    const sse = 'event: response.created\ndata: {"type":"response.created"}\n\nevent: response.completed\ndata: {"type":"response.completed","response":{"id":"r1","status":"completed"}}\n\n';
    expect(JSON.parse(foldResponsesSse(sse))).toEqual({ id: 'r1', status: 'completed' });
    expect(foldResponsesSse('{"id":"x"}')).toBe('{"id":"x"}');
    expect(JSON.parse(foldResponsesSse('data: {"type":"response.created"}\n\n')).error.code).toBe('stream_incomplete');
  });

  it('keeps a string or array system prompt after the Claude Code line, once', () => {
    const head = { type: 'text', text: CLAUDE_CODE_SYSTEM };
    expect(withClaudeCodeSystem(undefined)).toEqual([head]);
    expect(withClaudeCodeSystem([{ type: 'text', text: 'mine' }])).toEqual([head, { type: 'text', text: 'mine' }]);
    expect(withClaudeCodeSystem([head, { type: 'text', text: 'mine' }])).toEqual([head, { type: 'text', text: 'mine' }]);
  });
});
