import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openAIResponsesCodec as codec } from '../../../src/formats/openai-responses/index.js';
import { InvalidRequestError } from '../../../src/formats/types.js';
import type { CanonicalRequest } from '../../../src/ir/index.js';
import { canonicalRequest, wireRequest } from './arbitraries.js';

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../fixtures/openai-responses/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;

describe('openai-responses decodeRequest', () => {
  it('decodes a Codex CLI request with every item kind', () => {
    const req = codec.decodeRequest(fixture('codex-request.json'));
    expect(req.model).toBe('gpt-5.1-codex');
    expect(req.stream).toBe(true);
    expect(req.system.map((s) => s.text)).toEqual([
      'You are Codex, based on GPT-5.',
      '<permissions instructions>sandbox: workspace-write</permissions instructions>',
    ]);
    expect(req.tools.map((t) => t.name)).toEqual(['shell', 'apply_patch', 'view_image', 'late_tool']);
    expect(req.tools[1]!.parameters).toEqual({ type: 'object', properties: { input: { type: 'string' } }, required: ['input'] });
    expect(req.toolChoice).toEqual({ type: 'auto' });
    expect(req.parallelToolCalls).toBe(false);
    expect(req.reasoning).toEqual({ effort: 'high', includeThoughts: true });
    expect(req.providerOptions?.['openai-responses']).toMatchObject({
      customTools: { apply_patch: { format: { type: 'grammar', syntax: 'lark', definition: 'start: begin_patch hunk+ end_patch' } } },
      verbosity: 'low',
      store: false,
      include: ['reasoning.encrypted_content'],
      promptCacheKey: '0199-session',
    });

    expect(req.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user', 'assistant', 'user']);
    const [u1, a1, r1, a2, r2, a3, r3] = req.messages;
    expect(u1!.content).toEqual([
      { type: 'text', text: '<environment_context>\n  <cwd>/repo</cwd>\n</environment_context>' },
      { type: 'text', text: 'Fix the failing test, see screenshot' },
      { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'image', source: { kind: 'url', url: 'https://example.com/a.png' }, detail: 'high' },
    ]);
    expect(a1!.content).toEqual([
      {
        type: 'reasoning',
        text: '**Inspecting tests**\n\nLooking at the runner.',
        family: 'openai',
        signature: 'gAAAAABencrypted==',
        itemId: 'rs_0a1',
      },
      { type: 'text', text: 'Let me look.' },
      { type: 'tool-call', id: 'call_shell_1', name: 'shell', arguments: '{"command":["ls"]}' },
    ]);
    expect(r1!.content).toEqual([{ type: 'tool-result', callId: 'call_shell_1', name: 'shell', content: [{ type: 'text', text: 'a.ts\nb.ts' }] }]);
    expect(a2!.content).toEqual([
      { type: 'tool-call', id: 'call_patch_1', name: 'apply_patch', arguments: JSON.stringify({ input: '*** Begin Patch\n*** End Patch' }) },
    ]);
    expect(r2!.content).toEqual([{ type: 'tool-result', callId: 'call_patch_1', name: 'apply_patch', content: [{ type: 'text', text: 'Done!' }] }]);
    expect(a3!.content[0]).toMatchObject({ type: 'tool-call', id: 'call_view_1' });
    expect(r3!.content).toEqual([
      {
        type: 'tool-result',
        callId: 'call_view_1',
        name: 'view_image',
        content: [
          { type: 'text', text: 'image:' },
          { type: 'image', source: { kind: 'base64', mediaType: 'image/jpeg', data: '/9j/4AAQ' } },
        ],
      },
      { type: 'text', text: 'continue' },
    ]);
  });

  it('accepts a plain string input and the openai SDK minimal body', () => {
    const req = codec.decodeRequest({ model: 'gpt-4.1', input: 'hi', text: { format: { type: 'json_schema', name: 'x', schema: { type: 'object' }, strict: true } } });
    expect(req.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'hi' }] }]);
    expect(req.responseFormat).toEqual({ type: 'json_schema', name: 'x', schema: { type: 'object' }, strict: true });
    expect(req.stream).toBe(false);
    expect(codec.decodeRequest({ input: [] }).model).toBe('');
    expect(codec.decodeRequest({ model: 'm', text: { format: { type: 'json_object' } } }).responseFormat).toEqual({ type: 'json' });
  });

  it('maps tool_choice shapes', () => {
    const tc = (tool_choice: unknown) => codec.decodeRequest({ model: 'm', input: 'x', tool_choice }).toolChoice;
    expect(tc('none')).toEqual({ type: 'none' });
    expect(tc('required')).toEqual({ type: 'required' });
    expect(tc({ type: 'function', name: 'f' })).toEqual({ type: 'tool', name: 'f' });
    expect(tc({ type: 'allowed_tools', mode: 'required', tools: [] })).toEqual({ type: 'required' });
  });

  it('rejects wrong types with clear messages', () => {
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ input: 5 }, /input must be a string or an array/],
      [{ input: [1] }, /input\[0\] must be an object/],
      [{ input: [{ role: 'robot', content: 'x' }] }, /input\[0\]\.role/],
      [{ input: [{ type: 'function_call', name: 'f' }] }, /call_id/],
      [{ tools: {} }, /tools must be an array/],
      [{ tools: [{ type: 'function' }] }, /tools\[0\]\.name/],
      [{ max_output_tokens: '10' }, /max_output_tokens must be a number/],
      [{ text: { format: { type: 'yaml' } } }, /text\.format\.type/],
      [{ reasoning: 'high' }, /reasoning must be an object/],
      [{ tool_choice: 3 }, /tool_choice/],
    ];
    for (const [body, msg] of bad) {
      expect(() => codec.decodeRequest({ model: 'm', ...body })).toThrow(InvalidRequestError);
      expect(() => codec.decodeRequest({ model: 'm', ...body })).toThrow(msg);
    }
  });

  it('ignores unknown items and fields', () => {
    const req = codec.decodeRequest({
      model: 'm',
      input: [{ type: 'web_search_call', id: 'ws_1' }, { type: 'mystery' }, { role: 'user', content: [{ type: 'input_file', file_id: 'f' }, { type: 'input_text', text: 'ok' }] }],
      whatever: { deep: true },
    });
    expect(req.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'ok' }] }]);
  });
});

