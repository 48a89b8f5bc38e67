import { describe, expect, it } from 'vitest';
import type { CanonicalRequest } from '../../../src/ir/index.js';
import { openAIChatCodec as codec } from '../../../src/formats/openai-chat/index.js';
import { InvalidRequestError } from '../../../src/formats/types.js';

/** A coding-agent style request (Cline / Continue / openai SDK shapes). */
const agentRequest = {
  model: 'gpt-5',
  messages: [
    { role: 'system', content: 'You are a coding agent.' },
    { role: 'developer', content: [{ type: 'text', text: 'Prefer small diffs.' }] },
    {
      role: 'user',
      content: [
        { type: 'text', text: 'What is in this screenshot? Also read main.ts' },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'high' } },
        { type: 'image_url', image_url: { url: 'https://example.com/a.jpg' } },
        { type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } },
      ],
    },
    {
      role: 'assistant',
      content: null,
      reasoning_content: 'Need to read the file.',
      tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'read_file', arguments: '{"path":"main.ts"}' } },
        { id: 'call_2', type: 'function', function: { name: 'list_dir', arguments: '{}' } },
      ],
    },
    { role: 'tool', tool_call_id: 'call_1', content: 'console.log(1)' },
    { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: 'main.ts' }, { type: 'text', text: 'README.md' }] },
    { role: 'system', content: 'Reminder: be brief.' },
    { role: 'user', content: 'thanks' },
  ],
  tools: [
    {
      type: 'function',
      function: {
        name: 'read_file',
        description: 'Read a file',
        parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
        strict: true,
      },
    },
    { type: 'function', function: { name: 'list_dir' } },
    { type: 'web_search_preview' },
  ],
  tool_choice: 'auto',
  parallel_tool_calls: true,
  max_completion_tokens: 4096,
  temperature: 0.2,
  top_p: 0.9,
  stop: 'END',
  reasoning_effort: 'high',
  response_format: {
    type: 'json_schema',
    json_schema: { name: 'answer', schema: { type: 'object', properties: { a: { type: 'string' } } }, strict: true },
  },
  stream: true,
  stream_options: { include_usage: true },
  user: 'user-42',
  seed: 7,
  prompt_cache_key: 'abc',
};

