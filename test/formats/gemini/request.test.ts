import { describe, expect, it } from 'vitest';
import { geminiCodec } from '../../../src/formats/gemini/index.js';
import { InvalidRequestError } from '../../../src/formats/types.js';
import type { CanonicalRequest } from '../../../src/ir/index.js';

/** Shaped like what gemini-cli sends on a tool-using turn (camelCase, ids only on functionResponse). */
const cliTurn = {
  contents: [
    { role: 'user', parts: [{ text: 'List the files in src and read main.ts' }] },
    {
      role: 'model',
      parts: [
        { text: 'Let me look at the directory first.', thought: true },
        { functionCall: { name: 'list_directory', args: { path: 'src' } }, thoughtSignature: 'c2lnLTE=' },
        { functionCall: { name: 'read_file', args: { path: 'src/main.ts' } } },
      ],
    },
    {
      role: 'user',
      parts: [
        { functionResponse: { id: 'read_file-1731-abc', name: 'read_file', response: { output: 'console.log(1)' } } },
        { functionResponse: { id: 'list_directory-1731-def', name: 'list_directory', response: { output: 'main.ts\nutil.ts' } } },
      ],
    },
    { role: 'model', parts: [{ text: 'Done.', thoughtSignature: 'c2lnLTI=' }] },
    { role: 'user', parts: [{ text: 'thanks' }, { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } }] },
  ],
  systemInstruction: { role: 'user', parts: [{ text: 'You are a CLI agent.' }, { text: 'Be terse.' }] },
  tools: [
    {
      functionDeclarations: [
        {
          name: 'list_directory',
          description: 'Lists a directory',
          parametersJsonSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
        },
        {
          name: 'read_file',
          description: 'Reads a file',
          parameters: { type: 'OBJECT', properties: { path: { type: 'STRING', nullable: true } }, required: ['path'] },
        },
        { name: 'get_time' },
      ],
    },
    { googleSearch: {} },
  ],
  toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['read_file'] } },
  generationConfig: {
    temperature: 0,
    topP: 1,
    maxOutputTokens: 8192,
    thinkingConfig: { includeThoughts: true, thinkingBudget: -1 },
    seed: 7,
  },
  safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }],
};

