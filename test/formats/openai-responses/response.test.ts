import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openAIResponsesCodec as codec } from '../../../src/formats/openai-responses/index.js';
import type { CanonicalRequest, CanonicalResponse } from '../../../src/ir/index.js';
import { canonicalResponse } from './arbitraries.js';

const fixture = JSON.parse(
  readFileSync(new URL('../../fixtures/openai-responses/response.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

describe('openai-responses decodeResponse', () => {
  it('decodes reasoning, text, function calls and usage; skips hosted-tool items', () => {
    const res = codec.decodeResponse(fixture);
    expect(res).toEqual({
      id: 'resp_68af4030592c81938ec0a5fbab4a3e9f05438e46b5f69a3b',
      model: 'gpt-5-2025-08-07',
      created: 1756315696,
      content: [
        {
          type: 'reasoning',
          text: '**Checking weather**',
          family: 'openai',
          signature: 'gAAAAABor0Aw...',
          itemId: 'rs_68af4030baa48193b0b43b4c2a176a1a05438e46b5f69a3b',
        },
        { type: 'text', text: 'Let me check.' },
        { type: 'tool-call', id: 'call_YpPvQzLLVfoWUAu0Rr5gbpIl', name: 'get_weather', arguments: '{"location":"Paris"}' },
      ],
      finishReason: 'tool-calls',
      rawFinishReason: 'completed',
      usage: { inputTokens: 75, outputTokens: 218, cachedInputTokens: 10, reasoningTokens: 192 },
    });
  });

  it('maps incomplete and failed statuses', () => {
    const base = { id: 'resp_1', model: 'm', output: [] };
    expect(codec.decodeResponse({ ...base, status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } }).finishReason).toBe('length');
    expect(codec.decodeResponse({ ...base, status: 'incomplete', incomplete_details: { reason: 'content_filter' } }).finishReason).toBe('content-filter');
    expect(codec.decodeResponse({ ...base, status: 'failed' }).finishReason).toBe('error');
    expect(codec.decodeResponse({ ...base, status: 'completed' }).finishReason).toBe('stop');
    expect(() => codec.decodeResponse({ output: 'nonsense' })).not.toThrow();
  });
});

describe('openai-responses encodeResponse', () => {
  const request: CanonicalRequest = {
    model: 'gpt-5',
    system: [],
    messages: [],
    tools: [
      { name: 'shell', parameters: { type: 'object' } },
      { name: 'apply_patch', parameters: { type: 'object', properties: { input: { type: 'string' } }, required: ['input'] } },
    ],
    stream: false,
    providerOptions: { 'openai-responses': { customTools: { apply_patch: {} } } },
  };
  const res: CanonicalResponse = {
    id: 'msg_01Anthropic',
    model: 'claude-sonnet-4-5',
    created: 1700000000,
    content: [
      { type: 'reasoning', text: 'think', family: 'anthropic', signature: 'EqQBsig' },
      { type: 'text', text: 'Hello ' },
      { type: 'text', text: 'world' },
      { type: 'tool-call', id: 'toolu_1', name: 'shell', arguments: '{"cmd":"ls"}' },
      { type: 'tool-call', id: 'toolu_2', name: 'apply_patch', arguments: '{"input":"*** Begin Patch"}' },
    ],
    finishReason: 'tool-calls',
    usage: { inputTokens: 10, outputTokens: 5, cachedInputTokens: 2 },
  };

  it('produces the Response object the SDK types declare', () => {
    const body = codec.encodeResponse(res, { model: 'gpt-5', request });
    expect(body).toMatchObject({
      object: 'response',
      created_at: 1700000000,
      status: 'completed',
      model: 'gpt-5',
      error: null,
      incomplete_details: null,
      instructions: null,
      metadata: {},
      parallel_tool_calls: true,
      tool_choice: 'auto',
      text: { format: { type: 'text' } },
      usage: { input_tokens: 10, input_tokens_details: { cached_tokens: 2 }, output_tokens: 5, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 15 },
    });
    expect(body.id).toMatch(/^resp_/);
    const output = body.output as Array<Record<string, unknown>>;
    expect(output.map((o) => o.type)).toEqual(['reasoning', 'message', 'function_call', 'custom_tool_call']);
    expect(output[0]!.id).toMatch(/^rs_/);
    expect(output[0]!.summary).toEqual([{ type: 'summary_text', text: 'think' }]);
    expect(output[1]).toMatchObject({
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [
        { type: 'output_text', text: 'Hello ', annotations: [] },
        { type: 'output_text', text: 'world', annotations: [] },
      ],
    });
    expect(output[1]!.id).toMatch(/^msg_/);
    expect(output[2]).toMatchObject({ type: 'function_call', status: 'completed', call_id: 'toolu_1', name: 'shell', arguments: '{"cmd":"ls"}' });
    expect(output[2]!.id).toMatch(/^fc_/);
    expect(output[3]).toMatchObject({ type: 'custom_tool_call', call_id: 'toolu_2', name: 'apply_patch', input: '*** Begin Patch' });
  });

  it('keeps a foreign reasoning signature recoverable when the client echoes the item back', () => {
    const body = codec.encodeResponse(res, { model: 'gpt-5', request });
    const reasoning = (body.output as Array<Record<string, unknown>>)[0]!;
    const next = codec.decodeRequest({ model: 'gpt-5', input: [{ ...reasoning }] });
    expect(next.messages[0]!.content[0]).toMatchObject({ type: 'reasoning', text: 'think', family: 'anthropic', signature: 'EqQBsig' });
    // ...and the OpenAI encoder never forwards it as encrypted_content.
    expect(codec.encodeRequest(next, 'gpt-5').input).toEqual([]);
  });

  it('reports length as incomplete with max_output_tokens', () => {
    const body = codec.encodeResponse({ ...res, content: [{ type: 'text', text: 'cut' }], finishReason: 'length' }, { model: 'm' });
    expect(body.status).toBe('incomplete');
    expect(body.incomplete_details).toEqual({ reason: 'max_output_tokens' });
  });
});

function normalise(res: CanonicalResponse): unknown {
  const c = structuredClone(res);
  c.id = '';
  delete c.rawFinishReason;
  const hasCall = c.content.some((p) => p.type === 'tool-call');
  if (c.finishReason === 'other' || c.finishReason === 'tool-calls' || c.finishReason === 'stop') c.finishReason = hasCall ? 'tool-calls' : 'stop';
  if (c.usage) c.usage = { cachedInputTokens: 0, reasoningTokens: 0, ...c.usage };
  else c.usage = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, reasoningTokens: 0 };
  c.content = c.content.filter((p) => p.type !== 'reasoning' || p.text !== '' || (p.family && p.signature));
  for (const p of c.content) {
    if (p.type !== 'reasoning') continue;
    delete p.itemId;
    if (!p.family || !p.signature) {
      p.family = 'openai';
      delete p.signature;
    }
  }
  return c;
}

describe('openai-responses response properties', () => {
  it('decodeResponse(encodeResponse(r)) preserves r', () => {
    fc.assert(
      fc.property(canonicalResponse(), (res) => {
        const body = JSON.parse(JSON.stringify(codec.encodeResponse(res, { model: res.model }))) as Record<string, unknown>;
        expect(normalise(codec.decodeResponse(body))).toEqual(normalise(res));
      }),
      { numRuns: 300 },
    );
  });

  it('decode(encode(decode(x))) equals decode(x) for Responses bodies', () => {
    fc.assert(
      fc.property(canonicalResponse(), (res) => {
        const wire = codec.encodeResponse(res, { model: 'gpt-5' });
        const once = codec.decodeResponse(wire);
        const twice = codec.decodeResponse(codec.encodeResponse(once, { model: 'gpt-5' }));
        expect({ ...twice, id: '' }).toEqual({ ...once, id: '' });
      }),
      { numRuns: 200 },
    );
  });
});