describe('openai-chat decodeRequest', () => {
  it('decodes a full agent request', () => {
    const req = codec.decodeRequest(agentRequest);
    expect(req).toEqual<CanonicalRequest>({
      model: 'gpt-5',
      system: [
        { type: 'text', text: 'You are a coding agent.' },
        { type: 'text', text: 'Prefer small diffs.' },
        { type: 'text', text: 'Reminder: be brief.' },
      ],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this screenshot? Also read main.ts' },
            { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' }, detail: 'high' },
            { type: 'image', source: { kind: 'url', url: 'https://example.com/a.jpg' } },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'Need to read the file.', family: 'openai' },
            { type: 'tool-call', id: 'call_1', name: 'read_file', arguments: '{"path":"main.ts"}' },
            { type: 'tool-call', id: 'call_2', name: 'list_dir', arguments: '{}' },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool-result', callId: 'call_1', name: 'read_file', content: [{ type: 'text', text: 'console.log(1)' }] },
            {
              type: 'tool-result',
              callId: 'call_2',
              name: 'list_dir',
              content: [
                { type: 'text', text: 'main.ts' },
                { type: 'text', text: 'README.md' },
              ],
            },
          ],
        },
        { role: 'user', content: [{ type: 'text', text: 'thanks' }] },
      ],
      tools: [
        {
          name: 'read_file',
          description: 'Read a file',
          parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
          strict: true,
        },
        { name: 'list_dir', parameters: { type: 'object', properties: {} } },
      ],
      toolChoice: { type: 'auto' },
      parallelToolCalls: true,
      maxOutputTokens: 4096,
      temperature: 0.2,
      topP: 0.9,
      stop: ['END'],
      reasoning: { effort: 'high', includeThoughts: true },
      responseFormat: { type: 'json_schema', name: 'answer', schema: { type: 'object', properties: { a: { type: 'string' } } }, strict: true },
      stream: true,
      includeUsage: true,
      userId: 'user-42',
      providerOptions: { 'openai-chat': { seed: 7, prompt_cache_key: 'abc', maxTokensField: 'max_completion_tokens' } },
    });
  });

  it('accepts the legacy functions / function_call / function role', () => {
    const req = codec.decodeRequest({
      model: 'gpt-3.5-turbo',
      messages: [
        { role: 'user', content: 'weather?' },
        { role: 'assistant', content: null, function_call: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        { role: 'function', name: 'get_weather', content: '{"temp":20}' },
      ],
      functions: [{ name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
      function_call: { name: 'get_weather' },
    });
    const call = req.messages[1].content[0];
    expect(call).toMatchObject({ type: 'tool-call', name: 'get_weather', arguments: '{"city":"Paris"}' });
    expect(req.messages[2].content[0]).toEqual({
      type: 'tool-result',
      callId: (call as { id: string }).id,
      name: 'get_weather',
      content: [{ type: 'text', text: '{"temp":20}' }],
    });
    expect(req.tools.map((t) => t.name)).toEqual(['get_weather']);
    expect(req.toolChoice).toEqual({ type: 'tool', name: 'get_weather' });
  });

  it('pairs tool messages without tool_call_id with the unanswered calls in order, and ids missing on calls', () => {
    const req = codec.decodeRequest({
      model: 'm',
      messages: [
        { role: 'user', content: 'go' },
        {
          role: 'assistant',
          tool_calls: [
            { type: 'function', function: { name: 'a', arguments: { x: 1 } } },
            { id: 'c2', type: 'function', function: { name: 'b', arguments: '' } },
          ],
        },
        { role: 'tool', content: 'ra' },
        { role: 'tool', content: 'rb' },
      ],
    });
    const [a, b] = req.messages[1].content as Array<{ id: string; arguments: string }>;
    expect(a.id).toMatch(/^call_/);
    expect(a.arguments).toBe('{"x":1}');
    expect(b.arguments).toBe('{}');
    expect(req.messages[2].content.map((p) => (p as { callId: string }).callId)).toEqual([a.id, 'c2']);
  });

  it('maps the other reasoning spellings through the shared table inputs', () => {
    const base = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
    expect(codec.decodeRequest({ ...base, extra_body: { google: { thinking_config: { thinking_budget: 2048, include_thoughts: true } } } }).reasoning).toEqual({
      budgetTokens: 2048,
      includeThoughts: true,
    });
    expect(codec.decodeRequest({ ...base, google: { thinking_config: { thinkingBudget: 0 } } }).reasoning).toEqual({ budgetTokens: 0 });
    expect(codec.decodeRequest({ ...base, thinking: { type: 'enabled', budget_tokens: 3000 } }).reasoning).toEqual({ budgetTokens: 3000, includeThoughts: true });
    expect(codec.decodeRequest({ ...base, reasoning_effort: 'auto' }).reasoning).toEqual({ budgetTokens: -1, includeThoughts: true });
    expect(codec.decodeRequest({ ...base, reasoning_effort: 'none' }).reasoning).toEqual({ effort: 'none', includeThoughts: false });
    expect(codec.decodeRequest({ ...base, reasoning: { max_tokens: 5000 } }).reasoning).toEqual({ budgetTokens: 5000, includeThoughts: true });
  });

  it('drops tool_choice and parallel_tool_calls when there are no tools; max_tokens fallback; json_object', () => {
    const req = codec.decodeRequest({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      tool_choice: 'required',
      parallel_tool_calls: false,
      max_tokens: 100,
      response_format: { type: 'json_object' },
      stop: ['a', 'b'],
    });
    expect(req.toolChoice).toBeUndefined();
    expect(req.parallelToolCalls).toBeUndefined();
    expect(req.maxOutputTokens).toBe(100);
    expect(req.responseFormat).toEqual({ type: 'json' });
    expect(req.stop).toEqual(['a', 'b']);
    expect(req.includeUsage).toBeUndefined();
  });

  it.each([
    [{ messages: 'hi' }, 'messages must be an array'],
    [{}, 'messages must be an array'],
    [{ messages: [null] }, 'messages[0] must be an object'],
    [{ messages: [{ content: 'x' }] }, 'messages[0].role must be a string'],
    [{ messages: [{ role: 'wizard', content: 'x' }] }, 'messages[0].role "wizard" is not supported'],
    [{ messages: [{ role: 'user', content: 5 }] }, 'messages[0].content must be a string or an array of content parts'],
    [{ messages: [], tools: {} }, 'tools must be an array'],
    [{ messages: [], tools: [{ type: 'function' }] }, 'tools[0].function must be an object'],
    [{ messages: [], temperature: '0.5' }, 'temperature must be a number'],
    [{ messages: [], stop: 5 }, 'stop must be a string or an array of strings'],
    [{ messages: [{ role: 'assistant', tool_calls: [{ function: {} }] }] }, 'messages[0].tool_calls[0].function.name must be a string'],
  ])('rejects %j with a clear message', (body, message) => {
    expect(() => codec.decodeRequest(body as Record<string, unknown>)).toThrow(InvalidRequestError);
    expect(() => codec.decodeRequest(body as Record<string, unknown>)).toThrow(message);
  });
});

describe('openai-chat encodeRequest', () => {
  /** A canonical request as the Anthropic decoder would produce it. */
  const fromAnthropic: CanonicalRequest = {
    model: 'claude-sonnet-4-5',
    system: [
      { type: 'text', text: 'billing header', cacheControl: { type: 'ephemeral' } },
      { type: 'text', text: 'You are Claude Code.' },
    ],
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'Take a screenshot' }] },
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: 'thinking...', signature: 'sig', family: 'anthropic' },
          { type: 'text', text: 'Sure.' },
          { type: 'tool-call', id: 'toolu_1', name: 'screenshot', arguments: '' },
        ],
      },
      {
        role: 'user',
        content: [
          {
            type: 'tool-result',
            callId: 'toolu_1',
            content: [
              { type: 'text', text: 'done' },
              { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'AAAA' } },
            ],
            isError: false,
          },
          { type: 'text', text: 'What do you see?' },
        ],
      },
      { role: 'assistant', content: [{ type: 'reasoning', text: '', redactedData: 'xx', family: 'anthropic' }] },
    ],
    tools: [{ name: 'screenshot', parameters: { type: 'object', properties: {} } }],
    toolChoice: { type: 'tool', name: 'screenshot' },
    parallelToolCalls: false,
    maxOutputTokens: 32000,
    temperature: 1,
    topK: 40,
    stop: ['\n\nHuman:'],
    reasoning: { budgetTokens: 4000, includeThoughts: true },
    responseFormat: { type: 'json_schema', schema: { type: 'object' } },
    stream: true,
    includeUsage: false,
    userId: 'u1',
  };

  it('encodes a canonical request from another format', () => {
    expect(codec.encodeRequest(fromAnthropic, 'gpt-4.1')).toEqual({
      model: 'gpt-4.1',
      stream: true,
      stream_options: { include_usage: true },
      messages: [
        { role: 'system', content: 'billing header\n\nYou are Claude Code.' },
        { role: 'user', content: 'Take a screenshot' },
        {
          role: 'assistant',
          content: 'Sure.',
          tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'screenshot', arguments: '{}' } }],
        },
        { role: 'tool', tool_call_id: 'toolu_1', content: 'done' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Images returned by tool call toolu_1:' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
            { type: 'text', text: 'What do you see?' },
          ],
        },
      ],
      max_tokens: 32000,
      temperature: 1,
      stop: ['\n\nHuman:'],
      tools: [{ type: 'function', function: { name: 'screenshot', parameters: { type: 'object', properties: {} } } }],
      tool_choice: { type: 'function', function: { name: 'screenshot' } },
      parallel_tool_calls: false,
      reasoning_effort: 'medium',
      response_format: { type: 'json_schema', json_schema: { name: 'response', schema: { type: 'object' } } },
      user: 'u1',
    });
  });

  it('omits stream_options when not streaming and tool_choice when there are no tools', () => {
    const body = codec.encodeRequest({ ...fromAnthropic, stream: false, tools: [] }, 'm');
    expect(body.stream).toBe(false);
    expect(body.stream_options).toBeUndefined();
    expect(body.tools).toBeUndefined();
    expect(body.tool_choice).toBeUndefined();
    expect(body.parallel_tool_calls).toBeUndefined();
  });

  it('re-emits chat-only fields and the caller spelling of max tokens for a chat upstream', () => {
    const req = codec.decodeRequest(agentRequest);
    const body = codec.encodeRequest(req, 'gpt-5-mini');
    expect(body).toMatchObject({ max_completion_tokens: 4096, seed: 7, prompt_cache_key: 'abc', reasoning_effort: 'high' });
    expect(body.max_tokens).toBeUndefined();
    const msgs = body.messages as Array<Record<string, unknown>>;
    expect(msgs[0]).toEqual({ role: 'system', content: 'You are a coding agent.\n\nPrefer small diffs.\n\nReminder: be brief.' });
    // Reasoning is not sent back upstream.
    expect(msgs[2]).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'read_file', arguments: '{"path":"main.ts"}' } },
        { id: 'call_2', type: 'function', function: { name: 'list_dir', arguments: '{}' } },
      ],
    });
    expect(msgs[4]).toEqual({ role: 'tool', tool_call_id: 'call_2', content: 'main.ts\nREADME.md' });
  });
});
