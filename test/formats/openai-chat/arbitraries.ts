import fc from 'fast-check';
import type {
  AssistantPart,
  CanonicalRequest,
  CanonicalResponse,
  FinishReason,
  ImagePart,
  Message,
  ReasoningEffort,
  StreamEvent,
  TextPart,
  ToolResultPart,
  Usage,
  UserPart,
} from '../../../src/ir/index.js';

/** Reusable fast-check arbitraries: canonical values (any format could use them) and chat wire bodies. */

const ident = fc.stringMatching(/^[a-z][a-z0-9_]{0,11}$/);
const text = fc.string({ maxLength: 20 });
const nonEmptyText = fc.string({ minLength: 1, maxLength: 20 });
const b64 = fc.stringMatching(/^[A-Za-z0-9+/]{4,16}={0,2}$/);
const efforts: ReasoningEffort[] = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'];
const finishReasons: FinishReason[] = ['stop', 'length', 'tool-calls', 'content-filter', 'error', 'other'];

export const argsJson = fc
  .dictionary(ident, fc.oneof(fc.integer(), text, fc.boolean(), fc.constant(null)), { maxKeys: 3 })
  .map((o) => JSON.stringify(o));

export const schema = fc.constantFrom<Record<string, unknown>>(
  { type: 'object', properties: {} },
  { type: 'object', properties: { q: { type: 'string', format: 'uri' } }, required: ['q'], additionalProperties: false },
  { type: 'object', properties: { n: { anyOf: [{ type: 'integer' }, { type: 'null' }] } }, $defs: { x: { type: 'string' } } },
);

export const textPart: fc.Arbitrary<TextPart> = fc.record({ type: fc.constant('text' as const), text });

export const imagePart: fc.Arbitrary<ImagePart> = fc.oneof(
  fc.record(
    {
      type: fc.constant('image' as const),
      source: fc.record({ kind: fc.constant('base64' as const), mediaType: fc.constantFrom('image/png', 'image/jpeg'), data: b64 }),
      detail: fc.constantFrom('low', 'high', 'auto'),
    },
    { requiredKeys: ['type', 'source'] },
  ),
  fc.record({
    type: fc.constant('image' as const),
    source: fc.record({ kind: fc.constant('url' as const), url: ident.map((s) => `https://example.com/${s}.png`) }),
  }),
);

export const reasoningPart: fc.Arbitrary<AssistantPart> = fc.record(
  {
    type: fc.constant('reasoning' as const),
    text,
    signature: b64,
    family: fc.constantFrom('anthropic' as const, 'gemini' as const, 'openai' as const),
  },
  { requiredKeys: ['type', 'text'] },
);

const toolResult = (callId: string): fc.Arbitrary<ToolResultPart> =>
  fc.record(
    {
      type: fc.constant('tool-result' as const),
      callId: fc.constant(callId),
      name: ident,
      content: fc.array(fc.oneof({ weight: 4, arbitrary: textPart }, { weight: 1, arbitrary: imagePart }), { maxLength: 3 }),
      isError: fc.boolean(),
    },
    { requiredKeys: ['type', 'callId', 'content'] },
  );

/** A conversation turn pair: assistant (maybe with calls), then the user turn answering them. */
const turnPair = (n: number): fc.Arbitrary<Message[]> =>
  fc
    .record({
      pre: fc.array(fc.oneof(textPart, reasoningPart, imagePart), { maxLength: 3 }),
      calls: fc.array(fc.record({ name: ident, arguments: argsJson, signature: fc.option(b64, { nil: undefined }) }), { maxLength: 3 }),
      user: fc.array(fc.oneof(textPart, imagePart), { maxLength: 3 }),
    })
    .chain(({ pre, calls, user }) => {
      const callParts: AssistantPart[] = calls.map((c, i) => {
        const p: AssistantPart = { type: 'tool-call', id: `call_${n}_${i}`, name: c.name, arguments: c.arguments };
        if (c.signature) p.signature = c.signature;
        return p;
      });
      return fc.tuple(...callParts.map((c) => toolResult((c as { id: string }).id))).map((results): Message[] => [
        { role: 'assistant', content: [...pre, ...callParts] },
        { role: 'user', content: [...(results as UserPart[]), ...user] },
      ]);
    });

