import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream, type RecordedCall } from '../fakes/upstream.js';
import { startProxy, type RunningProxy } from '../helpers/proxy.js';

/**
 * Issue 3, beyond the SDK matrix: tool results paired with their calls across a turn, images in user messages,
 * structured output, and a mid-stream upstream failure ending each caller's stream with its own error event —
 * every client format against every upstream format, through the real server with raw wire bodies.
 */
const KEY = 'adv-key';
const MODELS = { 'openai-chat': 'adv-chat', 'openai-responses': 'adv-responses', anthropic: 'adv-anthropic', gemini: 'adv-gemini' } as const;
type F = keyof typeof MODELS;
const FORMATS = Object.keys(MODELS) as F[];
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const SCHEMA = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] };

let fake: FakeUpstream;
let proxy: RunningProxy;

beforeAll(async () => {
  fake = await startFakeUpstream();
  proxy = await startProxy({
    'api-keys': [KEY],
    'openai-compatibility': [{ name: 'c', 'base-url': `${fake.url}/v1`, models: [{ name: 'up-chat', alias: MODELS['openai-chat'] }] }],
    'codex-api-key': [{ 'api-key': 'k', 'base-url': `${fake.url}/v1`, models: [{ name: 'up-responses', alias: MODELS['openai-responses'] }] }],
    'claude-api-key': [{ 'api-key': 'k', 'base-url': fake.url, models: [{ name: 'claude-sonnet-4-5-20250929', alias: MODELS.anthropic }] }],
    'gemini-api-key': [{ 'api-key': 'k', 'base-url': fake.url, models: [{ name: 'gemini-2.5-flash', alias: MODELS.gemini }] }],
  });
});
afterAll(async () => {
  await proxy?.close();
  await fake?.close();
});

/** A three-turn conversation with an image, a tool call and its result, in each client's wire format. */
function toolTurn(client: F, model: string, stream: boolean): { path: string; body: Record<string, unknown> } {
  const tools = [{ name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }];
  switch (client) {
    case 'openai-chat':
      return {
        path: '/v1/chat/completions',
        body: {
          model,
          stream,
          tools: tools.map((t) => ({ type: 'function', function: t })),
          messages: [
            { role: 'user', content: [{ type: 'text', text: 'What is in this picture, and the weather?' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } }] },
            { role: 'assistant', content: null, tool_calls: [{ id: 'call_w1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
            { role: 'tool', tool_call_id: 'call_w1', content: 'sunny, 21C' },
          ],
        },
      };
    case 'openai-responses':
      return {
        path: '/v1/responses',
        body: {
          model,
          stream,
          tools: tools.map((t) => ({ type: 'function', ...t })),
          input: [
            { role: 'user', content: [{ type: 'input_text', text: 'What is in this picture, and the weather?' }, { type: 'input_image', image_url: `data:image/png;base64,${PNG}` }] },
            { type: 'function_call', call_id: 'call_w1', name: 'get_weather', arguments: '{"city":"Paris"}' },
            { type: 'function_call_output', call_id: 'call_w1', output: 'sunny, 21C' },
          ],
        },
      };
    case 'anthropic':
      return {
        path: '/v1/messages',
        body: {
          model,
          stream,
          max_tokens: 200,
          tools: tools.map((t) => ({ name: t.name, description: t.description, input_schema: t.parameters })),
          messages: [
            { role: 'user', content: [{ type: 'text', text: 'What is in this picture, and the weather?' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } }] },
            { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_w1', name: 'get_weather', input: { city: 'Paris' } }] },
            { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_w1', content: 'sunny, 21C' }] },
          ],
        },
      };
    case 'gemini':
      return {
        path: `/v1beta/models/${model}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`,
        body: {
          tools: [{ functionDeclarations: tools }],
          contents: [
            { role: 'user', parts: [{ text: 'What is in this picture, and the weather?' }, { inlineData: { mimeType: 'image/png', data: PNG } }] },
            { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }] },
            { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { result: 'sunny, 21C' } } }] },
          ],
        },
      };
  }
}

