import type { Format } from '../formats/types.js';
import type { Operation } from '../providers/types.js';
import type { Route } from '../server/routes.js';
import { MAX_BODY_BYTES, geminiAction, getGeminiModel, listModels, serveBody, type RequestContext } from '../server/handlers.js';
import { BodyTooLargeError, parseJsonObject, readBody } from '../server/body.js';
import { sendError, type InboundCall } from '../pipeline/model-call.js';
import { completionsRequestToChat, chatResponseToCompletion, chatSseToCompletionSse } from '../formats/openai-chat/completions.js';
import { decideRoute, type RouteDecision } from './decide.js';
import { forwardToAmp } from './proxy.js';
import type { AmpSecretResolver } from './secrets.js';
import { toolNameHooks } from './tool-names.js';
import { sanitizeAnthropicHistory } from './sanitize.js';

const P = '^/api/provider/([^/]+)';
const re = (suffix: string) => new RegExp(`${P}/${suffix}$`);

/** The 1M-context beta Amp adds for Anthropic: local credentials reject or bill it differently, so it is dropped. */
const CONTEXT_1M_BETA = 'context-1m-2025-08-07';

type Kind = 'chat' | 'completions' | 'responses' | 'messages' | 'count-tokens';
const KIND_FORMAT: Record<Kind, Format> = { chat: 'openai-chat', completions: 'openai-chat', responses: 'openai-responses', messages: 'anthropic', 'count-tokens': 'anthropic' };

/**
 * `/api/provider/{provider}/...`: the routes Amp sends model calls to. Each call is routed locally, through a
 * mapping, or (only when nothing local can serve it) to the Amp upstream, and says which in `X-CLIProxy-Route`.
 */
export function providerRoutes(secrets: AmpSecretResolver): Route[] {
  const body = (kind: Kind): Route['handler'] => (ctx) => modelCall(ctx, secrets, kind);
  return [
    { method: 'GET', pattern: re('(?:v1/)?models'), auth: 'client', errorFormat: 'openai-chat', cors: true, handler: (ctx, m) => listModels(ctx, shapeFor(m[1]!)) },
    { method: 'POST', pattern: re('(?:v1/)?chat/completions'), auth: 'client', errorFormat: 'openai-chat', cors: true, handler: body('chat') },
    { method: 'POST', pattern: re('(?:v1/)?completions'), auth: 'client', errorFormat: 'openai-chat', cors: true, handler: body('completions') },
    { method: 'POST', pattern: re('(?:v1/)?responses'), auth: 'client', errorFormat: 'openai-responses', cors: true, handler: body('responses') },
    { method: 'POST', pattern: re('v1/messages'), auth: 'client', errorFormat: 'anthropic', cors: true, handler: body('messages') },
    { method: 'POST', pattern: re('v1/messages/count_tokens'), auth: 'client', errorFormat: 'anthropic', cors: true, handler: body('count-tokens') },
    { method: 'GET', pattern: re('v1beta/models'), auth: 'client', errorFormat: 'gemini', cors: true, handler: (ctx) => listModels(ctx, 'gemini') },
    { method: 'GET', pattern: re('v1beta/models/([^/:]+)'), auth: 'client', errorFormat: 'gemini', cors: true, handler: (ctx, m) => getGeminiModel(ctx, m[2]!) },
    { method: 'POST', pattern: re('v1beta/models/([^/]+:[A-Za-z]+)'), auth: 'client', errorFormat: 'gemini', cors: true, handler: (ctx, m) => geminiCall(ctx, secrets, m[2]!) },
    // Vertex-style path of @google/genai in Vertex mode (Amp's Google models): same as v1beta once the model is found.
    { method: 'POST', pattern: re('v1beta1/(?:.*/)?models/([^/]+:[A-Za-z]+)'), auth: 'client', errorFormat: 'gemini', cors: true, handler: (ctx, m) => geminiCall(ctx, secrets, m[2]!) },
  ];
}

function shapeFor(provider: string): 'anthropic' | 'gemini' | 'openai' {
  const p = provider.toLowerCase();
  return p === 'anthropic' ? 'anthropic' : p === 'google' ? 'gemini' : 'openai';
}

