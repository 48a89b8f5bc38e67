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

/**
 * fast-check arbitraries: well-typed Gemini wire bodies (for meaning-preservation round trips) and
 * canonical requests / responses / event sequences (for "never throws" checks across every direction).
 */

type Json = Record<string, unknown>;

const text = fc.string({ minLength: 1, maxLength: 12 });
const name = fc.constantFrom('read_file', 'list_dir', 'search', 'get_weather');
const sig = fc.base64String({ minLength: 4, maxLength: 16 }).filter((s) => s.length > 0);
const jsonObject = fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }) as fc.Arbitrary<Json>;
/** Ids Gemini itself might issue (the encoder only echoes ids that do not look minted elsewhere). */
const geminiId = fc.stringMatching(/^g[a-z0-9]{3,8}$/);

// ---------------------------------------------------------------- Gemini wire: request

const imageInline = fc.record({ inlineData: fc.record({ mimeType: fc.constantFrom('image/png', 'image/jpeg', 'application/pdf'), data: fc.base64String({ maxLength: 12 }) }) });
const imageFile = fc.record({ fileData: fc.record({ fileUri: fc.constantFrom('https://x.test/a.png', 'https://x.test/b', 'gs://b/c.webp'), mimeType: fc.constantFrom('image/png', 'image/webp', 'image/*') }) });

const functionResponse = fc.record(
  {
    name,
    id: fc.oneof(geminiId, fc.constantFrom('read_file-1-a', 'search-2-b')),
    response: fc.oneof(
      fc.record({ result: fc.string({ maxLength: 10 }) }),
      fc.record({ output: fc.string({ maxLength: 10 }) }),
      fc.record({ error: fc.string({ maxLength: 10 }) }),
      fc.record({ result: jsonObject }),
      jsonObject,
    ),
  },
  { requiredKeys: ['name', 'response'] },
).map((functionResponse) => ({ functionResponse }));

const userPart = fc.oneof(
  { weight: 4, arbitrary: text.map((t) => ({ text: t })) },
  { weight: 1, arbitrary: imageInline },
  { weight: 1, arbitrary: imageFile },
  { weight: 3, arbitrary: functionResponse },
);

const functionCall = fc
  .record({ name, args: jsonObject, id: geminiId }, { requiredKeys: ['name', 'args'] })
  .chain((functionCall) => fc.option(sig, { nil: undefined }).map((s) => (s ? { functionCall, thoughtSignature: s } : { functionCall })));

const modelPart = fc.oneof(
  { weight: 4, arbitrary: text.map((t) => ({ text: t })) },
  { weight: 2, arbitrary: fc.record({ text, thoughtSignature: sig }) },
  { weight: 2, arbitrary: fc.record({ text, thought: fc.constant(true) }) },
  { weight: 1, arbitrary: fc.record({ text, thought: fc.constant(true), thoughtSignature: sig }) },
  { weight: 3, arbitrary: functionCall },
  { weight: 1, arbitrary: imageInline.filter((p) => p.inlineData.mimeType.startsWith('image/')) },
);

const content = fc.oneof(
  fc.record({ role: fc.constantFrom('user', 'function', undefined), parts: fc.array(userPart, { minLength: 1, maxLength: 4 }) }).map((c) => (c.role === undefined ? { parts: c.parts } : c)),
  fc.record({ role: fc.constant('model'), parts: fc.array(modelPart, { minLength: 1, maxLength: 4 }) }),
);

/** JSON Schema already inside Gemini's subset (so cleaning is lossless). */
const leafSchema = fc.oneof(
  fc.record({ type: fc.constantFrom('string', 'number', 'integer', 'boolean'), description: text }, { requiredKeys: ['type'] }),
  fc.record({ type: fc.constant('string'), enum: fc.uniqueArray(text, { minLength: 1, maxLength: 3 }) }),
  fc.record({ type: fc.constant(['string', 'null']) }),
  fc.record({ type: fc.constant('array'), items: fc.record({ type: fc.constantFrom('string', 'integer') }), maxItems: fc.nat(9) }, { requiredKeys: ['type', 'items'] }),
);
const objectSchema = fc
  .dictionary(fc.stringMatching(/^[a-z]{1,6}$/), fc.oneof(leafSchema, fc.dictionary(fc.stringMatching(/^[a-z]{1,4}$/), leafSchema, { minKeys: 1, maxKeys: 2 }).map((p) => ({ type: 'object', properties: p }))), { minKeys: 1, maxKeys: 3 })
  .chain((properties) => fc.subarray(Object.keys(properties)).map((required) => (required.length ? { type: 'object', properties, required } : { type: 'object', properties })));

