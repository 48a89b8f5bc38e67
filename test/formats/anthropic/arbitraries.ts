import fc from 'fast-check';
import type {
  AssistantPart,
  CanonicalRequest,
  CanonicalResponse,
  FinishReason,
  ImagePart,
  Message,
  StreamEvent,
  TextPart,
  ToolResultPart,
  Usage,
  UserPart,
} from '../../../src/ir/index.js';

/** Reusable fast-check arbitraries: canonical values (any format could produce them) and Anthropic wire bodies. */

const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });

/** Drop keys whose value is undefined so deep equality compares what is really there. */
export function clean<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

export const text = fc.string({ maxLength: 16 });
const word = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/);
const jsonObject = fc.dictionary(word, fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), fc.boolean()), { maxKeys: 3 });

// ---- canonical ----

export const textPart: fc.Arbitrary<TextPart> = fc.record(
  { type: fc.constant('text' as const), text, cacheControl: fc.constant({ type: 'ephemeral' }) },
  { requiredKeys: ['type', 'text'] },
);

export const imagePart: fc.Arbitrary<ImagePart> = fc.oneof(
  fc.record({ type: fc.constant('image' as const), source: fc.record({ kind: fc.constant('base64' as const), mediaType: fc.constant('image/png'), data: fc.base64String({ maxLength: 12 }) }) }),
  fc.record({ type: fc.constant('image' as const), source: fc.record({ kind: fc.constant('url' as const), url: fc.oneof(fc.webUrl(), fc.constant('data:image/jpeg;base64,AAAA'), fc.string()) }) }),
);

export const reasoningPart = fc.record(
  {
    type: fc.constant('reasoning' as const),
    text,
    signature: fc.string({ maxLength: 10 }),
    redactedData: fc.string({ maxLength: 10 }),
    family: fc.constantFrom('anthropic' as const, 'gemini' as const, 'openai' as const),
  },
  { requiredKeys: ['type', 'text'] },
);

export const toolCallPart = fc.record({
  type: fc.constant('tool-call' as const),
  id: fc.oneof(word, fc.string({ maxLength: 10 })),
  name: word,
  arguments: fc.oneof(jsonObject.map((o) => JSON.stringify(o)), fc.string({ maxLength: 10 }), fc.constant('[1,2]')),
});

export const toolResultPart: fc.Arbitrary<ToolResultPart> = fc.record(
  {
    type: fc.constant('tool-result' as const),
    callId: fc.oneof(word, fc.string({ maxLength: 10 })),
    name: word,
    content: fc.array(fc.oneof(textPart, imagePart), { maxLength: 3 }),
    isError: fc.boolean(),
  },
  { requiredKeys: ['type', 'callId', 'content'] },
);

export const assistantPart: fc.Arbitrary<AssistantPart> = fc.oneof(textPart, reasoningPart, toolCallPart, imagePart);
const userPart: fc.Arbitrary<UserPart> = fc.oneof(textPart, imagePart, toolResultPart);

export const message: fc.Arbitrary<Message> = fc.oneof(
  fc.record({ role: fc.constant('user' as const), content: fc.array(userPart, { maxLength: 4 }) }),
  fc.record({ role: fc.constant('assistant' as const), content: fc.array(assistantPart, { maxLength: 4 }) }),
);