describe('gemini decodeRequest', () => {
  const req = geminiCodec.decodeRequest(structuredClone(cliTurn));

  it('reads system, model from nowhere, stream false', () => {
    expect(req.model).toBe('');
    expect(req.stream).toBe(false);
    expect(req.system).toEqual([
      { type: 'text', text: 'You are a CLI agent.' },
      { type: 'text', text: 'Be terse.' },
    ]);
  });

  it('derives positional call ids and pairs responses by name (out of order)', () => {
    const model = req.messages[1]!;
    expect(model.role).toBe('assistant');
    expect(model.content).toEqual([
      { type: 'reasoning', text: 'Let me look at the directory first.', family: 'gemini' },
      { type: 'tool-call', id: 'call_0', name: 'list_directory', arguments: '{"path":"src"}', signature: 'c2lnLTE=' },
      { type: 'tool-call', id: 'call_1', name: 'read_file', arguments: '{"path":"src/main.ts"}' },
    ]);
    expect(req.messages[2]!.content).toEqual([
      { type: 'tool-result', callId: 'call_1', name: 'read_file', content: [{ type: 'text', text: 'console.log(1)' }] },
      { type: 'tool-result', callId: 'call_0', name: 'list_directory', content: [{ type: 'text', text: 'main.ts\nutil.ts' }] },
    ]);
    // Same history → same ids.
    expect(geminiCodec.decodeRequest(structuredClone(cliTurn)).messages).toEqual(req.messages);
  });

  it('keeps a text part signature in place as an empty gemini reasoning part', () => {
    expect(req.messages[3]!.content).toEqual([
      { type: 'reasoning', text: '', signature: 'c2lnLTI=', family: 'gemini' },
      { type: 'text', text: 'Done.' },
    ]);
    expect(req.messages[4]!.content[1]).toEqual({ type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' } });
  });

  it('maps tools, tool config, generation config and gemini extras', () => {
    expect(req.tools).toEqual([
      { name: 'list_directory', description: 'Lists a directory', parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } },
      { name: 'read_file', description: 'Reads a file', parameters: { type: 'object', properties: { path: { type: ['string', 'null'] } }, required: ['path'] } },
      { name: 'get_time', parameters: { type: 'object', properties: {} } },
    ]);
    expect(req.toolChoice).toEqual({ type: 'tool', name: 'read_file' });
    expect(req.temperature).toBe(0);
    expect(req.topP).toBe(1);
    expect(req.maxOutputTokens).toBe(8192);
    expect(req.reasoning).toEqual({ budgetTokens: -1, includeThoughts: true });
    expect(req.providerOptions?.gemini).toEqual({
      builtinTools: [{ googleSearch: {} }],
      generationConfig: { seed: 7 },
      safetySettings: cliTurn.safetySettings,
    });
  });

  it('accepts snake_case field names', () => {
    const r = geminiCodec.decodeRequest({
      system_instruction: { parts: [{ text: 'sys' }] },
      contents: [
        { parts: [{ text: 'hi' }, { inline_data: { mime_type: 'image/jpeg', data: 'AAA' } }, { file_data: { file_uri: 'gs://b/x.pdf', mime_type: 'application/pdf' } }] },
        { role: 'model', parts: [{ function_call: { name: 'f', args: { a: 1 } }, thought_signature: 'S' }] },
        { role: 'function', parts: [{ function_response: { name: 'f', response: { result: { ok: true } } } }] },
      ],
      tools: [{ function_declarations: [{ name: 'f', parameters_json_schema: { type: 'object', properties: { a: { type: 'number' } } } }] }],
      tool_config: { function_calling_config: { mode: 'none' } },
      generation_config: {
        max_output_tokens: 10,
        top_k: 5,
        stop_sequences: ['END'],
        thinking_config: { thinking_level: 'high', include_thoughts: false },
        response_mime_type: 'application/json',
        response_json_schema: { type: 'object' },
      },
    });
    expect(r.system).toEqual([{ type: 'text', text: 'sys' }]);
    expect(r.messages[0]!.content).toEqual([
      { type: 'text', text: 'hi' },
      { type: 'image', source: { kind: 'base64', mediaType: 'image/jpeg', data: 'AAA' } },
      { type: 'text', text: '[file gs://b/x.pdf (application/pdf) omitted]' },
    ]);
    expect(r.messages[1]!.content).toEqual([{ type: 'tool-call', id: 'call_0', name: 'f', arguments: '{"a":1}', signature: 'S' }]);
    expect(r.messages[2]!.content).toEqual([{ type: 'tool-result', callId: 'call_0', name: 'f', content: [{ type: 'text', text: '{"ok":true}' }] }]);
    expect(r.toolChoice).toEqual({ type: 'none' });
    expect(r.maxOutputTokens).toBe(10);
    expect(r.topK).toBe(5);
    expect(r.stop).toEqual(['END']);
    expect(r.reasoning).toEqual({ effort: 'high', includeThoughts: false });
    expect(r.responseFormat).toEqual({ type: 'json_schema', schema: { type: 'object' } });
  });

  it('marks error responses and pairs by id when calls have ids', () => {
    const r = geminiCodec.decodeRequest({
      contents: [
        { role: 'user', parts: [{ text: 'go' }] },
        { role: 'model', parts: [{ functionCall: { id: 'a1', name: 'f', args: {} } }, { functionCall: { id: 'a2', name: 'f', args: {} } }] },
        { role: 'user', parts: [{ functionResponse: { id: 'a2', name: 'f', response: { error: 'boom' } } }, { functionResponse: { id: 'a1', name: 'f', response: { x: 1, y: 'z' } } }] },
      ],
    });
    expect(r.messages[2]!.content).toEqual([
      { type: 'tool-result', callId: 'a2', name: 'f', content: [{ type: 'text', text: 'boom' }], isError: true },
      { type: 'tool-result', callId: 'a1', name: 'f', content: [{ type: 'text', text: '{"x":1,"y":"z"}' }] },
    ]);
  });

  it('maps responseSchema (OpenAPI) and bare JSON mode', () => {
    const a = geminiCodec.decodeRequest({ contents: [], generationConfig: { responseMimeType: 'application/json', responseSchema: { type: 'OBJECT', properties: { a: { type: 'STRING' } } } } });
    expect(a.responseFormat).toEqual({ type: 'json_schema', schema: { type: 'object', properties: { a: { type: 'string' } } } });
    const b = geminiCodec.decodeRequest({ contents: [], generationConfig: { responseMimeType: 'application/json' } });
    expect(b.responseFormat).toEqual({ type: 'json' });
  });

  it('merges consecutive same-role contents and ignores unknown fields', () => {
    const r = geminiCodec.decodeRequest({
      contents: [{ role: 'user', parts: [{ text: 'a' }] }, { parts: [{ text: 'b' }] }, { role: 'model', parts: [] }],
      labels: { x: 'y' },
      whatever: 1,
    });
    expect(r.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }]);
  });

  it('rejects wrong types with clear messages', () => {
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{}, /contents must be an array/],
      [{ contents: 'hi' }, /contents must be an array/],
      [{ contents: [1] }, /contents\[0\] must be an object/],
      [{ contents: [{ parts: {} }] }, /contents\[0\]\.parts must be an array/],
      [{ contents: [{ parts: [{ text: 3 }] }] }, /parts\[0\]\.text must be a string/],
      [{ contents: [{ role: 'model', parts: [{ functionCall: { args: {} } }] }] }, /functionCall\.name must be a string/],
      [{ contents: [], tools: {} }, /tools must be an array/],
      [{ contents: [], tools: [{ functionDeclarations: [{ description: 'x' }] }] }, /name/],
      [{ contents: [], generationConfig: { temperature: 'hot' } }, /generationConfig\.temperature must be a number/],
      [{ contents: [], generationConfig: { stopSequences: [1] } }, /stopSequences/],
    ];
    for (const [body, msg] of bad) expect(() => geminiCodec.decodeRequest(body)).toThrow(InvalidRequestError), expect(() => geminiCodec.decodeRequest(body)).toThrow(msg);
  });
});