function structured(client: F, model: string): { path: string; body: Record<string, unknown> } {
  switch (client) {
    case 'openai-chat':
      return { path: '/v1/chat/completions', body: { model, messages: [{ role: 'user', content: 'json please' }], response_format: { type: 'json_schema', json_schema: { name: 'out', schema: SCHEMA, strict: true } } } };
    case 'openai-responses':
      return { path: '/v1/responses', body: { model, input: 'json please', text: { format: { type: 'json_schema', name: 'out', schema: SCHEMA, strict: true } } } };
    case 'anthropic':
      return { path: '/v1/messages', body: { model, max_tokens: 100, messages: [{ role: 'user', content: 'json please' }], output_config: { format: { type: 'json_schema', schema: SCHEMA } } } };
    case 'gemini':
      return { path: `/v1beta/models/${model}:generateContent`, body: { contents: [{ role: 'user', parts: [{ text: 'json please' }] }], generationConfig: { responseMimeType: 'application/json', responseJsonSchema: SCHEMA } } };
  }
}

const post = (path: string, body: unknown) =>
  fetch(`${proxy.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` }, body: JSON.stringify(body) });

function lastCall(format: F): RecordedCall {
  return [...fake.calls].reverse().find((c) => c.format === format)!;
}

/** The upstream got the image and a tool result paired with its call, in its own format. */
function checkToolTurn(upstream: F, call: RecordedCall): void {
  const b = call.body;
  expect(JSON.stringify(b)).toContain(PNG);
  expect(JSON.stringify(b)).toContain('sunny, 21C');
  switch (upstream) {
    case 'openai-chat': {
      const assistant = b.messages.find((m: any) => m.role === 'assistant');
      const tool = b.messages.find((m: any) => m.role === 'tool');
      expect(tool.tool_call_id).toBe(assistant.tool_calls[0].id);
      expect(JSON.parse(assistant.tool_calls[0].function.arguments)).toEqual({ city: 'Paris' });
      break;
    }
    case 'openai-responses': {
      const fc = b.input.find((i: any) => i.type === 'function_call');
      const out = b.input.find((i: any) => i.type === 'function_call_output');
      expect(out.call_id).toBe(fc.call_id);
      break;
    }
    case 'anthropic': {
      const use = b.messages.flatMap((m: any) => (Array.isArray(m.content) ? m.content : [])).find((p: any) => p.type === 'tool_use');
      const result = b.messages.flatMap((m: any) => (Array.isArray(m.content) ? m.content : [])).find((p: any) => p.type === 'tool_result');
      expect(result.tool_use_id).toBe(use.id);
      expect(use.input).toEqual({ city: 'Paris' });
      break;
    }
    case 'gemini': {
      const parts = b.contents.flatMap((c: any) => c.parts);
      const fc = parts.find((p: any) => p.functionCall);
      const fr = parts.find((p: any) => p.functionResponse);
      expect(fr.functionResponse.name).toBe(fc.functionCall.name);
      expect(fc.functionCall.args).toEqual({ city: 'Paris' });
      break;
    }
  }
}

function checkStructured(upstream: F, call: RecordedCall): void {
  const b = call.body;
  switch (upstream) {
    case 'openai-chat':
      expect(b.response_format.type).toBe('json_schema');
      expect(b.response_format.json_schema.schema.properties.answer).toBeDefined();
      break;
    case 'openai-responses':
      expect(b.text.format.type).toBe('json_schema');
      expect(b.text.format.schema.properties.answer).toBeDefined();
      break;
    case 'anthropic':
      expect((b.output_config?.format ?? b.output_format).schema.properties.answer).toBeDefined();
      break;
    case 'gemini':
      expect(b.generationConfig.responseMimeType).toBe('application/json');
      expect((b.generationConfig.responseJsonSchema ?? b.generationConfig.responseSchema).properties.answer).toBeDefined();
      break;
  }
}

