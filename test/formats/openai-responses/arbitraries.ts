/** fast-check arbitraries: canonical requests / responses / event streams, and Responses wire requests. */
import fc from 'fast-check';
import type {
  AssistantPart,
  CanonicalRequest,
  CanonicalResponse,
  FinishReason,
  Message,
  ReasoningFamily,
  StreamEvent,
  ToolDefinition,
  Usage,
  UserPart,
} from '../../../src/ir/index.js';
import { responseToEvents } from '../../../src/formats/shared/aggregate.js';

export const text = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('', 'hello', 'line\nbreak "quoted" \\ back', '{"json":true}', '😀 ünïcode', '\u0000\u2028'),
);
const nonEmpty = fc.string({ minLength: 1, maxLength: 20 });
export const ident = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_]{0,15}$/);
const callId = fc.stringMatching(/^call_[a-zA-Z0-9]{4,12}$/);
const jsonArgs = fc
  .dictionary(ident, fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.boolean()), { maxKeys: 3 })
  .map((o) => JSON.stringify(o));
const family: fc.Arbitrary<ReasoningFamily | undefined> = fc.constantFrom(undefined, 'openai', 'anthropic', 'gemini');
const image = fc.oneof(
  fc.record({ kind: fc.constant('base64' as const), mediaType: fc.constantFrom('image/png', 'image/jpeg'), data: fc.base64String({ maxLength: 16 }) }),
  fc.record({ kind: fc.constant('url' as const), url: fc.webUrl() }),
);
const imagePart = fc.record(
  { type: fc.constant('image' as const), source: image, detail: fc.constantFrom('low', 'high') },
  { requiredKeys: ['type', 'source'] },
);
const textPart = fc.record({ type: fc.constant('text' as const), text });

export const usage: fc.Arbitrary<Usage> = fc.record(
  {
    inputTokens: fc.nat(100000),
    outputTokens: fc.nat(100000),
    cachedInputTokens: fc.nat(1000),
    reasoningTokens: fc.nat(1000),
  },
  { requiredKeys: ['inputTokens', 'outputTokens'] },
);

const reasoningPart = fc
  .record({ text, family, signature: fc.option(nonEmpty, { nil: undefined }), redacted: fc.option(nonEmpty, { nil: undefined }) })
  .map(({ text, family, signature, redacted }) => {
    const p: AssistantPart = { type: 'reasoning', text };
    if (family) p.family = family;
    if (signature) p.signature = signature;
    if (redacted && family === 'anthropic') {
      p.redactedData = redacted;
      p.text = '';
      delete p.signature;
    }
    return p;
  });

/** Assistant content with unique tool-call ids. */
function assistantContent(ids: string[]): fc.Arbitrary<AssistantPart[]> {
  const calls = ids.map((id) =>
    fc.record({ type: fc.constant('tool-call' as const), id: fc.constant(id), name: ident, arguments: jsonArgs }),
  );
  return fc
    .tuple(fc.array(fc.oneof(textPart, reasoningPart), { maxLength: 3 }), fc.tuple(...calls))
    .map(([parts, cs]) => [...parts, ...cs]);
}

const toolDef: fc.Arbitrary<ToolDefinition> = fc.record(
  {
    name: ident,
    description: text,
    parameters: fc.constant({ type: 'object', properties: { q: { type: 'string' } } }),
    strict: fc.boolean(),
  },
  { requiredKeys: ['name', 'parameters'] },
);

