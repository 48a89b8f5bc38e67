import { describe, expect, it } from 'vitest';
import type { CanonicalResponse } from '../../../src/ir/index.js';
import { ChatUpstreamError, openAIChatCodec as codec } from '../../../src/formats/openai-chat/index.js';

const upstream = {
  id: 'chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG',
  object: 'chat.completion',
  created: 1741570283,
  model: 'gpt-4o-2024-08-06',
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content: 'Let me look.',
        reasoning_content: 'User wants weather.',
        refusal: null,
        tool_calls: [{ id: 'call_abc', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
        annotations: [],
      },
      logprobs: null,
      finish_reason: 'tool_calls',
    },
  ],
  usage: {
    prompt_tokens: 1117,
    completion_tokens: 46,
    total_tokens: 1163,
    prompt_tokens_details: { cached_tokens: 1024, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 12, audio_tokens: 0 },
  },
  service_tier: 'default',
  system_fingerprint: 'fp_fc9f1d7035',
};

describe('openai-chat decodeResponse', () => {
  it('decodes content, reasoning, tool calls, finish reason and usage', () => {
    expect(codec.decodeResponse(upstream)).toEqual<CanonicalResponse>({
      id: 'chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG',
      model: 'gpt-4o-2024-08-06',
      created: 1741570283,
      content: [
        { type: 'reasoning', text: 'User wants weather.', family: 'openai' },
        { type: 'text', text: 'Let me look.' },
        { type: 'tool-call', id: 'call_abc', name: 'get_weather', arguments: '{"city":"Paris"}' },
      ],
      finishReason: 'tool-calls',
      rawFinishReason: 'tool_calls',
      usage: { inputTokens: 1117, outputTokens: 46, cachedInputTokens: 1024, reasoningTokens: 12 },
    });
  });

  it.each([
    ['stop', 'stop'],
    ['length', 'length'],
    ['content_filter', 'content-filter'],
    ['function_call', 'tool-calls'],
    ['insufficient_system_resource', 'other'],
  ])('maps finish_reason %s to %s', (raw, reason) => {
    const res = codec.decodeResponse({ choices: [{ message: { content: 'x' }, finish_reason: raw }] });
    expect(res.finishReason).toBe(reason);
    expect(res.rawFinishReason).toBe(raw);
  });

  it('treats a stop with tool calls as tool-calls (servers that say stop anyway)', () => {
    const res = codec.decodeResponse({
      choices: [{ message: { content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] }, finish_reason: 'stop' }],
    });
    expect(res.finishReason).toBe('tool-calls');
  });

  it('reads `reasoning`, DeepSeek cache hits and OpenRouter-style images', () => {
    const res = codec.decodeResponse({
      id: 'x',
      choices: [
        {
          message: { content: 'hi', reasoning: 'hmm', images: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,QUJD' } }] },
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 10, completion_tokens: 2, prompt_cache_hit_tokens: 8 },
    });
    expect(res.content).toEqual([
      { type: 'reasoning', text: 'hmm', family: 'openai' },
      { type: 'text', text: 'hi' },
      { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'QUJD' } },
    ]);
    expect(res.usage).toEqual({ inputTokens: 10, outputTokens: 2, cachedInputTokens: 8 });
  });

  it('raises ChatUpstreamError for a 200 body that is an error', () => {
    expect(() => codec.decodeResponse({ error: { message: 'quota exceeded', type: 'insufficient_quota', code: 429 } })).toThrow(ChatUpstreamError);
  });
});

describe('openai-chat encodeResponse', () => {
  it('encodes the SDK shape with the caller model name', () => {
    const res: CanonicalResponse = {
      id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
      model: 'claude-sonnet-4-5-20250929',
      created: 1741570283,
      content: [
        { type: 'reasoning', text: 'Think', signature: 'sig', family: 'anthropic' },
        { type: 'text', text: 'Hello' },
        { type: 'text', text: ' world' },
        { type: 'tool-call', id: 'toolu_1', name: 'f', arguments: '' },
      ],
      finishReason: 'tool-calls',
      rawFinishReason: 'tool_use',
      usage: { inputTokens: 100, outputTokens: 20, cachedInputTokens: 50, cacheWriteTokens: 10 },
    };
    expect(codec.encodeResponse(res, { model: 'claude-sonnet-4-5' })).toEqual({
      id: 'chatcmpl-msg_01XFDUDYJgAACzvnptvVoYEL',
      object: 'chat.completion',
      created: 1741570283,
      model: 'claude-sonnet-4-5',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Hello world',
            reasoning_content: 'Think',
            tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'f', arguments: '{}' } }],
            refusal: null,
          },
          finish_reason: 'tool_calls',
          logprobs: null,
        },
      ],
      usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120, prompt_tokens_details: { cached_tokens: 50 } },
    });
  });

  it('uses null content when there is no text, and maps reasons without a chat spelling to stop', () => {
    const body = codec.encodeResponse({ id: '', model: 'm', created: 0, content: [], finishReason: 'error' }, { model: 'm' });
    const choice = (body.choices as Array<Record<string, unknown>>)[0];
    expect(choice.finish_reason).toBe('stop');
    expect((choice.message as Record<string, unknown>).content).toBeNull();
    expect(body.id).toMatch(/^chatcmpl-/);
    expect(body.created).toBeGreaterThan(1_700_000_000);
    expect(body.usage).toBeUndefined();
  });
});