export const canonicalRequest: fc.Arbitrary<CanonicalRequest> = fc.record(
  {
    model: fc.string({ maxLength: 10 }),
    system: fc.array(textPart, { maxLength: 2 }),
    messages: fc.array(message, { maxLength: 6 }),
    tools: fc.array(
      fc.record(
        { name: word, description: text, parameters: fc.oneof(fc.constant({ type: 'object', properties: {} }), fc.constant({ anyOf: [{ type: 'object', properties: { a: { type: 'string' } } }] }), jsonObject), strict: fc.boolean() },
        { requiredKeys: ['name', 'parameters'] },
      ),
      { maxLength: 3 },
    ),
    toolChoice: fc.oneof(
      fc.constant({ type: 'auto' as const }),
      fc.constant({ type: 'none' as const }),
      fc.constant({ type: 'required' as const }),
      word.map((name) => ({ type: 'tool' as const, name })),
    ),
    parallelToolCalls: fc.boolean(),
    maxOutputTokens: fc.integer({ min: 1, max: 100000 }),
    temperature: fc.double({ min: 0, max: 2, noNaN: true }),
    topP: fc.double({ min: 0, max: 1, noNaN: true }),
    topK: fc.integer({ min: 1, max: 100 }),
    stop: fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
    reasoning: fc.record(
      {
        effort: fc.constantFrom('none' as const, 'minimal' as const, 'low' as const, 'medium' as const, 'high' as const, 'xhigh' as const),
        budgetTokens: fc.integer({ min: -1, max: 64000 }),
        includeThoughts: fc.boolean(),
      },
      { requiredKeys: [] },
    ),
    responseFormat: fc.oneof(
      fc.constant({ type: 'text' as const }),
      fc.constant({ type: 'json' as const }),
      jsonObject.map((schema) => ({ type: 'json_schema' as const, schema })),
    ),
    stream: fc.boolean(),
    includeUsage: fc.boolean(),
    userId: fc.string({ maxLength: 10 }),
  },
  { requiredKeys: ['model', 'system', 'messages', 'tools', 'stream'] },
);

const finishReason = fc.constantFrom<FinishReason>('stop', 'length', 'tool-calls', 'content-filter', 'error', 'other');

export const usage: fc.Arbitrary<Usage> = fc
  .record({
    inputTokens: fc.integer({ min: 0, max: 100000 }),
    outputTokens: fc.integer({ min: 0, max: 100000 }),
    cachedInputTokens: opt(fc.integer({ min: 1, max: 1000 })),
    cacheWriteTokens: opt(fc.integer({ min: 1, max: 1000 })),
    reasoningTokens: opt(fc.integer({ min: 1, max: 1000 })),
  })
  .map((u) => clean({ ...u, inputTokens: u.inputTokens + (u.cachedInputTokens ?? 0) + (u.cacheWriteTokens ?? 0) }));

export const canonicalResponse: fc.Arbitrary<CanonicalResponse> = fc.record(
  {
    id: fc.string({ maxLength: 10 }),
    model: fc.string({ maxLength: 10 }),
    content: fc.array(assistantPart, { maxLength: 5 }),
    finishReason,
    rawFinishReason: fc.constantFrom('end_turn', 'stop_sequence', 'STOP', 'pause_turn', 'length'),
    usage,
    created: fc.integer({ min: 0, max: 2e9 }),
  },
  { requiredKeys: ['id', 'model', 'content', 'finishReason', 'created'] },
);

type BlockSpec =
  | { kind: 'text'; id: string; chunks: string[] }
  | { kind: 'reasoning'; id: string; family?: 'anthropic' | 'gemini' | 'openai'; redacted?: string; chunks: string[]; signature?: string }
  | { kind: 'tool'; id: string; name: string; chunks: string[] };

function blockEvents(b: BlockSpec): StreamEvent[] {
  switch (b.kind) {
    case 'text':
      return [{ type: 'text-start', id: b.id }, ...b.chunks.map((t) => ({ type: 'text-delta' as const, id: b.id, text: t })), { type: 'text-end', id: b.id }];
    case 'reasoning': {
      const evs: StreamEvent[] = [{ type: 'reasoning-start', id: b.id, family: b.family, redactedData: b.redacted }];
      for (const t of b.chunks) evs.push({ type: 'reasoning-delta', id: b.id, text: t });
      if (b.signature) evs.push({ type: 'reasoning-signature', id: b.id, signature: b.signature });
      evs.push({ type: 'reasoning-end', id: b.id });
      return evs;
    }
    case 'tool':
      return [{ type: 'tool-call-start', id: b.id, name: b.name }, ...b.chunks.map((c) => ({ type: 'tool-call-delta' as const, id: b.id, argumentsDelta: c })), { type: 'tool-call-end', id: b.id }];
  }
}

/**
 * A well-formed canonical stream: message-start, blocks whose events interleave arbitrarily (unique ids),
 * optional usage, then a finish or an error. `anthropicOnly` limits reasoning to the Anthropic family.
 */