export const canonicalRequest: fc.Arbitrary<CanonicalRequest> = fc
  .record({
    system: fc.array(textPart, { maxLength: 2 }),
    turns: fc.array(
      fc.record({ user: fc.array(fc.oneof(textPart, imagePart), { minLength: 1, maxLength: 3 }), ids: fc.uniqueArray(callId, { maxLength: 2 }) }),
      { maxLength: 3 },
    ),
    tools: fc.uniqueArray(toolDef, { selector: (t) => t.name, maxLength: 3 }),
    stream: fc.boolean(),
    max: fc.option(fc.integer({ min: 1, max: 100000 }), { nil: undefined }),
    temperature: fc.option(fc.double({ min: 0, max: 2, noNaN: true }), { nil: undefined }),
    effort: fc.constantFrom(undefined, 'none', 'low', 'medium', 'high', 'xhigh'),
    budget: fc.option(fc.integer({ min: -1, max: 40000 }), { nil: undefined }),
    includeThoughts: fc.option(fc.boolean(), { nil: undefined }),
    format: fc.constantFrom(undefined, 'text', 'json', 'schema'),
    stop: fc.option(fc.array(nonEmpty, { maxLength: 2 }), { nil: undefined }),
  })
  .chain((r) =>
    fc
      .tuple(...r.turns.map((t) => assistantContent(t.ids.map((id, i) => `${id}_${r.turns.indexOf(t)}_${i}`))))
      .map((assistants) => {
        const messages: Message[] = [];
        r.turns.forEach((t, i) => {
          const user: UserPart[] = [...t.user];
          messages.push({ role: 'user', content: user });
          const a = assistants[i]!;
          messages.push({ role: 'assistant', content: a });
          const results: UserPart[] = a
            .filter((p) => p.type === 'tool-call')
            .map((p) => ({ type: 'tool-result' as const, callId: (p as { id: string }).id, content: [{ type: 'text' as const, text: 'ok' }], isError: i % 2 === 0 }));
          if (results.length) messages.push({ role: 'user', content: results });
        });
        const req: CanonicalRequest = { model: 'm', system: r.system, messages, tools: r.tools, stream: r.stream };
        if (r.max !== undefined) req.maxOutputTokens = r.max;
        if (r.temperature !== undefined) req.temperature = r.temperature;
        if (r.effort || r.budget !== undefined || r.includeThoughts !== undefined) {
          req.reasoning = {};
          if (r.effort) req.reasoning.effort = r.effort as never;
          if (r.budget !== undefined) req.reasoning.budgetTokens = r.budget;
          if (r.includeThoughts !== undefined) req.reasoning.includeThoughts = r.includeThoughts;
        }
        if (r.format === 'text') req.responseFormat = { type: 'text' };
        if (r.format === 'json') req.responseFormat = { type: 'json' };
        if (r.format === 'schema') req.responseFormat = { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true };
        if (r.stop) req.stop = r.stop;
        if (r.tools.length) req.toolChoice = { type: 'tool', name: r.tools[0]!.name };
        return req;
      }),
  );

const finishReason: fc.Arbitrary<FinishReason> = fc.constantFrom('stop', 'length', 'tool-calls', 'content-filter', 'error', 'other');

export function canonicalResponse(families: fc.Arbitrary<ReasoningFamily | undefined> = family): fc.Arbitrary<CanonicalResponse> {
  const reasoning = fc
    .record({ text, family: families, signature: fc.option(nonEmpty, { nil: undefined }) })
    .map(({ text, family, signature }) => {
      const p: AssistantPart = { type: 'reasoning', text };
      if (family) p.family = family;
      if (signature) p.signature = signature;
      return p;
    });
  return fc
    .record({
      ids: fc.uniqueArray(callId, { maxLength: 3 }),
      parts: fc.array(fc.oneof(textPart, reasoning), { maxLength: 4 }),
      finishReason,
      usage: fc.option(usage, { nil: undefined }),
      created: fc.integer({ min: 1_600_000_000, max: 1_900_000_000 }),
    })
    .chain((r) =>
      fc.tuple(...r.ids.map((id) => fc.record({ type: fc.constant('tool-call' as const), id: fc.constant(id), name: ident, arguments: jsonArgs }))).map((calls) => {
        const res: CanonicalResponse = {
          id: 'resp_abc',
          model: 'gpt-x',
          content: [...r.parts, ...calls],
          finishReason: r.finishReason,
          created: r.created,
        };
        if (r.usage) res.usage = r.usage;
        return res;
      }),
    );
}

/** Split a string into 1..n chunks at arbitrary code-unit positions (surrogates kept together). */
function splitArb(s: string): fc.Arbitrary<string[]> {
  const chars = [...s];
  if (chars.length < 2) return fc.constant([s]);
  return fc.uniqueArray(fc.integer({ min: 1, max: chars.length - 1 }), { maxLength: 4 }).map((cuts) => {
    const sorted = [...cuts].sort((a, b) => a - b);
    const out: string[] = [];
    let prev = 0;
    for (const c of [...sorted, chars.length]) {
      out.push(chars.slice(prev, c).join(''));
      prev = c;
    }
    return out;
  });
}

