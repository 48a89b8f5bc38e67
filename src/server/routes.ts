import type { Format } from '../formats/types.js';
import type { RequestContext } from './handlers.js';
import * as h from './handlers.js';
import { sendJson } from './respond.js';

export type Handler = (ctx: RequestContext, match: RegExpExecArray) => Promise<void> | void;

export interface Route {
  method: string | string[];
  pattern: RegExp;
  /** `client`: one of our api-keys (or loopback when none are configured); `none`: open. */
  auth: 'client' | 'none';
  /** Error shape for failures before the handler runs (auth, unknown method). */
  errorFormat: Format | ((ctx: RequestContext) => Format);
  /** Answer browser CORS preflights with permission (API routes yes, Amp control plane no). */
  cors?: boolean;
  handler: Handler;
}

const geminiOrOpenAI = (ctx: RequestContext): Format =>
  ctx.req.headers['x-goog-api-key'] !== undefined || ctx.url.searchParams.has('key') ? 'gemini' : 'openai-chat';
const modelsFormat = (ctx: RequestContext): Format => (h.isAnthropicCaller(ctx) ? 'anthropic' : 'openai-chat');

type RouteMatch = { matched: { route: Route; match: RegExpExecArray } | undefined; pathMatched: boolean };

/**
 * The route list with a bounded memo of (method, path) → match: the same few paths arrive on every request,
 * and running every pattern until one matches showed up in the per-request profile.
 */
export class RouteTable {
  // One map per method, keyed by the path as it arrived: a `${method} ${path}` key would be a new string to
  // flatten and hash on every request.
  private readonly memo = new Map<string, Map<string, RouteMatch>>();

  constructor(readonly routes: readonly Route[]) {}

  match(method: string, path: string): RouteMatch {
    let byPath = this.memo.get(method);
    if (!byPath) {
      if (this.memo.size >= 64) this.memo.clear();
      this.memo.set(method, (byPath = new Map()));
    }
    let hit = byPath.get(path);
    if (!hit) {
      hit = this.scan(method, path);
      if (byPath.size >= 1024) byPath.clear();
      byPath.set(path, hit);
    }
    return hit;
  }

  firstForPath(path: string): Route | undefined {
    return this.routes.find((r) => r.pattern.test(path));
  }

  private scan(method: string, path: string): RouteMatch {
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.pattern.exec(path);
      if (!m) continue;
      pathMatched = true;
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      if (methods.includes(method) || methods.includes('*')) return { matched: { route, match: m }, pathMatched };
    }
    return { matched: undefined, pathMatched };
  }
}

export const VERSION = '0.1.0';

/** The inbound API surface (SPEC 1.2-1.5) plus health endpoints. */
export function coreRoutes(): Route[] {
  return [
    {
      method: 'GET',
      pattern: /^\/$/,
      auth: 'none',
      errorFormat: 'openai-chat',
      handler: (ctx) =>
        sendJson(ctx.res, 200, {
          message: 'CLI Proxy API Server',
          name: 'cliproxy',
          version: VERSION,
          endpoints: ['POST /v1/chat/completions', 'POST /v1/completions', 'POST /v1/responses', 'POST /v1/messages', 'GET /v1/models', 'POST /v1beta/models/{model}:generateContent'],
        }),
    },
    { method: ['GET', 'HEAD'], pattern: /^\/healthz$/, auth: 'none', errorFormat: 'openai-chat', handler: (ctx) => sendJson(ctx.res, 200, { status: 'ok' }) },
    { method: 'GET', pattern: /^\/v1\/models$/, auth: 'client', errorFormat: modelsFormat, cors: true, handler: (ctx) => h.listModels(ctx) },
    { method: 'GET', pattern: /^\/v1\/models\/([^/:]+)$/, auth: 'client', errorFormat: geminiOrOpenAI, cors: true, handler: (ctx, m) => (geminiOrOpenAI(ctx) === 'gemini' ? h.getGeminiModel(ctx, m[1]!) : h.getOpenAIModel(ctx, m[1]!)) },
    { method: 'POST', pattern: /^\/v1\/chat\/completions$/, auth: 'client', errorFormat: 'openai-chat', cors: true, handler: h.chatCompletions },
    { method: 'POST', pattern: /^\/v1\/completions$/, auth: 'client', errorFormat: 'openai-chat', cors: true, handler: h.completions },
    { method: 'POST', pattern: /^\/v1\/responses$/, auth: 'client', errorFormat: 'openai-responses', cors: true, handler: h.responses },
    {
      // Some agents try a WebSocket upgrade first and fall back to POST: refuse it plainly, never hang.
      method: 'GET',
      pattern: /^\/v1\/responses$/,
      auth: 'none',
      errorFormat: 'openai-responses',
      handler: (ctx) => sendJson(ctx.res, 405, { error: { message: 'use POST /v1/responses (WebSocket transport is not supported)', type: 'invalid_request_error', param: null, code: null } }, { allow: 'POST' }),
    },
    { method: 'POST', pattern: /^\/v1\/messages$/, auth: 'client', errorFormat: 'anthropic', cors: true, handler: h.messages },
    { method: 'POST', pattern: /^\/v1\/messages\/count_tokens$/, auth: 'client', errorFormat: 'anthropic', cors: true, handler: h.countTokens },
    { method: 'GET', pattern: /^\/v1beta\/models$/, auth: 'client', errorFormat: 'gemini', cors: true, handler: (ctx) => h.listModels(ctx, 'gemini') },
    { method: 'GET', pattern: /^\/v1beta\/models\/([^/:]+)$/, auth: 'client', errorFormat: 'gemini', cors: true, handler: (ctx, m) => h.getGeminiModel(ctx, m[1]!) },
    { method: 'POST', pattern: /^\/v1(?:beta)?\/models\/([^/]+:[A-Za-z]+)$/, auth: 'client', errorFormat: 'gemini', cors: true, handler: (ctx, m) => h.geminiAction(ctx, m[1]!) },
  ];
}