export function canonicalStream(anthropicOnly = false): fc.Arbitrary<StreamEvent[]> {
  const family = anthropicOnly ? fc.constant('anthropic' as const) : fc.constantFrom('anthropic' as const, 'gemini' as const, 'openai' as const, undefined);
  const block: fc.Arbitrary<Omit<BlockSpec, 'id'>> = fc.oneof(
    fc.record({ kind: fc.constant('text' as const), chunks: fc.array(text, { maxLength: 3 }) }),
    fc.record(
      { kind: fc.constant('reasoning' as const), family, chunks: fc.array(text, { maxLength: 3 }), signature: fc.string({ minLength: 1, maxLength: 6 }) },
      { requiredKeys: ['kind', 'family', 'chunks'] },
    ),
    fc.record({ kind: fc.constant('reasoning' as const), family: fc.constant('anthropic' as const), redacted: fc.string({ maxLength: 6 }), chunks: fc.constant<string[]>([]) }),
    fc.record({ kind: fc.constant('tool' as const), name: word, chunks: jsonObject.chain((o) => splitString(JSON.stringify(o))) }),
  );
  return fc
    .record({
      blocks: fc.array(block, { maxLength: 5 }),
      schedule: fc.array(fc.nat(), { maxLength: 40 }),
      startUsage: opt(usage),
      finalUsage: opt(usage),
      end: fc.oneof(
        fc.record({ type: fc.constant('finish' as const), reason: fc.constantFrom<FinishReason>('stop', 'length', 'tool-calls', 'content-filter') }),
        fc.record({ type: fc.constant('error' as const), error: fc.record({ message: text, status: fc.constantFrom(429, 500, 529), code: fc.constantFrom('rate_limit_error', 'api_error', 'overloaded_error') }) }),
      ),
    })
    .map(({ blocks, schedule, startUsage, finalUsage, end }) => {
      const queues = blocks.map((b, i) => blockEvents({ ...b, id: b.kind === 'tool' ? `toolu_${i}` : `b${i}` } as BlockSpec));
      const out: StreamEvent[] = [{ type: 'message-start', id: 'msg_test', model: 'm', ...(startUsage ? { usage: startUsage } : {}) }];
      let s = 0;
      for (;;) {
        const live = queues.filter((q) => q.length);
        if (!live.length) break;
        out.push(live[(schedule[s++ % Math.max(1, schedule.length)] ?? 0) % live.length]!.shift()!);
      }
      // Upstreams repeat the prompt counts in the final usage; only the output grows.
      const last = finalUsage && startUsage ? { ...startUsage, outputTokens: finalUsage.outputTokens } : finalUsage;
      if (end.type === 'finish') out.push(last ? { ...end, usage: last } : end);
      else out.push(end);
      return out;
    });
}

function splitString(s: string): fc.Arbitrary<string[]> {
  return fc.array(fc.nat({ max: s.length }), { maxLength: 4 }).map((cuts) => {
    const points = [...new Set([0, ...cuts.sort((a, b) => a - b), s.length])];
    const parts: string[] = [];
    for (let i = 0; i + 1 < points.length; i++) parts.push(s.slice(points[i], points[i + 1]));
    return parts;
  });
}

/** Arbitrary (possibly ill-formed) canonical events over a small id pool: encoders must not throw. */
export const anyStreamEvents: fc.Arbitrary<StreamEvent[]> = fc.array(
  fc.oneof(
    fc.record({ type: fc.constant('message-start' as const), id: text, model: text }),
    ...(['text-start', 'text-end', 'reasoning-end', 'tool-call-end'] as const).map((type) => fc.record({ type: fc.constant(type), id: fc.constantFrom('a', 'b', '') })),
    fc.record({ type: fc.constant('text-delta' as const), id: fc.constantFrom('a', 'b'), text }),
    fc.record({ type: fc.constant('reasoning-start' as const), id: fc.constantFrom('a', 'b'), family: fc.constantFrom('anthropic' as const, 'gemini' as const, undefined), redactedData: opt(text) }),
    fc.record({ type: fc.constant('reasoning-delta' as const), id: fc.constantFrom('a', 'b'), text }),
    fc.record({ type: fc.constant('reasoning-signature' as const), id: fc.constantFrom('a', 'b'), signature: text }),
    fc.record({ type: fc.constant('tool-call-start' as const), id: fc.constantFrom('a', 'b', ''), name: text }),
    fc.record({ type: fc.constant('tool-call-delta' as const), id: fc.constantFrom('a', 'b', ''), argumentsDelta: text }),
    fc.record({ type: fc.constant('usage' as const), usage }),
    fc.record({ type: fc.constant('finish' as const), reason: finishReason, rawReason: opt(text), usage: opt(usage) }),
    fc.record({ type: fc.constant('error' as const), error: fc.record({ message: text, status: opt(fc.integer({ min: 400, max: 599 })), code: opt(text) }) }),
  ),
  { maxLength: 25 },
);