/** Read the raw body (kept for forwarding byte-for-byte) and its JSON; answers 4xx itself on failure. */
async function readRawJson(ctx: RequestContext, format: Format): Promise<{ raw: Buffer; json: Record<string, unknown> } | undefined> {
  let raw: Buffer;
  try {
    raw = await readBody(ctx.req, MAX_BODY_BYTES);
  } catch (err) {
    sendError(ctx.res, format, err instanceof BodyTooLargeError ? 413 : 400, (err as Error).message, ctx.responseHeaders);
    return undefined;
  }
  const parsed = parseJsonObject(raw);
  if (!parsed.ok) {
    sendError(ctx.res, format, 400, parsed.message, ctx.responseHeaders);
    return undefined;
  }
  return { raw, json: parsed.value };
}

async function modelCall(ctx: RequestContext, secrets: AmpSecretResolver, kind: Kind): Promise<void> {
  const format = KIND_FORMAT[kind];
  const read = await readRawJson(ctx, format);
  if (!read) return;
  const requested = typeof read.json.model === 'string' ? read.json.model.trim() : '';
  const decision = requested ? decide(ctx, requested) : { route: 'local' as const, routeModel: '' };
  if (decision.route === 'amp-upstream') return forwardModelCall(ctx, secrets, read.raw);
  prepareLocal(ctx, decision);
  const operation: Operation = kind === 'count-tokens' ? 'count-tokens' : 'generate';
  if (kind === 'completions') {
    const chat = completionsRequestToChat(read.json);
    await serveBody(ctx, 'openai-chat', chat, operation, {
      transformJson: chatResponseToCompletion,
      transformChunk: (ev) => chatSseToCompletionSse(ev) ?? undefined,
    });
    return;
  }
  const body = format === 'anthropic' ? sanitizeAnthropicHistory(read.json) : read.json;
  // Awaited, not returned: an async function adopts a returned promise through two extra microtasks.
  await serveBody(ctx, format, body, operation, toolNameHooks(body));
}

async function geminiCall(ctx: RequestContext, secrets: AmpSecretResolver, action: string): Promise<void> {
  const read = await readRawJson(ctx, 'gemini');
  if (!read) return;
  const sep = action.lastIndexOf(':');
  const requested = sep > 0 ? decodeURIComponent(action.slice(0, sep)).replace(/^models\//, '') : '';
  const decision = requested ? decide(ctx, requested) : { route: 'local' as const, routeModel: '' };
  if (decision.route === 'amp-upstream') return forwardModelCall(ctx, secrets, read.raw);
  prepareLocal(ctx, decision);
  // The URL model stays what the caller asked for (and is what responses report); `routeModel` picks credentials.
  const extra: Partial<InboundCall> = toolNameHooks(read.json);
  return geminiAction(ctx, action, { body: read.json, extra });
}

/** Decide, announce (header + one log line), and suggest the mapping that would have kept a call local. */
function decide(ctx: RequestContext, requested: string): RouteDecision {
  const { app } = ctx;
  const cfg = app.config.current.ampcode;
  const decision = decideRoute(cfg, app.router.registry, requested, app.log);
  ctx.responseHeaders['x-cliproxy-route'] = decision.route;
  const fields = { req: ctx.requestId, path: ctx.url.pathname, model: requested, route: decision.route };
  if (decision.route === 'mapped') app.log.info({ ...fields, target: decision.routeModel }, `amp: ${requested} mapped to local ${decision.routeModel}`);
  else if (decision.route === 'local') app.log.info(fields, `amp: ${requested} served by a local credential`);
  else {
    const near = app.router.registry.closest(requested, 1)[0];
    const suggestion = `ampcode.model-mappings: - { from: "${requested}", to: "${near ?? '<a model you serve>'}" }`;
    app.log.warn({ ...fields, suggestion }, `amp: no local credential serves ${requested}; forwarding to the Amp upstream (spends Amp credits). Add ${suggestion} to keep it local`);
  }
  return decision;
}

function prepareLocal(ctx: RequestContext, decision: RouteDecision): void {
  if (decision.route === 'mapped') ctx.routeModel = decision.routeModel;
  const beta = ctx.req.headers['anthropic-beta'];
  if (typeof beta === 'string' && beta.includes(CONTEXT_1M_BETA)) {
    const kept = beta.split(',').map((s) => s.trim()).filter((s) => s && s !== CONTEXT_1M_BETA);
    if (kept.length) ctx.req.headers['anthropic-beta'] = kept.join(',');
    else delete ctx.req.headers['anthropic-beta'];
  }
}

function forwardModelCall(ctx: RequestContext, secrets: AmpSecretResolver, raw: Buffer): Promise<void> {
  const upstreamUrl = ctx.app.config.current.ampcode['upstream-url'];
  return forwardToAmp(ctx, secrets, { upstreamUrl, body: raw, responseHeaders: ctx.responseHeaders });
}
