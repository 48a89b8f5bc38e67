import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream, type RecordedCall } from '../fakes/upstream.js';
import { startProxy, type RunningProxy } from '../helpers/proxy.js';
import { drivers, type ClientDriver, type Scenario } from './clients.js';

/**
 * Issue 3's end-to-end matrix: each official SDK calls the real server while fake upstreams of each of the four
 * formats answer; stream and non-stream; text with history and settings, a streamed parallel tool call, and a
 * thinking turn.
 */
const KEY = 'matrix-key';
const UPSTREAMS = {
  'openai-chat': 'model-on-chat',
  'openai-responses': 'model-on-responses',
  anthropic: 'model-on-anthropic',
  gemini: 'model-on-gemini',
} as const;
type UpstreamFormat = keyof typeof UPSTREAMS;

let fake: FakeUpstream;
let proxy: RunningProxy;
let clients: ClientDriver[];

beforeAll(async () => {
  fake = await startFakeUpstream();
  proxy = await startProxy({
    'api-keys': [KEY],
    'openai-compatibility': [{ name: 'chat-up', 'base-url': `${fake.url}/v1`, 'api-key-entries': [{ 'api-key': 'k1' }], models: [{ name: 'chat-upstream-model', alias: UPSTREAMS['openai-chat'] }] }],
    'codex-api-key': [{ 'api-key': 'k2', 'base-url': `${fake.url}/v1`, models: [{ name: 'responses-upstream-model', alias: UPSTREAMS['openai-responses'] }] }],
    'claude-api-key': [{ 'api-key': 'k3', 'base-url': fake.url, models: [{ name: 'claude-sonnet-4-5-20250929', alias: UPSTREAMS.anthropic }] }],
    'gemini-api-key': [{ 'api-key': 'k4', 'base-url': fake.url, models: [{ name: 'gemini-upstream-model', alias: UPSTREAMS.gemini }] }],
  });
  clients = drivers(proxy.url, KEY);
});
afterAll(async () => {
  await proxy?.close();
  await fake?.close();
});

const base: Scenario = {
  system: 'You are terse.',
  history: [
    { role: 'user', text: 'first question' },
    { role: 'assistant', text: 'first answer' },
    { role: 'user', text: 'second question' },
  ],
  maxTokens: 321,
  temperature: 0.5,
  topP: 0.9,
  stop: ['STOP-HERE'],
};