export const canonicalMessages: fc.Arbitrary<Message[]> = fc
  .tuple(fc.array(fc.oneof(textPart, imagePart), { maxLength: 3 }), fc.integer({ min: 0, max: 3 }))
  .chain(([first, turns]) =>
    fc.tuple(...Array.from({ length: turns }, (_, i) => turnPair(i))).map((pairs) => [
      { role: 'user', content: first } as Message,
      ...pairs.flat(),
    ]),
  );

export const canonicalRequest: fc.Arbitrary<CanonicalRequest> = fc.record(
  {
    model: ident,
    system: fc.array(fc.record({ type: fc.constant('text' as const), text, cacheControl: fc.constant({ type: 'ephemeral' }) }, { requiredKeys: ['type', 'text'] }), { maxLength: 2 }),
    messages: canonicalMessages,
    tools: fc.array(
      fc.record({ name: ident, description: text, parameters: schema, strict: fc.boolean() }, { requiredKeys: ['name', 'parameters'] }),
      { maxLength: 3 },
    ),
    toolChoice: fc.oneof(
      fc.constant({ type: 'auto' as const }),
      fc.constant({ type: 'none' as const }),
      fc.constant({ type: 'required' as const }),
      ident.map((name) => ({ type: 'tool' as const, name })),
    ),
    parallelToolCalls: fc.boolean(),
    maxOutputTokens: fc.integer({ min: 1, max: 100000 }),
    temperature: fc.double({ min: 0, max: 2, noNaN: true }),
    topP: fc.double({ min: 0, max: 1, noNaN: true }),
    topK: fc.integer({ min: 1, max: 100 }),
    stop: fc.array(nonEmptyText, { minLength: 1, maxLength: 3 }),
    reasoning: fc.record(
      { effort: fc.constantFrom(...efforts), budgetTokens: fc.integer({ min: -1, max: 40000 }), includeThoughts: fc.boolean() },
      { requiredKeys: [] },
    ),
    responseFormat: fc.oneof(
      fc.constant({ type: 'text' as const }),
      fc.constant({ type: 'json' as const }),
      fc.record({ type: fc.constant('json_schema' as const), name: ident, schema, strict: fc.boolean(), description: text }, { requiredKeys: ['type', 'schema'] }),
    ),
    stream: fc.boolean(),
    includeUsage: fc.boolean(),
    userId: ident,
  },
  { requiredKeys: ['model', 'system', 'messages', 'tools', 'stream'] },
);

export const usage: fc.Arbitrary<Usage> = fc.record(
  {
    inputTokens: fc.nat(100000),
    outputTokens: fc.nat(100000),
    cachedInputTokens: fc.nat(1000),
    cacheWriteTokens: fc.nat(1000),
    reasoningTokens: fc.nat(1000),
  },
  { requiredKeys: ['inputTokens', 'outputTokens'] },
);

export const canonicalResponse: fc.Arbitrary<CanonicalResponse> = fc
  .record(
    {
      id: ident,
      model: ident,
      content: fc.array(
        fc.oneof(
          textPart,
          reasoningPart,
          imagePart,
          fc.record({ type: fc.constant('tool-call' as const), id: fc.constant(''), name: ident, arguments: fc.oneof(argsJson, fc.constant('')) }),
        ),
        { maxLength: 5 },
      ),
      finishReason: fc.constantFrom(...finishReasons),
      usage,
      created: fc.integer({ min: 1_600_000_000, max: 1_900_000_000 }),
    },
    { requiredKeys: ['id', 'model', 'content', 'finishReason', 'created'] },
  )
  .map((r) => {
    // Tool-call ids must be unique within a response.
    r.content.forEach((p, i) => {
      if (p.type === 'tool-call') p.id = `call_${i}`;
    });
    return r;
  });

