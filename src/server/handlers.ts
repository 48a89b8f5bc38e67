import type { Cancellation } from '../util/cancel.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { App } from '../app.js';
import type { Format } from '../formats/types.js';
import { collectBody, parseJsonObject, BodyTooLargeError } from './body.js';
import { validateEdge } from './validate.js';
import { trimmed } from '../util/trim.js';
import { serveModelCall, type InboundCall } from '../pipeline/model-call.js';
import { failRequest, sendError } from '../pipeline/errors.js';
import { sendJson } from './respond.js';
import { anthropicModelList, geminiModel, geminiModelList, openAIModelList } from './model-list.js';
import { completionsRequestToChat, chatResponseToCompletion, chatSseToCompletionSse } from '../formats/openai-chat/completions.js';
import type { Operation } from '../providers/types.js';

export const MAX_BODY_BYTES = 64 * 1024 * 1024;

export interface RequestContext {
  app: App;
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
  /** Cancelled when the caller goes away (cheap; the hot path uses this). */
  cancel: Cancellation;
  /** The same as an AbortSignal, for APIs that need one (created on first use). */
  readonly signal: AbortSignal;
  requestId: string;
  /** The client key that authenticated this request, if any. */
  clientKey?: string;
  /** Extra headers for every response of this request. */
  responseHeaders: Record<string, string>;
  /** Model override (Amp mappings) and the model the caller asked for. */
  routeModel?: string;
}

// Request ids only tie log lines together: a random per-process prefix and a counter are unique enough and
// cost nothing, where a UUID per request showed in the profile.
const REQUEST_ID_PREFIX = randomUUID().slice(0, 8);
let requestSeq = 0;

export function newRequestId(): string {
  return `${REQUEST_ID_PREFIX}-${(++requestSeq).toString(36)}`;
}

/** Read and parse a JSON object body; on failure answers 400 in the caller's format and returns undefined. */
export function readJsonBody(ctx: RequestContext, format: Format): Promise<Record<string, unknown> | undefined> {
  return new Promise((resolve) => collectJsonBody(ctx, format, resolve, () => resolve(undefined)));
}

/**
 * The body as a JSON object to `done`; or, once a 400/413 answer in the caller's format went out, `failed`.
 * Callbacks, so a caller settles one promise of its own instead of chaining on another.
 */
function collectJsonBody(ctx: RequestContext, format: Format, done: (body: Record<string, unknown>) => void, failed: () => void): void {
  let settled = false;
  collectBody(
    ctx.req,
    MAX_BODY_BYTES,
    (buf) => {
      if (settled) return;
      settled = true;
      const parsed = parseJsonObject(buf);
      if (parsed.ok) return done(parsed.value);
      sendError(ctx.res, format, 400, parsed.message, ctx.responseHeaders);
      failed();
    },
    (err) => {
      if (settled) return;
      settled = true;
      if (err instanceof BodyTooLargeError) sendError(ctx.res, format, 413, err.message, ctx.responseHeaders);
      else sendError(ctx.res, format, 400, `could not read request body: ${err.message}`, ctx.responseHeaders);
      failed();
    },
  );
}

/**
 * Read the body and serve it. Nothing waits for the answer, so no promise of its own: the call's promise only
 * needs its failures caught (an async function awaiting the body and then the call, or a promise settled by the
 * call, cost one to three promises more per request).
 */
function bodyCall(ctx: RequestContext, format: Format, operation: Operation = 'generate'): void {
  collectJsonBody(ctx, format, (body) => void serveBody(ctx, format, body, operation).catch((err: unknown) => failRequest(ctx.app.log, ctx.req, ctx.res, format, err)), ignore);
}

/** collectJsonBody's `failed` when the 400 it sent is all there is to do. */
const ignore = (): void => {};

/** Validate and serve an already-parsed body (shared with the Amp routes). */
export function serveBody(ctx: RequestContext, format: Format, body: Record<string, unknown>, operation: Operation = 'generate', extra?: Partial<InboundCall>): Promise<void> {
  const edge = validateEdge(format, body, operation === 'count-tokens');
  if (!edge.ok) {
    sendError(ctx.res, format, 400, edge.message, ctx.responseHeaders);
    return Promise.resolve();
  }
  const model = trimmed(String(body.model));
  const call: InboundCall = {
    format,
    body,
    model,
    routeModel: ctx.routeModel,
    stream: operation === 'generate' && body.stream === true,
    operation,
    clientHeaders: ctx.req.headers,
    responseHeaders: ctx.responseHeaders,
    requestId: ctx.requestId,
  };
  if (extra) Object.assign(call, extra);
  return serveModelCall(ctx.app, call, ctx.res, ctx.cancel);
}