function baseRequest(over: Partial<CanonicalRequest> = {}): CanonicalRequest {
  return { model: 'gpt-x', system: [], messages: [], tools: [], stream: false, ...over };
}

describe('gemini encodeRequest', () => {
  it('encodes a cross-provider tool conversation with skip signatures and recovered names', () => {
    const body = geminiCodec.encodeRequest(
      baseRequest({
        system: [{ type: 'text', text: 'sys' }],
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'weather?' }, { type: 'image', source: { kind: 'url', url: 'https://x.test/a.JPG?s=1' } }] },
          {
            role: 'assistant',
            content: [
              { type: 'reasoning', text: 'claude thinking', signature: 'anthropic-sig', family: 'anthropic' },
              { type: 'text', text: 'Checking.' },
              { type: 'tool-call', id: 'toolu_01', name: 'get_weather', arguments: '{"city":"Paris"}' },
              { type: 'tool-call', id: 'toolu_02', name: 'get_time', arguments: 'not json' },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool-result', callId: 'toolu_01', content: [{ type: 'text', text: '{"temp":21}' }] },
              { type: 'tool-result', callId: 'toolu_02', content: [{ type: 'text', text: 'failed' }], isError: true },
            ],
          },
          { role: 'user', content: [{ type: 'text', text: 'and tomorrow?' }] },
        ],
      }),
      'gemini-2.5-pro',
    );
    expect(body).toEqual({
      systemInstruction: { parts: [{ text: 'sys' }] },
      contents: [
        { role: 'user', parts: [{ text: 'weather?' }, { fileData: { mimeType: 'image/jpeg', fileUri: 'https://x.test/a.JPG?s=1' } }] },
        {
          role: 'model',
          parts: [
            { text: 'Checking.' },
            { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'skip_thought_signature_validator' },
            { functionCall: { name: 'get_time', args: {} } },
          ],
        },
        {
          role: 'user',
          parts: [
            { functionResponse: { name: 'get_weather', response: { result: { temp: 21 } } } },
            { functionResponse: { name: 'get_time', response: { error: 'failed' } } },
            { text: 'and tomorrow?' },
          ],
        },
      ],
    });
  });

  it('keeps gemini signatures and Gemini-issued ids', () => {
    const body = geminiCodec.encodeRequest(
      baseRequest({
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'q' }] },
          {
            role: 'assistant',
            content: [
              { type: 'reasoning', text: 'thinking', family: 'gemini', signature: 'G1' },
              { type: 'tool-call', id: 'gid-9', name: 'f', arguments: '{}', signature: 'G2' },
              { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'AA' } },
            ],
          },
          { role: 'user', content: [{ type: 'tool-result', callId: 'gid-9', name: 'f', content: [{ type: 'text', text: 'ok' }, { type: 'image', source: { kind: 'url', url: 'data:image/gif;base64,R0lG' } }] }] },
        ],
      }),
      'gemini-3-pro-preview',
    );
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'q' }] },
      {
        role: 'model',
        parts: [
          { text: 'thinking', thought: true, thoughtSignature: 'G1' },
          { functionCall: { name: 'f', args: {}, id: 'gid-9' }, thoughtSignature: 'G2' },
          { inlineData: { mimeType: 'image/png', data: 'AA' } },
        ],
      },
      { role: 'user', parts: [{ functionResponse: { name: 'f', response: { result: 'ok' }, id: 'gid-9' } }, { inlineData: { mimeType: 'image/gif', data: 'R0lG' } }] },
    ]);
  });

  it('cleans tool schemas, omits empty parameters, maps tool choice', () => {
    const body = geminiCodec.encodeRequest(
      baseRequest({
        tools: [
          { name: 'noargs', parameters: { type: 'object', properties: {}, additionalProperties: false } },
          { name: 'f', description: 'd', parameters: { type: 'object', properties: { a: { type: ['integer', 'null'], default: 1 } }, required: ['a', 'b'], $schema: 'x' }, strict: true },
        ],
        toolChoice: { type: 'required' },
      }),
      'gemini-2.5-flash',
    );
    expect(body.tools).toEqual([
      {
        functionDeclarations: [
          { name: 'noargs' },
          { name: 'f', description: 'd', parameters: { type: 'object', properties: { a: { type: 'integer', nullable: true } }, required: ['a'] } },
        ],
      },
    ]);
    expect(body.toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY' } });
    const named = geminiCodec.encodeRequest(baseRequest({ toolChoice: { type: 'tool', name: 'f' } }), 'm');
    expect(named.toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['f'] } });
    expect(geminiCodec.encodeRequest(baseRequest({ toolChoice: { type: 'none' } }), 'm').toolConfig).toEqual({ functionCallingConfig: { mode: 'NONE' } });
  });

  it('maps generation settings, reasoning via the shared table, and structured output', () => {
    const body = geminiCodec.encodeRequest(
      baseRequest({
        maxOutputTokens: 100,
        temperature: 0.5,
        topP: 0.9,
        topK: 40,
        stop: ['a', 'b'],
        reasoning: { effort: 'high' },
        responseFormat: { type: 'json_schema', name: 'x', schema: { type: 'object', properties: { a: { $ref: '#/$defs/A' } }, $defs: { A: { type: 'string' } } } },
      }),
      'gemini-2.5-pro',
    );
    expect(body.generationConfig).toEqual({
      maxOutputTokens: 100,
      temperature: 0.5,
      topP: 0.9,
      topK: 40,
      stopSequences: ['a', 'b'],
      thinkingConfig: { thinkingBudget: 24576, includeThoughts: true },
      responseMimeType: 'application/json',
      responseJsonSchema: { type: 'object', properties: { a: { $ref: '#/$defs/A' } }, $defs: { A: { type: 'string' } } },
    });
    const off = geminiCodec.encodeRequest(baseRequest({ reasoning: { effort: 'none' }, responseFormat: { type: 'json' } }), 'gemini-2.5-flash');
    expect(off.generationConfig).toEqual({ thinkingConfig: { thinkingBudget: 0 }, responseMimeType: 'application/json' });
    const hidden = geminiCodec.encodeRequest(baseRequest({ reasoning: { budgetTokens: 2048, includeThoughts: false } }), 'gemini-2.5-flash');
    expect(hidden.generationConfig).toEqual({ thinkingConfig: { thinkingBudget: 2048, includeThoughts: false } });
    const pro = geminiCodec.encodeRequest(baseRequest({ reasoning: { effort: 'none' } }), 'gemini-2.5-pro');
    expect(pro.generationConfig).toEqual({ thinkingConfig: { thinkingBudget: 128 } });
    const big = geminiCodec.encodeRequest(baseRequest({ reasoning: { effort: 'xhigh' } }), 'gemini-2.5-flash');
    expect(big.generationConfig).toEqual({ thinkingConfig: { thinkingBudget: 24576, includeThoughts: true } });
    const g3 = geminiCodec.encodeRequest(baseRequest({ reasoning: { effort: 'low' } }), 'gemini-3-pro-preview');
    expect(g3.generationConfig).toEqual({ thinkingConfig: { thinkingLevel: 'LOW', includeThoughts: true } });
    expect(geminiCodec.encodeRequest(baseRequest(), 'm')).toEqual({ contents: [] });
  });

  it('re-emits Gemini extras from providerOptions', () => {
    const req = geminiCodec.decodeRequest(structuredClone(cliTurn));
    const body = geminiCodec.encodeRequest(req, 'gemini-2.5-pro');
    expect(body.safetySettings).toEqual(cliTurn.safetySettings);
    expect((body.tools as unknown[]).at(-1)).toEqual({ googleSearch: {} });
    expect((body.generationConfig as Record<string, unknown>).seed).toBe(7);
    expect(body).not.toHaveProperty('model');
    expect(body).not.toHaveProperty('stream');
  });
});
