import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream.js';
import { startProxy, type RunningProxy } from '../helpers/proxy.js';
import { AMP_UPSTREAM_TEXT, startFakeAmp, type FakeAmp } from './fake-amp.js';
import { AMP_KEY, CLIENT_KEY, call, localProviders, sseData } from './helpers.js';

let models: FakeUpstream;
let amp: FakeAmp;
let proxy: RunningProxy;
let noUpstream: RunningProxy;

const MAPPINGS = [
  { from: 'claude-opus-4-7', to: 'local-claude' },
  { from: 'gpt-5.4', to: 'local-codex' },
  { from: 'gpt-4.1-amp', to: 'local-gpt' },
  { from: 'gemini-3-pro-preview', to: 'local-gemini' },
  { from: '^claude-haiku-.*', to: 'local-gpt', regex: true },
];

beforeAll(async () => {
  models = await startFakeUpstream();
  amp = await startFakeAmp();
  const base = { 'api-keys': [CLIENT_KEY], ...localProviders(models) };
  proxy = await startProxy({ ...base, ampcode: { 'upstream-url': amp.url, 'upstream-api-key': AMP_KEY, 'model-mappings': MAPPINGS } });
  noUpstream = await startProxy({ ...base, ampcode: { 'model-mappings': MAPPINGS } });
});

afterAll(async () => {
  await proxy?.close();
  await noUpstream?.close();
  await models?.close();
  await amp?.close();
});

interface PathCase {
  name: string;
  path: (model: string) => string;
  body: (model: string) => Record<string, unknown>;
  local: string;
  mapped: string;
  /** The upstream model name a mapped call must reach. */
  mappedUpstream: string;
  modelOf: (json: any) => string;
  textOf: (json: any) => string;
}

const gemBody = () => ({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });
const CASES: PathCase[] = [
  {
    name: 'OpenAI chat',
    path: () => '/api/provider/openai/v1/chat/completions',
    body: (model) => ({ model, messages: [{ role: 'user', content: 'hi' }] }),
    local: 'local-gpt',
    mapped: 'gpt-4.1-amp',
    mappedUpstream: 'up-gpt',
    modelOf: (j) => j.model,
    textOf: (j) => j.choices[0].message.content,
  },
  {
    name: 'OpenAI Responses',
    path: () => '/api/provider/openai/v1/responses',
    body: (model) => ({ model, input: 'hi' }),
    local: 'local-codex',
    mapped: 'gpt-5.4',
    mappedUpstream: 'gpt-5-up',
    modelOf: (j) => j.model,
    textOf: (j) => j.output.find((o: any) => o.type === 'message').content[0].text,
  },
  {
    name: 'Anthropic messages',
    path: () => '/api/provider/anthropic/v1/messages',
    body: (model) => ({ model, max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }),
    local: 'local-claude',
    mapped: 'claude-opus-4-7',
    mappedUpstream: 'claude-up',
    modelOf: (j) => j.model,
    textOf: (j) => j.content.find((c: any) => c.type === 'text').text,
  },
  {
    name: 'Gemini v1beta',
    path: (model) => `/api/provider/google/v1beta/models/${model}:generateContent`,
    body: gemBody,
    local: 'local-gemini',
    mapped: 'gemini-3-pro-preview',
    mappedUpstream: 'gemini-up',
    modelOf: (j) => j.modelVersion,
    textOf: (j) => j.candidates[0].content.parts.map((p: any) => p.text).join(''),
  },
  {
    name: 'Gemini v1beta1 (Vertex-style bridge)',
    path: (model) => `/api/provider/google/v1beta1/publishers/google/models/${model}:generateContent`,
    body: gemBody,
    local: 'local-gemini',
    mapped: 'gemini-3-pro-preview',
    mappedUpstream: 'gemini-up',
    modelOf: (j) => j.modelVersion,
    textOf: (j) => j.candidates[0].content.parts.map((p: any) => p.text).join(''),
  },
];