// ---- Anthropic wire ----

const wireText = fc.string({ maxLength: 12 }).map((s) => `w${s}.`);
const cc = fc.constant({ type: 'ephemeral' });
const wireTextBlock = fc.record({ type: fc.constant('text'), text: wireText, cache_control: cc }, { requiredKeys: ['type', 'text'] });
const wireImage = fc.oneof(
  fc.record({ type: fc.constant('image'), source: fc.record({ type: fc.constant('base64'), media_type: fc.constantFrom('image/png', 'image/jpeg'), data: fc.base64String({ minLength: 4, maxLength: 12 }) }) }),
  fc.record({ type: fc.constant('image'), source: fc.record({ type: fc.constant('url'), url: fc.webUrl() }) }),
);
const wireToolResult = fc.record(
  {
    type: fc.constant('tool_result'),
    tool_use_id: word,
    content: fc.oneof(wireText, fc.array(fc.oneof(wireTextBlock, wireImage), { maxLength: 2 })),
    is_error: fc.constant(true),
  },
  { requiredKeys: ['type', 'tool_use_id'] },
);
const wireThinking = fc.oneof(
  fc.record({ type: fc.constant('thinking'), thinking: fc.string({ maxLength: 10 }), signature: fc.string({ minLength: 1, maxLength: 10 }) }),
  fc.record({ type: fc.constant('redacted_thinking'), data: fc.string({ maxLength: 10 }) }),
);
const wireToolUse = fc.record({ type: fc.constant('tool_use'), id: word, name: word, input: jsonObject });
const wireExtras = fc.oneof(
  fc.constant({ type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'x' } }),
  fc.constant({ type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [{ type: 'web_search_result', url: 'https://a.b', title: 'T', encrypted_content: 'e' }] }),
);

const userMsg = fc
  .record({
    results: fc.array(wireToolResult, { maxLength: 2 }),
    rest: fc.array(fc.oneof(wireTextBlock, wireImage, fc.constant({ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'doc body' } })), { minLength: 1, maxLength: 2 }),
    asString: fc.boolean(),
  })
  .map(({ results, rest, asString }) => ({ role: 'user', content: asString && !results.length ? 'hello there' : [...results, ...rest] }));
const assistantMsg = fc
  .record({
    thinking: fc.array(wireThinking, { maxLength: 2 }),
    main: fc.oneof(wireTextBlock, wireToolUse),
    more: fc.array(fc.oneof(wireTextBlock, wireToolUse, wireExtras), { maxLength: 2 }),
  })
  .map(({ thinking, main, more }) => ({ role: 'assistant', content: [...thinking, main, ...more] }));
const systemMsg = fc.record({ role: fc.constant('system'), content: fc.oneof(wireText, fc.array(wireTextBlock, { minLength: 1, maxLength: 2 })) });

const wireTool = fc.oneof(
  fc.record(
    {
      name: word,
      description: wireText,
      input_schema: jsonObject.map((props) => ({ type: 'object', properties: Object.fromEntries(Object.keys(props).map((k) => [k, { type: 'string' }])) })),
      cache_control: cc,
      defer_loading: fc.constant(true),
      strict: fc.constant(true),
    },
    { requiredKeys: ['name', 'input_schema'] },
  ),
  fc.constant({ type: 'web_search_20250305', name: 'web_search', max_uses: 5 }),
);

/**
 * Well-typed Anthropic request bodies in the shapes clients send, restricted to what survives an
 * Anthropic round trip unchanged (non-empty text, signed thinking, alternating turns ending with a user
 * text turn, tool results first, no sampling settings together with thinking).
 */