/** The same schemas in Gemini's OpenAPI dialect (upper-case types, nullable). */
function toOpenApi(s: unknown): unknown {
  if (typeof s !== 'object' || s === null || Array.isArray(s)) return s;
  const o = s as Json;
  const out: Json = {};
  for (const [k, v] of Object.entries(o)) {
    if (k === 'type') {
      if (Array.isArray(v)) {
        out.type = String(v[0]).toUpperCase();
        out.nullable = true;
      } else out.type = String(v).toUpperCase();
    } else if (k === 'properties') out.properties = Object.fromEntries(Object.entries(v as Json).map(([n, p]) => [n, toOpenApi(p)]));
    else if (k === 'items') out.items = toOpenApi(v);
    else out[k] = v;
  }
  return out;
}

const declaration = fc.oneof(
  fc.record({ name, description: text, parametersJsonSchema: objectSchema }, { requiredKeys: ['name', 'parametersJsonSchema'] }),
  fc.record({ name, parameters: objectSchema.map(toOpenApi) }),
  fc.record({ name }),
  fc.record({ name, parametersJsonSchema: fc.constant({ type: 'object', properties: {} }) }),
);

const toolConfig = fc.oneof(
  fc.record({ mode: fc.constantFrom('AUTO', 'NONE', 'VALIDATED', 'auto') }),
  fc.record({ mode: fc.constant('ANY'), allowedFunctionNames: fc.uniqueArray(name, { maxLength: 3 }) }),
);

const thinkingConfig = fc.oneof(
  fc.record({ thinkingBudget: fc.oneof(fc.constant(-1), fc.constant(0), fc.integer({ min: 1, max: 40000 })), includeThoughts: fc.boolean() }, { requiredKeys: ['thinkingBudget'] }),
  fc.record({ thinkingLevel: fc.constantFrom('MINIMAL', 'LOW', 'MEDIUM', 'HIGH'), includeThoughts: fc.boolean() }, { requiredKeys: ['thinkingLevel'] }),
  fc.record({ includeThoughts: fc.boolean() }),
);

const generationConfig = fc.record(
  {
    temperature: fc.double({ min: 0, max: 2, noNaN: true }),
    topP: fc.double({ min: 0, max: 1, noNaN: true }),
    topK: fc.integer({ min: 1, max: 100 }),
    maxOutputTokens: fc.integer({ min: 1, max: 65536 }),
    candidateCount: fc.constant(1),
    stopSequences: fc.array(text, { minLength: 1, maxLength: 5 }),
    thinkingConfig,
    seed: fc.integer(),
    responseMimeType: fc.constantFrom('application/json', 'text/plain'),
    responseJsonSchema: objectSchema,
  },
  { requiredKeys: [] },
);

export const geminiRequestArb: fc.Arbitrary<Json> = fc.record(
  {
    contents: fc.array(content, { maxLength: 6 }),
    systemInstruction: fc.array(text, { minLength: 1, maxLength: 2 }).map((ts) => ({ parts: ts.map((t) => ({ text: t })) })),
    tools: fc.uniqueArray(declaration, { selector: (d) => d.name, minLength: 1, maxLength: 3 }).map((functionDeclarations) => [{ functionDeclarations }]),
    toolConfig: toolConfig.map((functionCallingConfig) => ({ functionCallingConfig })),
    generationConfig,
    safetySettings: fc.constant([{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'OFF' }]),
  },
  { requiredKeys: ['contents'] },
);

// ---------------------------------------------------------------- Gemini wire: response