describe('openai-responses encodeRequest', () => {
  it('encodes a Codex-style stateless request', () => {
    const req = codec.decodeRequest(fixture('codex-request.json'));
    const body = codec.encodeRequest(req, 'gpt-5.1-codex-max');
    expect(body).toMatchObject({
      model: 'gpt-5.1-codex-max',
      instructions: 'You are Codex, based on GPT-5.\n\n<permissions instructions>sandbox: workspace-write</permissions instructions>',
      tool_choice: 'auto',
      parallel_tool_calls: false,
      reasoning: { effort: 'high', summary: 'auto' },
      include: ['reasoning.encrypted_content'],
      text: { verbosity: 'low' },
      prompt_cache_key: '0199-session',
      stream: true,
      store: false,
    });
    expect(body.tools).toEqual([
      expect.objectContaining({ type: 'function', name: 'shell', strict: false }),
      { type: 'custom', name: 'apply_patch', description: 'Use the apply_patch tool to edit files.', format: { type: 'grammar', syntax: 'lark', definition: 'start: begin_patch hunk+ end_patch' } },
      expect.objectContaining({ type: 'function', name: 'view_image', strict: false }),
      expect.objectContaining({ type: 'function', name: 'late_tool' }),
    ]);
    const input = body.input as Array<Record<string, unknown>>;
    expect(input.map((i) => i.type)).toEqual([
      'message',
      'reasoning',
      'message',
      'function_call',
      'function_call_output',
      'custom_tool_call',
      'custom_tool_call_output',
      'function_call',
      'function_call_output',
      'message',
    ]);
    expect(input[1]).toEqual({
      type: 'reasoning',
      summary: [{ type: 'summary_text', text: '**Inspecting tests**\n\nLooking at the runner.' }],
      encrypted_content: 'gAAAAABencrypted==',
    });
    expect(input[5]).toEqual({ type: 'custom_tool_call', call_id: 'call_patch_1', name: 'apply_patch', input: '*** Begin Patch\n*** End Patch' });
    expect(input[8]).toEqual({
      type: 'function_call_output',
      call_id: 'call_view_1',
      output: [
        { type: 'input_text', text: 'image:' },
        { type: 'input_image', image_url: 'data:image/jpeg;base64,/9j/4AAQ', detail: 'auto' },
      ],
    });
    expect(JSON.stringify(body)).not.toContain('rs_0a1'); // item ids are never sent with store:false
  });

  it('drops foreign reasoning signatures and unsupported settings; maps budget via the shared table', () => {
    const req: CanonicalRequest = {
      model: 'x',
      system: [],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'q' }] },
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'thinking', family: 'anthropic', signature: 'sig' },
            { type: 'reasoning', text: '', family: 'openai', signature: 'enc' },
            { type: 'tool-call', id: 'toolu_1', name: 'f', arguments: '{}' },
          ],
        },
        { role: 'user', content: [{ type: 'tool-result', callId: 'toolu_1', content: [{ type: 'text', text: 'r' }], isError: true }] },
      ],
      tools: [{ name: 'f', parameters: { type: 'object' } }],
      toolChoice: { type: 'tool', name: 'f' },
      stop: ['x'],
      topK: 3,
      reasoning: { budgetTokens: 1000 },
      responseFormat: { type: 'json_schema', schema: { type: 'object' } },
      stream: false,
    };
    const body = codec.encodeRequest(req, 'gpt-5');
    expect(body.input).toEqual([
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'q' }] },
      { type: 'reasoning', summary: [], encrypted_content: 'enc' },
      { type: 'function_call', call_id: 'toolu_1', name: 'f', arguments: '{}' },
      { type: 'function_call_output', call_id: 'toolu_1', output: 'r' },
    ]);
    expect(body.reasoning).toEqual({ effort: 'low' });
    expect(body.tool_choice).toEqual({ type: 'function', name: 'f' });
    expect(body.text).toEqual({ format: { type: 'json_schema', name: 'response', schema: { type: 'object' } } });
    expect(body).not.toHaveProperty('stop');
    expect(body).not.toHaveProperty('top_k');
    expect(body).not.toHaveProperty('instructions');
    expect(body.stream).toBe(false);
    expect(body.store).toBe(false);
  });
});