export const wireRequest: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    model: fc.constantFrom('claude-opus-4-7', 'claude-sonnet-4-5'),
    max_tokens: fc.integer({ min: 45000, max: 128000 }), // above every budget, so never raised
    system: opt(fc.oneof(wireText, fc.array(wireTextBlock, { maxLength: 2 }))),
    turns: fc.array(fc.tuple(userMsg, assistantMsg), { maxLength: 3 }),
    finalUser: fc.array(wireTextBlock, { minLength: 1, maxLength: 2 }),
    systemInside: fc.array(fc.tuple(fc.nat(), systemMsg), { maxLength: 2 }),
    tools: fc.array(wireTool, { maxLength: 3 }),
    toolChoice: opt(fc.oneof(fc.constant({ type: 'auto' }), fc.constant({ type: 'any' }), fc.constant({ type: 'none', }), fc.constant({ type: 'auto', disable_parallel_tool_use: true }), word.map((name) => ({ type: 'tool', name })))),
    sampling: fc.oneof(fc.constant({}), fc.record({ temperature: fc.double({ min: 0, max: 1, noNaN: true }) }), fc.record({ top_p: fc.double({ min: 0, max: 1, noNaN: true }), top_k: fc.integer({ min: 1, max: 50 }) })),
    thinking: opt(
      fc.oneof(
        fc.record({ thinking: fc.record({ type: fc.constant('enabled'), budget_tokens: fc.integer({ min: 1024, max: 40000 }) }) }),
        fc.record({ thinking: fc.record({ type: fc.constant('adaptive'), display: fc.constantFrom('summarized', 'omitted') }, { requiredKeys: ['type'] }), output_config: fc.record({ effort: fc.constantFrom('low', 'medium', 'high', 'xhigh', 'max') }, { requiredKeys: [] }) }),
        fc.record({ thinking: fc.constant({ type: 'disabled' }) }),
        fc.record({ output_config: fc.record({ effort: fc.constantFrom('low', 'medium', 'high', 'xhigh', 'max') }) }),
      ),
    ),
    stop: opt(fc.array(wireText, { minLength: 1, maxLength: 2 })),
    format: opt(jsonObject.map((schema) => ({ type: 'json_schema', schema }))),
    userId: opt(fc.string({ maxLength: 20 })),
    stream: fc.boolean(),
    extra: fc.record({ context_management: fc.constant({ edits: [{ type: 'clear_tool_uses_20250919' }] }), service_tier: fc.constant('auto'), container: fc.constant('c_1') }, { requiredKeys: [] }),
  })
  .map((r) => {
    const messages: unknown[] = r.turns.flat();
    messages.push({ role: 'user', content: r.finalUser });
    for (const [at, m] of r.systemInside) messages.splice(at % (messages.length + 1), 0, m);
    const body: Record<string, unknown> = { model: r.model, max_tokens: r.max_tokens, messages, stream: r.stream, ...r.extra };
    if (r.system !== undefined) body.system = r.system;
    if (r.tools.length) {
      body.tools = r.tools.map((t, i) => ('input_schema' in t ? { ...t, name: `tool_${i}` } : t));
      if (r.toolChoice) body.tool_choice = r.toolChoice;
    }
    const forced = r.toolChoice?.type === 'any' || r.toolChoice?.type === 'tool';
    if (r.thinking && !(forced && r.tools.length)) Object.assign(body, r.thinking);
    else Object.assign(body, r.sampling);
    if (r.stop) body.stop_sequences = r.stop;
    if (r.format) body.output_config = { ...((body.output_config as object) ?? {}), format: r.format };
    if (r.userId !== undefined) body.metadata = { user_id: r.userId };
    return body;
  });

const wireStop = fc.constantFrom('end_turn', 'max_tokens', 'stop_sequence', 'tool_use', 'pause_turn', 'refusal', 'model_context_window_exceeded');

/** Anthropic non-stream Message bodies. */
export const wireResponse: fc.Arbitrary<Record<string, unknown>> = fc.record({
  id: word.map((w) => `msg_${w}`),
  type: fc.constant('message'),
  role: fc.constant('assistant'),
  model: fc.constant('claude-test'),
  content: fc.array(fc.oneof(fc.record({ type: fc.constant('text'), text: wireText }), wireThinking, wireToolUse), { maxLength: 4 }),
  stop_reason: wireStop,
  stop_sequence: fc.constant(null),
  usage: fc.record({
    input_tokens: fc.nat({ max: 10000 }),
    output_tokens: fc.nat({ max: 10000 }),
    cache_read_input_tokens: fc.nat({ max: 1000 }),
    cache_creation_input_tokens: fc.nat({ max: 1000 }),
  }),
});