describe.each(CASES)('$name route', (c) => {
  it('serves a locally registered model locally (X-CLIProxy-Route: local)', async () => {
    const before = amp.records.length;
    const r = await call(proxy.url, c.path(c.local), c.body(c.local));
    expect(r.status).toBe(200);
    expect(r.headers.get('x-cliproxy-route')).toBe('local');
    expect(c.textOf(r.json)).toBe('Hello from fake upstream');
    expect(c.modelOf(r.json)).toBe(c.local);
    expect(amp.records.length).toBe(before);
  });

  it('maps an unserved model to a local target and reports the requested name', async () => {
    const r = await call(proxy.url, c.path(c.mapped), c.body(c.mapped));
    expect(r.status).toBe(200);
    expect(r.headers.get('x-cliproxy-route')).toBe('mapped');
    expect(c.textOf(r.json)).toBe('Hello from fake upstream');
    expect(c.modelOf(r.json)).toBe(c.mapped);
    expect(models.calls.at(-1)!.model).toBe(c.mappedUpstream);
    expect(r.text).not.toContain(c.mappedUpstream);
  });

  it('forwards a model nothing local serves to the Amp upstream, unchanged, with the upstream key', async () => {
    const before = models.calls.length;
    const r = await call(proxy.url, c.path('claude-unknown-9'), c.body('claude-unknown-9'));
    expect(r.status).toBe(200);
    expect(r.headers.get('x-cliproxy-route')).toBe('amp-upstream');
    expect(c.textOf(r.json)).toBe(AMP_UPSTREAM_TEXT);
    expect(models.calls.length).toBe(before);
    const rec = amp.records.at(-1)!;
    expect(rec.path).toBe(c.path('claude-unknown-9'));
    expect(rec.body).toEqual(c.body('claude-unknown-9'));
    expect(rec.headers.authorization).toBe(`Bearer ${AMP_KEY}`);
    expect(rec.headers['x-api-key']).toBe(AMP_KEY);
    expect(JSON.stringify(rec.headers)).not.toContain(CLIENT_KEY);
  });

  it("answers the caller's-format 404 when nothing serves the model and no upstream is set", async () => {
    const r = await call(noUpstream.url, c.path('claude-unknown-9'), c.body('claude-unknown-9'));
    expect(r.status).toBe(404);
    expect(r.headers.get('x-cliproxy-route')).toBe('local');
    if (c.name.startsWith('Gemini')) expect(r.json.error.status).toBe('NOT_FOUND');
    else if (c.name.startsWith('Anthropic')) expect(r.json.type).toBe('error');
    else expect(r.json.error.message).toContain('claude-unknown-9');
  });
});

