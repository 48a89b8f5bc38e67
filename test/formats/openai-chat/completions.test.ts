import { describe, expect, it } from 'vitest';
import {
  chatChunkToCompletionChunk,
  chatResponseToCompletion,
  chatSseToCompletionSse,
  completionsRequestToChat,
  openAIChatCodec as codec,
} from '../../../src/formats/openai-chat/index.js';
import { InvalidRequestError } from '../../../src/formats/types.js';

describe('legacy /v1/completions helpers', () => {
  it('turns the prompt into one user message and copies the sampling fields', () => {
    const chat = completionsRequestToChat({
      model: 'gpt-3.5-turbo-instruct',
      prompt: 'Say this is a test',
      max_tokens: 7,
      temperature: 0,
      top_p: 1,
      frequency_penalty: 0.5,
      presence_penalty: 0.1,
      stop: ['\n'],
      stream: true,
      logprobs: 3,
      echo: true,
      suffix: 'x',
    });
    expect(chat).toEqual({
      model: 'gpt-3.5-turbo-instruct',
      messages: [{ role: 'user', content: 'Say this is a test' }],
      max_tokens: 7,
      temperature: 0,
      top_p: 1,
      frequency_penalty: 0.5,
      presence_penalty: 0.1,
      stop: ['\n'],
      stream: true,
      logprobs: true,
      top_logprobs: 3,
    });
    // The result is a valid chat request for the chat codec.
    expect(codec.decodeRequest(chat).messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'Say this is a test' }] }]);
  });

  it('defaults a missing prompt and rejects batches / token prompts', () => {
    expect((completionsRequestToChat({ model: 'm' }).messages as unknown[])[0]).toEqual({ role: 'user', content: 'Complete this:' });
    expect((completionsRequestToChat({ model: 'm', prompt: ['one'] }).messages as unknown[])[0]).toEqual({ role: 'user', content: 'one' });
    expect(() => completionsRequestToChat({ prompt: ['a', 'b'] })).toThrow(InvalidRequestError);
    expect(() => completionsRequestToChat({ prompt: [1, 2, 3] })).toThrow(/token-id/);
    expect(() => completionsRequestToChat({ prompt: 5 })).toThrow(InvalidRequestError);
  });

  it('reshapes a chat completion as a text_completion', () => {
    const out = chatResponseToCompletion({
      id: 'chatcmpl-abc',
      object: 'chat.completion',
      created: 10,
      model: 'gpt-4o-mini',
      choices: [{ index: 0, message: { role: 'assistant', content: 'This is a test.' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 },
    });
    expect(out).toEqual({
      id: 'cmpl-abc',
      object: 'text_completion',
      created: 10,
      model: 'gpt-4o-mini',
      choices: [{ index: 0, text: 'This is a test.', logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 },
    });
  });

  it('converts stream chunks, drops empty ones, keeps usage and [DONE]', () => {
    const head = { id: 'chatcmpl-abc', object: 'chat.completion.chunk', created: 10, model: 'm' };
    expect(chatChunkToCompletionChunk({ ...head, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] })).toBeNull();
    expect(chatChunkToCompletionChunk({ ...head, choices: [{ index: 0, delta: { reasoning_content: 'x' }, finish_reason: null }] })).toBeNull();
    expect(chatChunkToCompletionChunk({ ...head, choices: [{ index: 0, delta: { content: 'Hi' }, finish_reason: null }] })).toEqual({
      id: 'cmpl-abc',
      object: 'text_completion',
      created: 10,
      model: 'm',
      choices: [{ index: 0, text: 'Hi', logprobs: null, finish_reason: null }],
    });
    expect(chatChunkToCompletionChunk({ ...head, choices: [{ index: 0, delta: {}, finish_reason: 'length' }] })).toMatchObject({
      choices: [{ index: 0, text: '', finish_reason: 'length' }],
    });
    expect(chatChunkToCompletionChunk({ ...head, choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } })).toMatchObject({
      choices: [],
      usage: { total_tokens: 3 },
    });
    const err = { error: { message: 'boom', type: 'server_error' } };
    expect(chatChunkToCompletionChunk(err)).toBe(err);
    expect(chatSseToCompletionSse({ data: '[DONE]' })).toEqual({ data: '[DONE]' });
    expect(chatSseToCompletionSse({ data: 'not json' })).toBeNull();
    expect(JSON.parse(chatSseToCompletionSse({ data: JSON.stringify({ ...head, choices: [{ index: 0, delta: { content: 'a' } }] }) })!.data).choices[0].text).toBe('a');
  });

  it('works end to end on our own chat stream encoder output', () => {
    const enc = codec.createStreamEncoder({ model: 'm', includeUsage: false });
    const chat = [
      ...enc.push({ type: 'message-start', id: 'x', model: 'm' }),
      ...enc.push({ type: 'text-delta', id: 't', text: 'Hello' }),
      ...enc.push({ type: 'finish', reason: 'stop' }),
      ...enc.end(),
    ];
    const out = chat.map(chatSseToCompletionSse).filter((e) => e !== null);
    expect(out.map((e) => (e.data === '[DONE]' ? 'DONE' : JSON.parse(e.data).choices[0]))).toEqual([
      { index: 0, text: 'Hello', logprobs: null, finish_reason: null },
      { index: 0, text: '', logprobs: null, finish_reason: 'stop' },
      'DONE',
    ]);
  });
});