export const geminiResponseArb: fc.Arbitrary<Json> = fc.record({
  candidates: fc
    .record({
      parts: fc.array(fc.oneof(modelPart, fc.record({ text: fc.constant(''), thoughtSignature: sig })), { maxLength: 6 }),
      finishReason: fc.constantFrom('STOP', 'MAX_TOKENS', 'SAFETY', 'RECITATION', 'MALFORMED_FUNCTION_CALL', 'OTHER'),
    })
    .map((c) => [{ content: { role: 'model', parts: c.parts }, finishReason: c.finishReason, index: 0 }]),
  usageMetadata: fc
    .record({ p: fc.nat(1000), c: fc.nat(1000), t: fc.option(fc.nat(1000), { nil: undefined }), k: fc.option(fc.nat(100), { nil: undefined }) })
    .map(({ p, c, t, k }) => {
      const u: Json = { promptTokenCount: p, candidatesTokenCount: c, totalTokenCount: p + c + (t ?? 0) };
      if (t !== undefined) u.thoughtsTokenCount = t;
      if (k !== undefined) u.cachedContentTokenCount = k;
      return u;
    }),
  modelVersion: fc.constantFrom('gemini-2.5-pro', 'gemini-3-flash-preview'),
  responseId: fc.stringMatching(/^[A-Za-z0-9]{6,12}$/),
});

// ---------------------------------------------------------------- canonical

const anyText = fc.string({ maxLength: 10 });
const family = fc.constantFrom('anthropic', 'gemini', 'openai', undefined);
const anyId = fc.oneof(fc.stringMatching(/^(call_|toolu_|fc_|g)[a-z0-9]{1,6}$/), fc.string({ maxLength: 6 }));

const imagePart: fc.Arbitrary<ImagePart> = fc.oneof(
  fc.record({ type: fc.constant('image' as const), source: fc.record({ kind: fc.constant('base64' as const), mediaType: fc.constantFrom('image/png', 'image/jpeg'), data: fc.base64String({ maxLength: 8 }) }) }),
  fc.record({ type: fc.constant('image' as const), source: fc.record({ kind: fc.constant('url' as const), url: fc.oneof(fc.webUrl(), fc.constant('data:image/png;base64,AAAA'), fc.string()) }) }),
);
const textPart: fc.Arbitrary<TextPart> = fc.record({ type: fc.constant('text' as const), text: anyText });
const toolResult: fc.Arbitrary<ToolResultPart> = fc.record(
  {
    type: fc.constant('tool-result' as const),
    callId: anyId,
    name,
    content: fc.array(fc.oneof(textPart, imagePart, fc.record({ type: fc.constant('text' as const), text: fc.json() })), { maxLength: 3 }),
    isError: fc.boolean(),
  },
  { requiredKeys: ['type', 'callId', 'content'] },
);
export const assistantPartArb: fc.Arbitrary<AssistantPart> = fc.oneof(
  textPart,
  imagePart,
  fc.record({ type: fc.constant('reasoning' as const), text: anyText, signature: sig, family, redactedData: fc.string({ maxLength: 5 }) }, { requiredKeys: ['type', 'text'] }),
  fc.record(
    { type: fc.constant('tool-call' as const), id: anyId, name: fc.string({ maxLength: 8 }), arguments: fc.oneof(fc.json(), fc.string({ maxLength: 8 })), signature: sig },
    { requiredKeys: ['type', 'id', 'name', 'arguments'] },
  ),
);
const message: fc.Arbitrary<Message> = fc.oneof(
  fc.record({ role: fc.constant('user' as const), content: fc.array(fc.oneof(textPart, imagePart, toolResult) as fc.Arbitrary<UserPart>, { maxLength: 4 }) }),
  fc.record({ role: fc.constant('assistant' as const), content: fc.array(assistantPartArb, { maxLength: 4 }) }),
);

export const canonicalRequestArb: fc.Arbitrary<CanonicalRequest> = fc.record(
  {
    model: fc.constantFrom('gemini-2.5-pro', 'gemini-3-pro-preview', 'gemini-3-flash-preview', ''),
    system: fc.array(textPart, { maxLength: 2 }),
    messages: fc.array(message, { maxLength: 5 }),
    tools: fc.array(
      fc.record({ name: fc.string({ maxLength: 8 }), description: anyText, parameters: fc.oneof(objectSchema, jsonObject), strict: fc.boolean() }, { requiredKeys: ['name', 'parameters'] }),
      { maxLength: 3 },
    ),
    toolChoice: fc.oneof(fc.constant({ type: 'auto' as const }), fc.constant({ type: 'none' as const }), fc.constant({ type: 'required' as const }), fc.record({ type: fc.constant('tool' as const), name: fc.string({ maxLength: 6 }) })),
    parallelToolCalls: fc.boolean(),
    maxOutputTokens: fc.nat(),
    temperature: fc.double({ noNaN: true }),
    topP: fc.double({ noNaN: true }),
    topK: fc.nat(),
    stop: fc.array(anyText, { maxLength: 7 }),
    reasoning: fc.record(
      { effort: fc.constantFrom('none', 'minimal', 'low', 'medium', 'high', 'xhigh'), budgetTokens: fc.integer({ min: -1, max: 50000 }), includeThoughts: fc.boolean() },
      { requiredKeys: [] },
    ),
    responseFormat: fc.oneof(
      fc.constant({ type: 'text' as const }),
      fc.constant({ type: 'json' as const }),
      fc.record({ type: fc.constant('json_schema' as const), name: anyText, schema: jsonObject, strict: fc.boolean() }, { requiredKeys: ['type', 'schema'] }),
    ),
    stream: fc.boolean(),
    providerOptions: fc.record({ gemini: jsonObject }),
  },
  { requiredKeys: ['model', 'system', 'messages', 'tools', 'stream'] },
);