const weather = {
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['c', 'f'] } }, required: ['city'], additionalProperties: false, $schema: 'http://json-schema.org/draft-07/schema#' },
};
const time = { name: 'get_time', description: 'Time in a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } };

function lastCallFor(format: UpstreamFormat): RecordedCall {
  const c = [...fake.calls].reverse().find((x) => x.format === format);
  if (!c) throw new Error(`no upstream call of format ${format}`);
  return c;
}

/** What the upstream must have received from the base scenario, per upstream format. */
function checkUpstreamRequest(format: UpstreamFormat, call: RecordedCall, stream: boolean, client: string): void {
  const b = call.body;
  const flat = JSON.stringify(b);
  expect(flat, `${client}→${format} carries history`).toContain('first answer');
  expect(flat).toContain('second question');
  switch (format) {
    case 'openai-chat':
      expect(b.model).toBe('chat-upstream-model');
      expect(b.messages[0]).toMatchObject({ role: 'system' });
      expect(JSON.stringify(b.messages[0])).toContain('You are terse.');
      expect(b.max_tokens ?? b.max_completion_tokens).toBe(321);
      expect(b.temperature).toBe(0.5);
      expect(b.top_p).toBe(0.9);
      if (client !== 'openai-responses') expect(b.stop).toEqual(['STOP-HERE']);
      expect(!!b.stream).toBe(stream);
      break;
    case 'openai-responses':
      expect(b.model).toBe('responses-upstream-model');
      expect(JSON.stringify(b.instructions ?? b.input)).toContain('You are terse.');
      expect(b.max_output_tokens).toBe(321);
      expect(b.temperature).toBe(0.5);
      break;
    case 'anthropic':
      expect(b.model).toBe('claude-sonnet-4-5-20250929');
      expect(JSON.stringify(b.system)).toContain('You are terse.');
      expect(b.max_tokens).toBe(321);
      expect(b.temperature).toBe(0.5);
      // Current Claude models reject temperature and top_p together; temperature wins.
      if (client !== 'openai-responses') expect(b.stop_sequences).toEqual(['STOP-HERE']);
      expect(b.messages.map((m: any) => m.role)).toEqual(['user', 'assistant', 'user']);
      break;
    case 'gemini':
      expect(call.model).toBe('gemini-upstream-model');
      expect(JSON.stringify(b.systemInstruction ?? b.system_instruction)).toContain('You are terse.');
      expect(b.generationConfig.maxOutputTokens).toBe(321);
      expect(b.generationConfig.temperature).toBe(0.5);
      expect(b.generationConfig.topP).toBe(0.9);
      if (client !== 'openai-responses') expect(b.generationConfig.stopSequences).toEqual(['STOP-HERE']);
      expect(b.contents.map((c: any) => c.role)).toEqual(['user', 'model', 'user']);
      break;
  }
}

const formats = Object.keys(UPSTREAMS) as UpstreamFormat[];
const clientNames = ['openai-chat', 'openai-responses', 'anthropic', 'gemini'] as const;

describe.each(clientNames)('client %s', (clientName) => {
  const client = () => clients.find((c) => c.name === clientName)!;
  describe.each(formats)('upstream %s', (format) => {
    const model = UPSTREAMS[format];
    it.each([false, true])('text with history and settings (stream=%s)', async (stream) => {
      fake.reply = () => ({ kind: 'answer', answer: { text: 'The answer is 42.', chunks: 4, inputTokens: 30, outputTokens: 7 } });
      const out = await client().run(model, base, stream);
      expect(out.text).toBe('The answer is 42.');
      expect(out.toolCalls).toEqual([]);
      expect(out.model).toBe(model);
      expect(out.outputTokens).toBe(7);
      checkUpstreamRequest(format, lastCallFor(format), stream, clientName);
    });

    it.each([false, true])('parallel tool calls (stream=%s)', async (stream) => {
      fake.reply = () => ({
        kind: 'answer',
        answer: {
          toolCalls: [
            { id: 'call_aaa111', name: 'get_weather', args: { city: 'Paris', unit: 'c' } },
            { id: 'call_bbb222', name: 'get_time', args: { city: 'Tokyo' } },
          ],
        },
      });
      const out = await client().run(model, { ...base, tools: [weather, time] }, stream);
      expect(out.toolCalls.map((t) => [t.name, t.args])).toEqual([
        ['get_weather', { city: 'Paris', unit: 'c' }],
        ['get_time', { city: 'Tokyo' }],
      ]);
      if (clientName !== 'gemini') {
        for (const t of out.toolCalls) expect(t.id).toBeTruthy();
        expect(new Set(out.toolCalls.map((t) => t.id)).size).toBe(2);
      }
      const upstream = lastCallFor(format).body;
      const sent = JSON.stringify(upstream.tools);
      expect(sent).toContain('get_weather');
      expect(sent).toContain('get_time');
      // Translated Gemini tool schemas are cleaned to Gemini's subset (a Gemini caller's own schema passes through).
      if (format === 'gemini' && clientName !== 'gemini') {
        expect(sent).not.toContain('$schema');
        expect(sent).not.toContain('additionalProperties');
      }
    });

    it.each([false, true])('thinking turn (stream=%s)', async (stream) => {
      fake.reply = () => ({ kind: 'answer', answer: { reasoning: 'Let me think about it.', signature: 'sig-abc', text: 'Done.' } });
      const out = await client().run(model, { ...base, thinking: true }, stream);
      expect(out.text).toBe('Done.');
      expect(out.reasoning).toBe('Let me think about it.');
      const upstream = lastCallFor(format).body;
      switch (format) {
        case 'anthropic':
          expect(upstream.thinking?.type).toBe('enabled');
          expect(upstream.thinking.budget_tokens).toBeGreaterThanOrEqual(1024);
          break;
        case 'gemini':
          expect(upstream.generationConfig.thinkingConfig).toBeDefined();
          break;
        case 'openai-responses':
          expect(upstream.reasoning?.effort).toBeDefined();
          break;
        case 'openai-chat':
          expect(upstream.reasoning_effort).toBeDefined();
          break;
      }
    });
  });
});