export const chatCompletions = (ctx: RequestContext) => bodyCall(ctx, 'openai-chat');
export const responses = (ctx: RequestContext) => bodyCall(ctx, 'openai-responses');
export const messages = (ctx: RequestContext) => bodyCall(ctx, 'anthropic');
export const countTokens = (ctx: RequestContext) => bodyCall(ctx, 'anthropic', 'count-tokens');

export async function completions(ctx: RequestContext): Promise<void> {
  const body = await readJsonBody(ctx, 'openai-chat');
  if (!body) return;
  const chat = completionsRequestToChat(body);
  await serveBody(ctx, 'openai-chat', chat, 'generate', {
    transformJson: chatResponseToCompletion,
    transformChunk: (ev) => chatSseToCompletionSse(ev) ?? undefined,
  });
}

/** `POST /v1beta/models/{model}:{method}` (and `/v1/models/...` for @google/genai's default v1). */
export async function geminiAction(ctx: RequestContext, action: string, pre: { body?: Record<string, unknown>; extra?: Partial<InboundCall> } = {}): Promise<void> {
  const sep = action.lastIndexOf(':');
  if (sep <= 0) return sendError(ctx.res, 'gemini', 404, `${ctx.url.pathname} not found; expected models/{model}:{method}`, ctx.responseHeaders);
  const model = decodeURIComponent(action.slice(0, sep)).replace(/^models\//, '');
  const method = action.slice(sep + 1);
  let operation: Operation = 'generate';
  let stream = false;
  if (method === 'streamGenerateContent') stream = true;
  else if (method === 'countTokens') operation = 'count-tokens';
  else if (method !== 'generateContent') {
    return sendError(ctx.res, 'gemini', 404, `method ${method} is not supported; use generateContent, streamGenerateContent or countTokens`, ctx.responseHeaders);
  }
  // The Amp routes read (and route on) the body before calling in, so they pass it here.
  const body = pre.body ?? (await readJsonBody(ctx, 'gemini'));
  if (!body) return;
  const edge = validateEdge('gemini', body);
  if (!edge.ok) return sendError(ctx.res, 'gemini', 400, edge.message, ctx.responseHeaders);
  const alt = ctx.url.searchParams.get('alt') ?? ctx.url.searchParams.get('$alt') ?? '';
  const call: InboundCall = {
    format: 'gemini',
    body,
    model,
    routeModel: ctx.routeModel,
    stream,
    operation,
    clientHeaders: ctx.req.headers,
    responseHeaders: ctx.responseHeaders,
    requestId: ctx.requestId,
    geminiAlt: alt === '' || alt === 'sse' ? 'sse' : 'json',
    ...pre.extra,
  };
  await serveModelCall(ctx.app, call, ctx.res, ctx.cancel);
}

export function isAnthropicCaller(ctx: RequestContext): boolean {
  const ua = ctx.req.headers['user-agent'] ?? '';
  return ctx.req.headers['anthropic-version'] !== undefined || ua.startsWith('claude-cli');
}

export function listModels(ctx: RequestContext, shape?: 'openai' | 'anthropic' | 'gemini'): void {
  const models = ctx.app.router.registry.models();
  const s = shape ?? (isAnthropicCaller(ctx) ? 'anthropic' : 'openai');
  const body = s === 'anthropic' ? anthropicModelList(models) : s === 'gemini' ? geminiModelList(models) : openAIModelList(models);
  sendJson(ctx.res, 200, body, ctx.responseHeaders);
}

export function getGeminiModel(ctx: RequestContext, id: string): void {
  const name = decodeURIComponent(id).replace(/^models\//, '');
  const m = ctx.app.router.registry.models().find((x) => x.id === name) ?? ctx.app.router.registry.models().find((x) => x.id.toLowerCase() === name.toLowerCase());
  if (!m) return sendError(ctx.res, 'gemini', 404, `models/${name} is not found or no credential serves it`, ctx.responseHeaders);
  sendJson(ctx.res, 200, geminiModel(m), ctx.responseHeaders);
}

export function getOpenAIModel(ctx: RequestContext, id: string): void {
  const name = decodeURIComponent(id);
  const m = ctx.app.router.registry.models().find((x) => x.id === name);
  if (!m) return sendError(ctx.res, 'openai-chat', 404, `The model \`${name}\` does not exist or no credential serves it.`, ctx.responseHeaders, 'model_not_found');
  sendJson(ctx.res, 200, { id: m.id, object: 'model', created: 1_735_689_600, owned_by: m.provider }, ctx.responseHeaders);
}