describe('Amp provider routes: details', () => {
  it('a regex mapping routes through translation and the caller still sees its own model name', async () => {
    const r = await call(proxy.url, '/api/provider/anthropic/v1/messages', { model: 'claude-haiku-4-5-20251001', max_tokens: 50, messages: [{ role: 'user', content: 'title?' }], stream: true });
    expect(r.headers.get('x-cliproxy-route')).toBe('mapped');
    expect(models.calls.at(-1)!.format).toBe('openai-chat');
    expect(models.calls.at(-1)!.model).toBe('up-gpt');
    const start = sseData(r.text).find((d) => d.type === 'message_start');
    expect(start.message.model).toBe('claude-haiku-4-5-20251001');
    expect(r.text).not.toContain('up-gpt');
  });

  it('streams mapped Gemini calls on the Vertex path with the requested modelVersion in every chunk', async () => {
    const r = await call(proxy.url, '/api/provider/google/v1beta1/publishers/google/models/gemini-3-pro-preview:streamGenerateContent?alt=sse', gemBody());
    expect(r.headers.get('x-cliproxy-route')).toBe('mapped');
    const chunks = sseData(r.text);
    expect(chunks.length).toBeGreaterThan(1);
    for (const ch of chunks) expect(ch.modelVersion).toBe('gemini-3-pro-preview');
    expect(chunks.map((ch) => ch.candidates[0].content.parts.map((p: any) => p.text ?? '').join('')).join('')).toBe('Hello from fake upstream');
  });

  it('drops the context-1m beta on local paths and keeps the other betas', async () => {
    await call(proxy.url, '/api/provider/anthropic/v1/messages', { model: 'claude-opus-4-7', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }, { 'anthropic-beta': 'context-1m-2025-08-07,fine-grained-tool-streaming-2025-05-14' });
    expect(models.calls.at(-1)!.headers['anthropic-beta']).toBe('fine-grained-tool-streaming-2025-05-14');
    await call(proxy.url, '/api/provider/anthropic/v1/messages', { model: 'claude-opus-4-7', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }, { 'anthropic-beta': 'context-1m-2025-08-07' });
    expect(models.calls.at(-1)!.headers['anthropic-beta']).toBeUndefined();
  });

  it('restores the tool-name casing the request declared, streamed and not', async () => {
    const prev = models.reply;
    models.reply = () => ({ kind: 'answer', answer: { toolCalls: [{ id: 'toolu_1', name: 'bash', args: { cmd: 'ls' } }] } });
    try {
      const body = { model: 'claude-opus-4-7', max_tokens: 100, messages: [{ role: 'user', content: 'ls' }], tools: [{ name: 'Bash', input_schema: { type: 'object' } }] };
      const r = await call(proxy.url, '/api/provider/anthropic/v1/messages', body);
      expect(r.json.content.find((b: any) => b.type === 'tool_use').name).toBe('Bash');
      const s = await call(proxy.url, '/api/provider/anthropic/v1/messages', { ...body, stream: true });
      const start = sseData(s.text).find((d) => d.type === 'content_block_start' && d.content_block.type === 'tool_use');
      expect(start.content_block.name).toBe('Bash');
      const chat = await call(proxy.url, '/api/provider/openai/v1/chat/completions', { model: 'gpt-4.1-amp', messages: [{ role: 'user', content: 'ls' }], tools: [{ type: 'function', function: { name: 'Bash', parameters: { type: 'object' } } }] });
      expect(chat.json.choices[0].message.tool_calls[0].function.name).toBe('Bash');
    } finally {
      models.reply = prev;
    }
  });

  it('drops unsigned thinking blocks and tool_use signatures from Anthropic history on local paths only', async () => {
    const messages = [
      { role: 'user', content: 'list files' },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'from a translated upstream', signature: '' },
          { type: 'thinking', thinking: 'real', signature: 'sig-real' },
          { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { cmd: 'ls' }, signature: '' },
        ],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'a.txt' }] },
    ];
    await call(proxy.url, '/api/provider/anthropic/v1/messages', { model: 'claude-opus-4-7', max_tokens: 10, messages });
    expect(models.calls.at(-1)!.body.messages[1].content).toEqual([
      { type: 'thinking', thinking: 'real', signature: 'sig-real' },
      { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { cmd: 'ls' } },
    ]);
    // The Amp upstream gets the request exactly as sent.
    await call(proxy.url, '/api/provider/anthropic/v1/messages', { model: 'claude-unknown-9', max_tokens: 10, messages });
    expect(amp.records.at(-1)!.body.messages).toEqual(messages);
  });

  it('lists models in the shape of the provider segment', async () => {
    const anth = await call(proxy.url, '/api/provider/anthropic/v1/models', undefined, {}, 'GET');
    expect(anth.json.has_more).toBe(false);
    const goog = await call(proxy.url, '/api/provider/google/v1beta/models', undefined, {}, 'GET');
    expect(goog.json.models.some((m: any) => m.name === 'models/local-gemini')).toBe(true);
    const oai = await call(proxy.url, '/api/provider/openai/models', undefined, {}, 'GET');
    expect(oai.json.object).toBe('list');
  });

  it('requires one of our client keys on provider routes', async () => {
    const r = await call(proxy.url, '/api/provider/anthropic/v1/messages', { model: 'local-claude', max_tokens: 5, messages: [] }, { authorization: 'Bearer wrong' });
    expect(r.status).toBe(401);
    expect(r.json.type).toBe('error');
  });

  it('forwards streamed count_tokens and completions decisions like the other calls', async () => {
    const ct = await call(proxy.url, '/api/provider/anthropic/v1/messages/count_tokens', { model: 'claude-opus-4-7', messages: [{ role: 'user', content: 'hi' }] });
    expect(ct.headers.get('x-cliproxy-route')).toBe('mapped');
    expect(ct.json.input_tokens).toBe(42);
    const comp = await call(proxy.url, '/api/provider/openai/v1/completions', { model: 'gpt-4.1-amp', prompt: 'hi' });
    expect(comp.headers.get('x-cliproxy-route')).toBe('mapped');
    expect(comp.json.object).toBe('text_completion');
    expect(comp.json.model).toBe('gpt-4.1-amp');
  });
});