/** Arbitrary (not necessarily well-nested) canonical event sequences, for no-throw checks. */
export const eventSequence: fc.Arbitrary<StreamEvent[]> = (() => {
  const id = fc.constantFrom('a', 'b', 'c');
  const ev: fc.Arbitrary<StreamEvent> = fc.oneof(
    fc.record({ type: fc.constant('message-start' as const), id, model: ident }),
    fc.record({ type: fc.constant('text-start' as const), id }),
    fc.record({ type: fc.constant('text-delta' as const), id, text }),
    fc.record({ type: fc.constant('text-end' as const), id }),
    fc.record({ type: fc.constant('reasoning-start' as const), id }),
    fc.record({ type: fc.constant('reasoning-delta' as const), id, text }),
    fc.record({ type: fc.constant('reasoning-signature' as const), id, signature: b64 }),
    fc.record({ type: fc.constant('reasoning-end' as const), id }),
    fc.record({ type: fc.constant('tool-call-start' as const), id, name: ident }),
    fc.record({ type: fc.constant('tool-call-delta' as const), id, argumentsDelta: text }),
    fc.record({ type: fc.constant('tool-call-end' as const), id }),
    fc.record({ type: fc.constant('usage' as const), usage }),
    fc.record({ type: fc.constant('finish' as const), reason: fc.constantFrom(...finishReasons), usage }, { requiredKeys: ['type', 'reason'] }),
    fc.record({ type: fc.constant('error' as const), error: fc.record({ message: text, status: fc.constantFrom(429, 500, 503), code: ident }, { requiredKeys: ['message'] }) }),
  );
  return fc.array(ev, { maxLength: 25 });
})();

// ---------------------------------------------------------------------------------------------------------------
// Chat wire bodies (what real clients send / what upstreams answer), well-typed.

const chatImage = fc.oneof(
  b64.map((d) => ({ type: 'image_url', image_url: { url: `data:image/png;base64,${d}`, detail: 'high' } })),
  ident.map((s) => ({ type: 'image_url', image_url: { url: `https://example.com/${s}.jpg` } })),
);
const chatText = nonEmptyText.map((t) => ({ type: 'text', text: t }));
const chatUserContent = fc.oneof(
  nonEmptyText,
  fc.array(fc.oneof(chatText, chatImage, fc.constant({ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } })), { minLength: 1, maxLength: 3 }),
);

const chatTurn = (n: number): fc.Arbitrary<Record<string, unknown>[]> =>
  fc
    .record({
      content: fc.oneof(fc.constant(null), nonEmptyText, fc.array(chatText, { minLength: 1, maxLength: 2 })),
      reasoning: fc.option(nonEmptyText, { nil: undefined }),
      calls: fc.array(fc.record({ name: ident, args: argsJson }), { maxLength: 3 }),
      results: fc.array(fc.oneof(text, fc.array(chatText, { minLength: 1, maxLength: 2 })), { minLength: 3, maxLength: 3 }),
      user: fc.option(chatUserContent, { nil: undefined }),
      midSystem: fc.option(nonEmptyText, { nil: undefined }),
    })
    .map(({ content, reasoning, calls, results, user, midSystem }) => {
      const out: Record<string, unknown>[] = [];
      const assistant: Record<string, unknown> = { role: 'assistant', content: calls.length === 0 && content === null ? 'ok' : content };
      if (reasoning) assistant.reasoning_content = reasoning;
      if (calls.length > 0) {
        assistant.tool_calls = calls.map((c, i) => ({ id: `call_${n}_${i}`, type: 'function', function: { name: c.name, arguments: c.args } }));
      }
      out.push(assistant);
      calls.forEach((_, i) => out.push({ role: 'tool', tool_call_id: `call_${n}_${i}`, content: results[i] }));
      if (midSystem) out.push({ role: 'system', content: midSystem });
      if (user !== undefined || calls.length === 0) out.push({ role: 'user', content: user ?? 'next' });
      return out;
    });

