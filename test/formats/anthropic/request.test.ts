import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anthropicCodec } from '../../../src/formats/anthropic/index.js';
import { toAnthropicInputSchema } from '../../../src/formats/anthropic/schema.js';
import { claudeCapabilities } from '../../../src/formats/anthropic/models.js';
import { reasoningEffort } from '../../../src/formats/shared/reasoning.js';
import { InvalidRequestError } from '../../../src/formats/types.js';
import type { CanonicalRequest } from '../../../src/ir/index.js';
import { canonicalRequest, clean, wireRequest } from './arbitraries.js';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../fixtures/anthropic/${name}`, import.meta.url), 'utf8'));
const { decodeRequest, encodeRequest } = anthropicCodec;

describe('anthropic decodeRequest', () => {
  const req = decodeRequest(fixture('amp-request.json'));

  it('reads system blocks with cache_control and role:"system" messages in order', () => {
    expect(req.system).toEqual([
      { type: 'text', text: 'x-anthropic-billing-header: cc_version=2.1.0; cc_entrypoint=cli' },
      { type: 'text', text: 'You are Amp, a coding agent.', cacheControl: { type: 'ephemeral', ttl: '1h' } },
      { type: 'text', text: 'The user is on macOS.' },
    ]);
    expect(req.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
  });

  it('maps thinking, tool_use and mixed tool_result/text user turns', () => {
    expect(req.messages[1]!.content).toEqual([
      { type: 'reasoning', text: 'I should call the list tool.', signature: 'EqQBCkgIARABGAIiQK..sig', family: 'anthropic' },
      { type: 'text', text: 'Let me look.' },
      { type: 'tool-call', id: 'toolu_01A09q90qw90lq917835lq9', name: 'list_directory', arguments: '{"path":"src"}' },
    ]);
    expect(req.messages[2]!.content).toEqual([
      { type: 'tool-result', callId: 'toolu_01A09q90qw90lq917835lq9', content: [{ type: 'text', text: 'index.ts\nutil.ts' }] },
      { type: 'text', text: '<system-reminder>Todo list is empty</system-reminder>', cacheControl: { type: 'ephemeral' } },
    ]);
  });

  it('maps tools, server tools, tool_choice, adaptive thinking, metadata and passthrough', () => {
    expect(req.tools.map((t) => t.name)).toEqual(['list_directory', 'Bash']);
    expect(req.toolChoice).toEqual({ type: 'auto' });
    expect(req.parallelToolCalls).toBe(false);
    expect(req.reasoning).toEqual({ effort: 'high', includeThoughts: true });
    expect(req.maxOutputTokens).toBe(32000);
    expect(req.stream).toBe(true);
    expect(req.userId).toBe('{"device_id":"abc","session_id":"s-1"}');
    const opts = req.providerOptions!.anthropic as Record<string, any>;
    expect(opts.serverTools).toEqual([{ type: 'web_search_20250305', name: 'web_search', max_uses: 5 }]);
    expect(opts.toolExtras).toEqual({ Bash: { defer_loading: true, cache_control: { type: 'ephemeral' } } });
    expect(opts.passthrough).toEqual({ context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] } });
  });

  it('maps every thinking shape', () => {
    const base = { model: 'm', max_tokens: 10, messages: [] };
    const r = (extra: object) => decodeRequest({ ...base, ...extra }).reasoning;
    expect(r({ thinking: { type: 'enabled', budget_tokens: 4000 } })).toEqual({ budgetTokens: 4000, includeThoughts: true });
    expect(r({ thinking: { type: 'adaptive', display: 'omitted' } })).toEqual({ effort: 'high', includeThoughts: false });
    expect(r({ thinking: { type: 'adaptive' }, output_config: { effort: 'low' } })).toEqual({ effort: 'low', includeThoughts: true });
    expect(r({ thinking: { type: 'disabled' } })).toEqual({ effort: 'none' });
    expect(r({ output_config: { effort: 'medium' } })).toEqual({ effort: 'medium' });
    expect(r({ output_config: { effort: 'max' } })).toEqual({ effort: 'xhigh' });
    expect(r({})).toBeUndefined();
  });

  it('reads output_format and output_config.format as a JSON schema response format', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    const base = { model: 'm', max_tokens: 10, messages: [] };
    expect(decodeRequest({ ...base, output_format: { type: 'json_schema', schema } }).responseFormat).toEqual({ type: 'json_schema', schema });
    expect(decodeRequest({ ...base, output_config: { format: { type: 'json_schema', schema } } }).responseFormat).toEqual({ type: 'json_schema', schema });
  });

  it('turns documents, search results and web search results into text, drops server_tool_use', () => {
    const req2 = decodeRequest({
      model: 'm',
      messages: [
        { role: 'user', content: [{ type: 'document', title: 'README', source: { type: 'text', media_type: 'text/plain', data: 'hello' } }, { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBER' } }] },
        { role: 'assistant', content: [{ type: 'server_tool_use', id: 's1', name: 'web_search', input: {} }, { type: 'web_search_tool_result', tool_use_id: 's1', content: [{ type: 'web_search_result', title: 'Docs', url: 'https://x.y' }] }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'search_result', source: 'https://s', title: 'S', content: [{ type: 'text', text: 'body' }] }], is_error: true }] },
      ],
    });
    expect(req2.messages[0]!.content).toEqual([{ type: 'text', text: 'README\n\nhello' }]);
    expect(req2.messages[1]!.content).toEqual([{ type: 'text', text: 'Web search results:\n- Docs https://x.y' }]);
    expect(req2.messages[2]!.content).toEqual([{ type: 'tool-result', callId: 't', content: [{ type: 'text', text: 'S (https://s)\nbody' }], isError: true }]);
  });

  it('rejects wrong types with clear messages and tolerates unknown fields', () => {
    expect(() => decodeRequest({ model: 'm', messages: {} })).toThrow(InvalidRequestError);
    expect(() => decodeRequest({ model: 'm', messages: [{ role: 'tool', content: 'x' }] })).toThrow(/role must be/);
    expect(() => decodeRequest({ model: 'm', messages: [], max_tokens: '5' })).toThrow(/max_tokens must be a number/);
    expect(() => decodeRequest({ model: 'm', messages: [], tools: {} })).toThrow(/tools must be an array/);
    expect(() => decodeRequest({ model: 'm', messages: [{ role: 'user', content: 5 }] })).toThrow(/content must be a string or an array/);
    expect(() => decodeRequest({ messages: [], whatever: { a: 1 } })).not.toThrow();
  });
});

describe('anthropic encodeRequest', () => {
  const base: CanonicalRequest = { model: 'x', system: [], messages: [], tools: [], stream: false };

  it('re-encodes the Amp request faithfully for Anthropic', () => {
    const body = encodeRequest(decodeRequest(fixture('amp-request.json')), 'claude-opus-4-7') as Record<string, any>;
    expect(body.thinking).toEqual({ type: 'adaptive', display: 'summarized' });
    expect(body.output_config).toEqual({ effort: 'high' });
    expect(body.system[1]).toEqual({ type: 'text', text: 'You are Amp, a coding agent.', cache_control: { type: 'ephemeral', ttl: '1h' } });
    expect(body.tools[1]).toMatchObject({ name: 'Bash', defer_loading: true, cache_control: { type: 'ephemeral' } });
    expect(body.tools[2]).toEqual({ type: 'web_search_20250305', name: 'web_search', max_uses: 5 });
    expect(body.tool_choice).toEqual({ type: 'auto', disable_parallel_tool_use: true });
    expect(body.context_management).toBeDefined();
    expect(body.metadata).toEqual({ user_id: '{"device_id":"abc","session_id":"s-1"}' });
    expect(body.messages[1].content[0]).toEqual({ type: 'thinking', thinking: 'I should call the list tool.', signature: 'EqQBCkgIARABGAIiQK..sig' });
  });

  it('merges consecutive same-role turns and puts tool results first', () => {
    const body = encodeRequest(
      {
        ...base,
        messages: [
          { role: 'assistant', content: [{ type: 'tool-call', id: 'call:1', name: 'f', arguments: 'not json' }] },
          { role: 'user', content: [{ type: 'text', text: 'also' }] },
          { role: 'user', content: [{ type: 'tool-result', callId: 'call:1', content: [{ type: 'text', text: 'ok' }], isError: true }] },
        ],
      },
      'claude-sonnet-4-5',
    ) as Record<string, any>;
    expect(body.messages).toEqual([
      { role: 'assistant', content: [{ type: 'tool_use', id: 'call_1', name: 'f', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: 'ok', is_error: true }, { type: 'text', text: 'also' }] },
    ]);
  });

  it('drops foreign or unsigned reasoning and never fabricates a signature', () => {
    const body = encodeRequest(
      {
        ...base,
        messages: [
          {
            role: 'assistant',
            content: [
              { type: 'reasoning', text: 'gemini thought', signature: 'gsig', family: 'gemini' },
              { type: 'reasoning', text: 'unsigned', family: 'anthropic' },
              { type: 'reasoning', text: '', redactedData: 'RD', family: 'anthropic' },
              { type: 'reasoning', text: 'signed', signature: 'asig', family: 'anthropic' },
              { type: 'text', text: 'answer  ' },
            ],
          },
        ],
      },
      'claude-sonnet-4-5',
    ) as Record<string, any>;
    expect(body.messages[0].content).toEqual([
      { type: 'redacted_thinking', data: 'RD' },
      { type: 'thinking', thinking: 'signed', signature: 'asig' },
      { type: 'text', text: 'answer' }, // final assistant prefill: trailing whitespace trimmed
    ]);
  });

  it('maps reasoning to a budget on 4.5 models, raising max_tokens and dropping sampling', () => {
    const body = encodeRequest({ ...base, maxOutputTokens: 2000, temperature: 0.3, topK: 5, reasoning: { effort: 'medium' } }, 'claude-sonnet-4-5-20250929');
    expect(body.thinking).toEqual({ type: 'enabled', budget_tokens: 8192 });
    expect(body.max_tokens).toBe(8192 + 4096);
    expect(body.temperature).toBeUndefined();
    expect(body.top_k).toBeUndefined();
    expect(body.output_config).toBeUndefined(); // Sonnet 4.5 rejects effort
    expect(encodeRequest({ ...base, reasoning: { budgetTokens: 100 } }, 'claude-haiku-4-5').thinking).toEqual({ type: 'enabled', budget_tokens: 1024 });
  });

  it('uses adaptive thinking plus effort on 4.6+ models', () => {
    expect(encodeRequest({ ...base, reasoning: { budgetTokens: 30000, includeThoughts: false } }, 'claude-opus-4-7')).toMatchObject({
      thinking: { type: 'adaptive', display: 'omitted' },
      output_config: { effort: 'xhigh' },
    });
    expect(encodeRequest({ ...base, reasoning: { effort: 'xhigh' } }, 'claude-opus-4-6').output_config).toEqual({ effort: 'high' });
    expect(encodeRequest({ ...base, reasoning: { effort: 'minimal' } }, 'claude-opus-4-7').output_config).toEqual({ effort: 'low' });
  });

  it('omits thinking for effort none, forced tool choice, old models and unsigned tool loops', () => {
    const tools = [{ name: 'f', parameters: { type: 'object', properties: {} } }];
    expect(encodeRequest({ ...base, reasoning: { effort: 'none' } }, 'claude-opus-4-7').thinking).toBeUndefined();
    expect(encodeRequest({ ...base, tools, toolChoice: { type: 'required' }, reasoning: { effort: 'high' } }, 'claude-opus-4-7')).toMatchObject({ tool_choice: { type: 'any' } });
    expect(encodeRequest({ ...base, tools, toolChoice: { type: 'required' }, reasoning: { effort: 'high' } }, 'claude-opus-4-7').thinking).toBeUndefined();
    expect(encodeRequest({ ...base, reasoning: { effort: 'high' } }, 'claude-3-5-haiku-20241022')).toMatchObject({ max_tokens: 8192 });
    expect(encodeRequest({ ...base, reasoning: { effort: 'high' } }, 'claude-3-5-haiku-20241022').thinking).toBeUndefined();
    const loop: CanonicalRequest = {
      ...base,
      tools,
      reasoning: { effort: 'high' },
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'go' }] },
        { role: 'assistant', content: [{ type: 'tool-call', id: 'c1', name: 'f', arguments: '{}' }] },
        { role: 'user', content: [{ type: 'tool-result', callId: 'c1', content: [{ type: 'text', text: 'r' }] }] },
      ],
    };
    expect(encodeRequest(loop, 'claude-sonnet-4-5').thinking).toBeUndefined();
  });

  it('maps tool choice, stop sequences, structured output, images and default max_tokens', () => {
    const body = encodeRequest(
      {
        ...base,
        tools: [{ name: 'f', parameters: { properties: { a: { type: 'string' } } }, strict: true }],
        toolChoice: { type: 'tool', name: 'f' },
        temperature: 0.5,
        topP: 0.9,
        stop: ['END', '  '],
        responseFormat: { type: 'json_schema', schema: { type: 'object' } },
        userId: 'u1',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image', source: { kind: 'url', url: 'data:image/jpeg;base64,AAAA' } },
              { type: 'image', source: { kind: 'url', url: 'https://x/y.png' } },
            ],
          },
        ],
      },
      'claude-opus-4-7',
    ) as Record<string, any>;
    expect(body.max_tokens).toBe(32000);
    expect(body.tools).toEqual([{ name: 'f', input_schema: { type: 'object', properties: { a: { type: 'string' } } }, strict: true }]);
    expect(body.tool_choice).toEqual({ type: 'tool', name: 'f' });
    expect(body.temperature).toBe(0.5);
    expect(body.top_p).toBeUndefined();
    expect(body.stop_sequences).toEqual(['END']);
    expect(body.output_config).toEqual({ format: { type: 'json_schema', schema: { type: 'object' } } });
    expect(body.metadata).toEqual({ user_id: 'u1' });
    expect(body.messages[0].content).toEqual([
      { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: 'AAAA' } },
      { type: 'image', source: { type: 'url', url: 'https://x/y.png' } },
    ]);
    expect(body.stream).toBe(false);
  });

  it('normalises tool schemas to an object root without top-level unions', () => {
    expect(toAnthropicInputSchema({})).toEqual({ type: 'object', properties: {} });
    expect(
      toAnthropicInputSchema({
        anyOf: [
          { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
          { type: 'object', properties: { b: { type: 'number' } } },
        ],
      }),
    ).toEqual({ type: 'object', properties: { a: { type: 'string' }, b: { type: 'number' } } });
    const ok = { type: 'object', properties: { x: {} } };
    expect(toAnthropicInputSchema(ok)).toBe(ok);
  });

  it('derives model capabilities from names', () => {
    expect(claudeCapabilities('claude-3-7-sonnet-20250219')).toMatchObject({ thinking: true, adaptive: false });
    expect(claudeCapabilities('claude-sonnet-4-20250514')).toMatchObject({ thinking: true, adaptive: false, efforts: [] });
    expect(claudeCapabilities('claude-opus-4-5-20251101').efforts).toEqual(['low', 'medium', 'high']);
    expect(claudeCapabilities('claude-sonnet-4-6')).toMatchObject({ adaptive: true });
    expect(claudeCapabilities('claude-fable-5')).toMatchObject({ adaptive: true });
  });
});

/** What an Anthropic round trip must preserve; reasoning is compared as level + visibility. */
function normalise(req: CanonicalRequest, adaptive: boolean): unknown {
  const r = clean(req) as CanonicalRequest;
  const level = reasoningEffort(r.reasoning);
  const reasoning = level === undefined || level === 'none' ? undefined : { level, show: adaptive ? r.reasoning?.includeThoughts !== false : undefined };
  const opts = r.providerOptions?.anthropic as Record<string, unknown> | undefined;
  if (opts) {
    delete opts.effort;
    if (!Object.keys(opts).length) delete r.providerOptions;
  }
  return clean({ ...r, reasoning });
}

describe('anthropic request properties', () => {
  it('decode(encode(decode(x))) preserves the meaning of x', () => {
    fc.assert(
      fc.property(wireRequest, (body) => {
        const once = decodeRequest(body);
        const twice = decodeRequest(encodeRequest(once, once.model));
        const adaptive = claudeCapabilities(once.model).adaptive;
        expect(normalise(twice, adaptive)).toEqual(normalise(once, adaptive));
      }),
      { numRuns: 300 },
    );
  });

  it('encodes any canonical request without throwing, with a valid Anthropic shape', () => {
    fc.assert(
      fc.property(canonicalRequest, fc.constantFrom('claude-opus-4-7', 'claude-sonnet-4-5', 'claude-3-5-haiku', 'unknown'), (req, model) => {
        const body = encodeRequest(req, model) as Record<string, any>;
        expect(typeof body.max_tokens).toBe('number');
        if (body.thinking?.type === 'enabled') expect(body.max_tokens).toBeGreaterThan(body.thinking.budget_tokens);
        if (body.thinking) expect(body.temperature ?? body.top_p ?? body.top_k).toBeUndefined();
        const msgs = body.messages as Array<{ role: string; content: Array<Record<string, unknown>> }>;
        for (let i = 1; i < msgs.length; i++) expect(msgs[i]!.role).not.toBe(msgs[i - 1]!.role);
        for (const m of msgs) {
          expect(m.content.length).toBeGreaterThan(0);
          for (const b of m.content) {
            if (b.type === 'text') expect(b.text).not.toBe('');
            if (b.type === 'thinking') expect(b.signature).toBeTruthy();
            if (b.type === 'tool_use') expect(b.id).toMatch(/^[a-zA-Z0-9_-]+$/);
          }
        }
        for (const t of body.tools ?? []) if (t.input_schema) expect(t.input_schema.type).toBe('object');
        // and the result decodes again
        decodeRequest(body);
      }),
      { numRuns: 300 },
    );
  });
});

describe('anthropic encodeRequest with stable (stored) history', () => {
  it('gives the same body as a fresh encode, and merging or trimming never alters the cached wire forms', async () => {
    const { markStable } = await import('../../../src/ir/stable.js');
    const { serializeBody } = await import('../../../src/util/frozen-json.js');
    const stringifyBody = (body: Record<string, unknown>) => String(serializeBody(body));
    const history: CanonicalRequest['messages'] = [
      { role: 'user', content: [{ type: 'text', text: 'first' }] },
      { role: 'user', content: [{ type: 'text', text: 'second, merged into the first' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'prefill with trailing space   ' }] },
    ];
    const fresh = structuredClone(history);
    for (const m of history) markStable(m);
    const req = (messages: CanonicalRequest['messages']): CanonicalRequest => ({ model: 'claude-sonnet-4-5', stream: true, system: [], messages, tools: [] });
    for (let turn = 0; turn < 3; turn++) {
      const cached = encodeRequest(req(history), 'claude-sonnet-4-5');
      const plain = encodeRequest(req(fresh), 'claude-sonnet-4-5');
      expect(stringifyBody(cached)).toBe(JSON.stringify(plain));
      expect(cached.messages).toEqual([
        { role: 'user', content: [{ type: 'text', text: 'first' }, { type: 'text', text: 'second, merged into the first' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'prefill with trailing space' }] },
      ]);
    }
    // Later turns extend the history: the once-final assistant turn is sent untrimmed now.
    const next = { role: 'user' as const, content: [{ type: 'text' as const, text: 'third' }] };
    const longer = encodeRequest(req([...history, markStable(next)]), 'claude-sonnet-4-5');
    expect((longer.messages as Array<{ content: Array<{ text: string }> }>)[1]!.content[0]!.text).toBe('prefill with trailing space   ');
    expect(stringifyBody(longer)).toBe(JSON.stringify(encodeRequest(req([...fresh, structuredClone(next)]), 'claude-sonnet-4-5')));
  });
});
