import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream.js';
import { startProxy, type RunningProxy } from '../helpers/proxy.js';

const CLIENT_KEY = 'client-key-1';
let fake: FakeUpstream;
let proxy: RunningProxy;

beforeAll(async () => {
  fake = await startFakeUpstream();
  proxy = await startProxy({
    'api-keys': [CLIENT_KEY],
    'openai-compatibility': [
      { name: 'fakeoai', 'base-url': `${fake.url}/v1`, 'api-key-entries': [{ 'api-key': 'sk-up-openai' }], models: [{ name: 'up-gpt', alias: 'gpt-test' }] },
    ],
    'claude-api-key': [{ 'api-key': 'sk-ant-up', 'base-url': fake.url, models: [{ name: 'claude-up', alias: 'claude-test' }] }],
    'gemini-api-key': [{ 'api-key': 'AIza-up-gemini', 'base-url': fake.url }],
    'codex-api-key': [{ 'api-key': 'sk-up-codex', 'base-url': `${fake.url}/v1`, models: [{ name: 'gpt-5-up', alias: 'gpt-5' }] }],
  });
});

afterAll(async () => {
  await proxy?.close();
  await fake?.close();
});

const lastCall = () => fake.calls[fake.calls.length - 1]!;

describe('official SDKs through same-format pass-through', () => {
  it('openai chat non-stream: alias rewritten upstream, caller sees its own model name', async () => {
    const client = new OpenAI({ apiKey: CLIENT_KEY, baseURL: `${proxy.url}/v1` });
    const r = await client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] });
    expect(r.choices[0]!.message.content).toBe('Hello from fake upstream');
    expect(r.model).toBe('gpt-test');
    expect(lastCall().body.model).toBe('up-gpt');
    expect(lastCall().headers.authorization).toBe('Bearer sk-up-openai');
    expect(lastCall().body.messages).toEqual([{ role: 'user', content: 'hi' }]);
  });

  it('openai chat stream delivers every chunk and [DONE]', async () => {
    const client = new OpenAI({ apiKey: CLIENT_KEY, baseURL: `${proxy.url}/v1` });
    const stream = await client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage: unknown;
    const models = new Set<string>();
    for await (const chunk of stream) {
      models.add(chunk.model);
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('Hello from fake upstream');
    expect([...models]).toEqual(['gpt-test']);
    expect(usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 5 });
  });

  it('openai responses stream and non-stream against a Responses upstream', async () => {
    const client = new OpenAI({ apiKey: CLIENT_KEY, baseURL: `${proxy.url}/v1` });
    const r = await client.responses.create({ model: 'gpt-5', input: 'hi' });
    expect(r.output_text).toBe('Hello from fake upstream');
    expect(r.model).toBe('gpt-5');
    expect(lastCall().path).toBe('/v1/responses');
    expect(lastCall().body.model).toBe('gpt-5-up');
    const stream = await client.responses.create({ model: 'gpt-5', input: 'hi', stream: true });
    let text = '';
    let completed = false;
    for await (const ev of stream) {
      if (ev.type === 'response.output_text.delta') text += ev.delta;
      if (ev.type === 'response.completed') {
        completed = true;
        expect(ev.response.model).toBe('gpt-5');
      }
    }
    expect(text).toBe('Hello from fake upstream');
    expect(completed).toBe(true);
  });

  it('anthropic messages non-stream and stream (x-api-key on custom base-url becomes Bearer)', async () => {
    const client = new Anthropic({ apiKey: CLIENT_KEY, baseURL: proxy.url });
    const m = await client.messages.create({ model: 'claude-test', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });
    expect(m.content[0]).toMatchObject({ type: 'text', text: 'Hello from fake upstream' });
    expect(m.model).toBe('claude-test');
    expect(lastCall().body.model).toBe('claude-up');
    expect(lastCall().headers.authorization).toBe('Bearer sk-ant-up');
    expect(lastCall().headers['x-api-key']).toBeUndefined();
    const stream = client.messages.stream({ model: 'claude-test', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });
    const final = await stream.finalMessage();
    expect(final.content[0]).toMatchObject({ type: 'text', text: 'Hello from fake upstream' });
    expect(final.model).toBe('claude-test');
    expect(final.usage.output_tokens).toBe(5);
  });

  it('anthropic count_tokens is forwarded to an Anthropic upstream', async () => {
    const client = new Anthropic({ apiKey: CLIENT_KEY, baseURL: proxy.url });
    const r = await client.messages.countTokens({ model: 'claude-test', messages: [{ role: 'user', content: 'hi' }] });
    expect(r.input_tokens).toBe(42);
    expect(lastCall().path).toBe('/v1/messages/count_tokens');
  });

  it('@google/genai generateContent, stream and countTokens (default v1 API version)', async () => {
    const ai = new GoogleGenAI({ apiKey: CLIENT_KEY, httpOptions: { baseUrl: proxy.url } });
    const r = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' });
    expect(r.text).toBe('Hello from fake upstream');
    expect(r.modelVersion).toBe('gemini-2.5-flash');
    expect(lastCall().path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(lastCall().headers['x-goog-api-key']).toBe('AIza-up-gemini');
    let text = '';
    for await (const chunk of await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'hi' })) text += chunk.text ?? '';
    expect(text).toBe('Hello from fake upstream');
    expect(lastCall().url).toContain(':streamGenerateContent?alt=sse');
    const count = await ai.models.countTokens({ model: 'gemini-2.5-flash', contents: 'hi' });
    expect(count.totalTokens).toBe(42);
  });

  it('@google/genai with apiVersion v1beta', async () => {
    const ai = new GoogleGenAI({ apiKey: CLIENT_KEY, httpOptions: { baseUrl: proxy.url, apiVersion: 'v1beta' } });
    const r = await ai.models.generateContent({ model: 'gemini-2.5-pro', contents: 'hi' });
    expect(r.text).toBe('Hello from fake upstream');
  });
});