export const chatRequest: fc.Arbitrary<Record<string, unknown>> = fc
  .record(
    {
      system: fc.array(fc.record({ role: fc.constantFrom('system', 'developer'), content: fc.oneof(nonEmptyText, fc.array(chatText, { minLength: 1, maxLength: 2 })) }), { maxLength: 2 }),
      first: chatUserContent,
      turns: fc.integer({ min: 0, max: 3 }).chain((k) => fc.tuple(...Array.from({ length: k }, (_, i) => chatTurn(i)))),
      tools: fc.array(fc.record({ name: ident, description: nonEmptyText, parameters: schema, strict: fc.boolean() }, { requiredKeys: ['name', 'parameters'] }), { maxLength: 3 }),
      tool_choice: fc.oneof(fc.constantFrom('none', 'auto', 'required'), ident.map((name) => ({ type: 'function', function: { name } }))),
      parallel_tool_calls: fc.boolean(),
      max_tokens: fc.integer({ min: 1, max: 50000 }),
      max_completion_tokens: fc.integer({ min: 1, max: 50000 }),
      temperature: fc.double({ min: 0, max: 2, noNaN: true }),
      top_p: fc.double({ min: 0, max: 1, noNaN: true }),
      stop: fc.oneof(nonEmptyText, fc.array(nonEmptyText, { minLength: 1, maxLength: 4 })),
      reasoning_effort: fc.constantFrom(...efforts),
      response_format: fc.oneof(
        fc.constant({ type: 'text' }),
        fc.constant({ type: 'json_object' }),
        fc.record({ name: ident, schema, strict: fc.boolean() }).map((js) => ({ type: 'json_schema', json_schema: js })),
      ),
      stream: fc.boolean(),
      include_usage: fc.boolean(),
      user: ident,
      seed: fc.integer(),
      frequency_penalty: fc.double({ min: -2, max: 2, noNaN: true }),
    },
    { requiredKeys: ['system', 'first', 'turns', 'tools'] },
  )
  .map(({ system, first, turns, tools, include_usage, ...rest }) => {
    const body: Record<string, unknown> = {
      model: 'gpt-test',
      messages: [...system, { role: 'user', content: first }, ...turns.flat()],
      ...rest,
    };
    if (tools.length > 0) body.tools = tools.map((f) => ({ type: 'function', function: f }));
    if (include_usage !== undefined) body.stream_options = { include_usage };
    return body;
  });

export const chatResponse: fc.Arbitrary<Record<string, unknown>> = fc
  .record(
    {
      id: ident.map((s) => `chatcmpl-${s}`),
      model: ident,
      created: fc.integer({ min: 1_600_000_000, max: 1_900_000_000 }),
      content: fc.option(nonEmptyText, { nil: null }),
      reasoning: fc.option(nonEmptyText, { nil: undefined }),
      calls: fc.array(fc.record({ name: ident, args: argsJson }), { maxLength: 3 }),
      finish: fc.constantFrom('stop', 'length', 'tool_calls', 'content_filter'),
      usage: fc.record(
        {
          prompt_tokens: fc.nat(10000),
          completion_tokens: fc.nat(10000),
          prompt_tokens_details: fc.record({ cached_tokens: fc.nat(100) }),
          completion_tokens_details: fc.record({ reasoning_tokens: fc.nat(100) }),
        },
        { requiredKeys: ['prompt_tokens', 'completion_tokens'] },
      ),
    },
    { requiredKeys: ['id', 'model', 'created', 'content', 'calls', 'finish'] },
  )
  .map(({ id, model, created, content, reasoning, calls, finish, usage: u }) => {
    const message: Record<string, unknown> = { role: 'assistant', content };
    if (reasoning) message.reasoning_content = reasoning;
    if (calls.length > 0) message.tool_calls = calls.map((c, i) => ({ id: `call_${i}`, type: 'function', function: { name: c.name, arguments: c.args } }));
    const body: Record<string, unknown> = { id, object: 'chat.completion', created, model, choices: [{ index: 0, message, finish_reason: finish }] };
    if (u) body.usage = u;
    return body;
  });