/** What a Responses round trip cannot carry, by design (see the codec's comments). */
function normalise(req: CanonicalRequest): unknown {
  const copy = structuredClone(req);
  const system = copy.system.map((s) => s.text).join('\n\n');
  delete copy.userId;
  const opts = copy.providerOptions?.['openai-responses'];
  if (opts) {
    delete opts.store;
    delete opts.include;
    if (Object.keys(opts).length === 0) delete copy.providerOptions;
  }
  for (const t of copy.tools) t.strict ??= false;
  for (const m of copy.messages) {
    if (m.role !== 'assistant') continue;
    m.content = m.content.filter((p) => p.type !== 'reasoning' || p.signature !== undefined);
    for (const p of m.content) if (p.type === 'reasoning') delete p.itemId;
  }
  // Dropping an unsigned reasoning-only turn leaves its neighbours adjacent: they merge, as the decoder does.
  const merged: CanonicalRequest['messages'] = [];
  for (const m of copy.messages) {
    if (m.content.length === 0) continue;
    const last = merged[merged.length - 1];
    if (last && last.role === m.role) (last.content as unknown[]).push(...m.content);
    else merged.push(m);
  }
  copy.messages = merged;
  return { ...copy, system };
}

describe('openai-responses request properties', () => {
  it('decode(encode(decode(x))) preserves the meaning of decode(x)', () => {
    fc.assert(
      fc.property(wireRequest, (body) => {
        const once = codec.decodeRequest(body);
        const twice = codec.decodeRequest(codec.encodeRequest(once, String(body.model)));
        expect(normalise(twice)).toEqual(normalise(once));
      }),
      { numRuns: 300 },
    );
  });

  it('encodes any canonical request into a body that decodes again', () => {
    fc.assert(
      fc.property(canonicalRequest, (req) => {
        const body = codec.encodeRequest(req, 'gpt-5');
        const back = codec.decodeRequest(JSON.parse(JSON.stringify(body)) as Record<string, unknown>);
        const calls = req.messages.flatMap((m) => m.content as Array<{ type: string }>).filter((p) => p.type === 'tool-call');
        const backCalls = back.messages.flatMap((m) => m.content as Array<{ type: string }>).filter((p) => p.type === 'tool-call');
        expect(backCalls).toEqual(calls);
        expect(back.tools.map((t) => t.name)).toEqual(req.tools.map((t) => t.name));
        for (const item of body.input as Array<Record<string, unknown>>) {
          if (item.type === 'reasoning') expect(item).toHaveProperty('encrypted_content');
        }
      }),
      { numRuns: 200 },
    );
  });
});