const finishReason: fc.Arbitrary<FinishReason> = fc.constantFrom('stop', 'length', 'tool-calls', 'content-filter', 'error', 'other');
const usage: fc.Arbitrary<Usage> = fc.record(
  { inputTokens: fc.nat(), outputTokens: fc.nat(), cachedInputTokens: fc.nat(), cacheWriteTokens: fc.nat(), reasoningTokens: fc.nat() },
  { requiredKeys: ['inputTokens', 'outputTokens'] },
);

export const canonicalResponseArb: fc.Arbitrary<CanonicalResponse> = fc.record(
  {
    id: fc.string({ maxLength: 8 }),
    model: fc.string({ maxLength: 8 }),
    content: fc.array(assistantPartArb, { maxLength: 5 }),
    finishReason,
    rawFinishReason: fc.oneof(fc.constantFrom('STOP', 'end_turn', 'RECITATION', 'MAX_TOKENS'), fc.string({ maxLength: 5 })),
    usage,
    created: fc.nat(),
  },
  { requiredKeys: ['id', 'model', 'content', 'finishReason', 'created'] },
);

/** Arbitrary (not necessarily well-ordered) canonical event sequences: encoders must never throw. */
export const streamEventsArb: fc.Arbitrary<StreamEvent[]> = fc.array(
  fc.oneof(
    fc.record({ type: fc.constant('message-start' as const), id: fc.string({ maxLength: 5 }), model: fc.string({ maxLength: 5 }) }),
    fc.record({ type: fc.constant('text-start' as const), id: fc.constantFrom('a', 'b') }),
    fc.record({ type: fc.constant('text-delta' as const), id: fc.constantFrom('a', 'b'), text: anyText }),
    fc.record({ type: fc.constant('text-end' as const), id: fc.constantFrom('a', 'b') }),
    fc.record({ type: fc.constant('reasoning-start' as const), id: fc.constantFrom('r', 's'), family }, { requiredKeys: ['type', 'id'] }),
    fc.record({ type: fc.constant('reasoning-delta' as const), id: fc.constantFrom('r', 's'), text: anyText }),
    fc.record({ type: fc.constant('reasoning-signature' as const), id: fc.constantFrom('r', 's'), signature: sig }),
    fc.record({ type: fc.constant('reasoning-end' as const), id: fc.constantFrom('r', 's') }),
    fc.record({ type: fc.constant('tool-call-start' as const), id: fc.constantFrom('c1', 'c2'), name: fc.string({ maxLength: 5 }), signature: sig }, { requiredKeys: ['type', 'id', 'name'] }),
    fc.record({ type: fc.constant('tool-call-delta' as const), id: fc.constantFrom('c1', 'c2'), argumentsDelta: fc.string({ maxLength: 6 }) }),
    fc.record({ type: fc.constant('tool-call-end' as const), id: fc.constantFrom('c1', 'c2') }),
    fc.record({ type: fc.constant('usage' as const), usage }),
    fc.record({ type: fc.constant('finish' as const), reason: finishReason, rawReason: fc.string({ maxLength: 5 }), usage }, { requiredKeys: ['type', 'reason'] }),
    fc.record({ type: fc.constant('error' as const), error: fc.record({ message: anyText, status: fc.integer({ min: 400, max: 599 }), code: anyText }, { requiredKeys: ['message'] }) }),
  ),
  { maxLength: 20 },
);