/** A canonical event stream (as an upstream decoder would emit it), with text/arguments split into deltas. */
export function canonicalEvents(families?: fc.Arbitrary<ReasoningFamily | undefined>): fc.Arbitrary<StreamEvent[]> {
  return canonicalResponse(families).chain((res) => {
    const events = responseToEvents(res);
    return fc
      .tuple(
        ...events.map((ev) => {
          if (ev.type === 'text-delta') return splitArb(ev.text).map((cs) => cs.map((text) => ({ ...ev, text })));
          if (ev.type === 'reasoning-delta') return splitArb(ev.text).map((cs) => cs.map((text) => ({ ...ev, text })));
          if (ev.type === 'tool-call-delta') return splitArb(ev.argumentsDelta).map((cs) => cs.map((argumentsDelta) => ({ ...ev, argumentsDelta })));
          return fc.constant([ev]);
        }),
      )
      .map((groups) => groups.flat() as StreamEvent[]);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Responses wire requests, shaped like what Codex CLI and the openai SDK send.

const wireContentUser = fc.oneof(
  text.map((t) => ({ type: 'input_text', text: t })),
  fc.record({
    type: fc.constant('input_image'),
    image_url: fc.oneof(fc.webUrl(), fc.base64String({ maxLength: 12 }).map((d) => `data:image/png;base64,${d}`)),
    detail: fc.constantFrom('auto', 'low', 'high'),
  }),
);

const wireItem = fc.oneof(
  fc.record({ type: fc.constant('message'), role: fc.constantFrom('user'), content: fc.oneof(text, fc.array(wireContentUser, { maxLength: 3 })) }),
  fc.record({ role: fc.constantFrom('developer', 'system'), content: fc.oneof(text, fc.array(text.map((t) => ({ type: 'input_text', text: t })), { maxLength: 2 })) }),
  fc.record({ type: fc.constant('message'), role: fc.constant('assistant'), content: fc.array(text.map((t) => ({ type: 'output_text', text: t, annotations: [] })), { maxLength: 2 }) }),
  fc.record({ type: fc.constant('reasoning'), id: fc.constant('rs_1'), summary: fc.array(text.map((t) => ({ type: 'summary_text', text: t })), { maxLength: 2 }), encrypted_content: fc.option(nonEmpty, { nil: undefined }) }),
  fc.record({ type: fc.constant('function_call'), call_id: callId, name: ident, arguments: jsonArgs }),
  fc.record({ type: fc.constant('custom_tool_call'), call_id: callId, name: fc.constant('apply_patch'), input: text }),
  fc.record({ type: fc.constant('function_call_output'), call_id: callId, output: fc.oneof(text, fc.array(wireContentUser, { maxLength: 2 })) }),
  fc.record({ type: fc.constant('custom_tool_call_output'), call_id: callId, output: text }),
  fc.constant({ type: 'item_reference', id: 'msg_old' }),
  fc.record({ type: fc.constant('additional_tools'), tools: fc.array(fc.record({ type: fc.constant('function'), name: ident, parameters: fc.constant({ type: 'object', properties: {} }) }), { maxLength: 2 }) }),
);

const wireTool = fc.oneof(
  fc.record(
    { type: fc.constant('function'), name: ident, description: text, parameters: fc.constant({ type: 'object', properties: { a: { type: 'number' } } }), strict: fc.boolean() },
    { requiredKeys: ['type', 'name'] },
  ),
  fc.record({ type: fc.constant('custom'), name: fc.constant('apply_patch'), description: text, format: fc.constant({ type: 'grammar', syntax: 'lark', definition: 'start: /.+/' }) }),
  fc.record({ type: fc.constant('namespace'), name: ident, tools: fc.array(fc.record({ type: fc.constant('function'), name: ident, description: text }), { maxLength: 2 }) }),
  fc.constant({ type: 'web_search' }),
);

export const wireRequest: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    model: fc.constant('gpt-5.1-codex'),
    instructions: text,
    input: fc.oneof(text, fc.array(wireItem, { maxLength: 8 })),
    tools: fc.array(wireTool, { maxLength: 4 }),
    tool_choice: fc.oneof(fc.constantFrom('auto', 'none', 'required'), ident.map((name) => ({ type: 'function', name }))),
    parallel_tool_calls: fc.boolean(),
    max_output_tokens: fc.integer({ min: 1, max: 128000 }),
    temperature: fc.double({ min: 0, max: 2, noNaN: true }),
    top_p: fc.double({ min: 0, max: 1, noNaN: true }),
    reasoning: fc.record({ effort: fc.constantFrom('none', 'minimal', 'low', 'medium', 'high', 'xhigh'), summary: fc.constantFrom('auto', 'concise', 'detailed') }, { requiredKeys: [] }),
    text: fc.record(
      {
        verbosity: fc.constantFrom('low', 'medium', 'high'),
        format: fc.oneof(
          fc.constant({ type: 'text' }),
          fc.constant({ type: 'json_object' }),
          fc.record({ type: fc.constant('json_schema'), name: ident, schema: fc.constant({ type: 'object', properties: {} }), strict: fc.boolean() }),
        ),
      },
      { requiredKeys: [] },
    ),
    stream: fc.boolean(),
    store: fc.boolean(),
    include: fc.constant(['reasoning.encrypted_content']),
    prompt_cache_key: nonEmpty,
    previous_response_id: fc.constant('resp_prev'),
    user: nonEmpty,
  },
  { requiredKeys: ['model'] },
);