describe.each(FORMATS)('client %s', (client) => {
  it.each(FORMATS)('tool result turn with an image reaches a %s upstream paired with its call', async (upstream) => {
    fake.reply = () => ({ kind: 'answer', answer: { text: 'A cat; sunny in Paris.' } });
    for (const stream of [false, true]) {
      const { path, body } = toolTurn(client, MODELS[upstream], stream);
      const r = await post(path, body);
      expect(r.status).toBe(200);
      const text = await r.text();
      expect(text).toContain('A cat');
      checkToolTurn(upstream, lastCall(upstream));
    }
  });

  it.each(FORMATS)('structured output reaches a %s upstream as its native schema field', async (upstream) => {
    fake.reply = () => ({ kind: 'answer', answer: { text: '{"answer":"yes"}' } });
    const { path, body } = structured(client, MODELS[upstream]);
    const r = await post(path, body);
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('answer');
    checkStructured(upstream, lastCall(upstream));
  });

  it.each(FORMATS)('a %s upstream dying mid-stream ends the stream with the caller-format error event', async (upstream) => {
    fake.reply = () => ({ kind: 'reset-mid-stream', answer: { text: 'partial answer that never finishes', chunks: 6 }, afterEvents: 3 });
    try {
      const { path, body } = toolTurn(client, MODELS[upstream], true);
      const r = await post(path, body);
      expect(r.status).toBe(200);
      const text = await r.text();
      switch (client) {
        case 'openai-chat':
        case 'gemini':
          expect(text).toMatch(/data: \{"error":\{/);
          break;
        case 'openai-responses':
        case 'anthropic':
          expect(text).toContain('event: error');
          break;
      }
      expect(text).not.toContain('[DONE]');
    } finally {
      fake.reply = () => ({ kind: 'answer', answer: { text: 'ok' } });
    }
  });
});

describe('thinking suffix model(level)', () => {
  it('routes the base model and sets the level in the upstream format, pass-through and translated', async () => {
    fake.reply = () => ({ kind: 'answer', answer: { text: 'ok' } });
    // Translated: an OpenAI caller, Anthropic upstream, `(high)` → the shared table's 24576-token budget.
    let r = await post('/v1/chat/completions', { model: `${MODELS.anthropic}(high)`, messages: [{ role: 'user', content: 'x' }] });
    expect(r.status).toBe(200);
    expect(((await r.json()) as any).model).toBe(`${MODELS.anthropic}(high)`);
    let b = lastCall('anthropic').body;
    expect(b.model).toBe('claude-sonnet-4-5-20250929');
    expect(b.thinking).toEqual({ type: 'enabled', budget_tokens: 24576 });
    // Pass-through: an Anthropic caller, explicit budget.
    r = await post('/v1/messages', { model: `${MODELS.anthropic}(4000)`, max_tokens: 100, messages: [{ role: 'user', content: 'x' }] });
    expect(r.status).toBe(200);
    b = lastCall('anthropic').body;
    expect(b.thinking).toEqual({ type: 'enabled', budget_tokens: 4000 });
    expect(b.max_tokens).toBeGreaterThan(4000);
    // Pass-through Gemini, level in the URL.
    r = await post(`/v1beta/models/${MODELS.gemini}(none):generateContent`, { contents: [{ role: 'user', parts: [{ text: 'x' }] }] });
    expect(r.status).toBe(200);
    expect(lastCall('gemini').model).toBe('gemini-2.5-flash');
    expect(lastCall('gemini').body.generationConfig.thinkingConfig).toEqual({ thinkingBudget: 0, includeThoughts: false });
    // Responses caller → chat upstream: effort carried as reasoning_effort.
    r = await post('/v1/responses', { model: `${MODELS['openai-chat']}(low)`, input: 'x' });
    expect(r.status).toBe(200);
    expect(lastCall('openai-chat').body.reasoning_effort).toBe('low');
  });
});
