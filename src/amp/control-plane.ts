import type { Route } from '../server/routes.js';
import type { RequestContext } from '../server/handlers.js';
import { isLoopback } from '../server/auth.js';
import { sendJson } from '../server/respond.js';
import { forwardToAmp } from './proxy.js';
import type { AmpSecretResolver } from './secrets.js';

/** `/api/<name>` prefixes that belong to ampcode.com's control plane (accounts, threads, telemetry). */
export const API_CONTROL_PREFIXES = ['internal', 'user', 'auth', 'meta', 'ads', 'telemetry', 'threads', 'thread-actors', 'otel', 'tab'] as const;

/** A locally served control-plane call; answers and returns true, or returns false to let it be forwarded. */
export type LocalControlHandler = (ctx: RequestContext) => Promise<boolean> | boolean;

/**
 * The control plane: everything Amp sends that is not a model call goes to `ampcode.upstream-url`, except
 * what a local handler claims. Local handlers are registered per `/api/internal` JSON-RPC method and per
 * path prefix, so a native thread backend can take over `getThread`, `/api/thread-actors`, ... one at a time.
 */
export class AmpControlPlane {
  private readonly internalMethods = new Map<string, LocalControlHandler>();
  private readonly pathHandlers: Array<{ prefix: string; handler: LocalControlHandler }> = [];

  constructor(private readonly secrets: AmpSecretResolver) {}

  /** Serve `POST /api/internal?<method>` locally instead of forwarding it. */
  registerInternalMethod(method: string, handler: LocalControlHandler): void {
    this.internalMethods.set(method, handler);
  }

  /** Serve a path (and its sub-paths), e.g. `/api/thread-actors`, locally. */
  registerPath(prefix: string, handler: LocalControlHandler): void {
    this.pathHandlers.push({ prefix: prefix.replace(/\/+$/, ''), handler });
  }

  /** The one decision point for `/api/internal`: forward this JSON-RPC method to the Amp upstream, or not. */
  shouldForwardInternal(method: string | undefined): boolean {
    return method === undefined || !this.internalMethods.has(method);
  }

  /** Route table: `/api/<control prefix>[/*]` (client key required) and the root browser pages (no key). */
  routes(): Route[] {
    const apiPattern = new RegExp(`^/api/(?:${API_CONTROL_PREFIXES.map(escape).join('|')})(?:/.*)?$`);
    const handler = (ctx: RequestContext) => this.handle(ctx);
    return [
      { method: '*', pattern: apiPattern, auth: 'client', errorFormat: 'openai-chat', cors: false, handler },
      { method: '*', pattern: /^\/auth(?:\/.*)?$/, auth: 'none', errorFormat: 'openai-chat', cors: false, handler },
      { method: ['GET', 'HEAD'], pattern: /^\/(?:threads|docs|settings)(?:\/.*)?$/, auth: 'none', errorFormat: 'openai-chat', cors: false, handler },
      { method: ['GET', 'HEAD'], pattern: /^\/(?:threads|news)\.rss$/, auth: 'none', errorFormat: 'openai-chat', cors: false, handler },
    ];
  }

  /** Handle one control-plane request: localhost check, local handlers, else the reverse proxy. */
  async handle(ctx: RequestContext): Promise<void> {
    if (!passesLocalhostRestriction(ctx)) return;
    const path = ctx.url.pathname;
    if (path === '/api/internal') {
      const method = internalMethodOf(ctx.url);
      if (!this.shouldForwardInternal(method) && (await this.internalMethods.get(method!)!(ctx))) return;
    }
    for (const { prefix, handler } of this.pathHandlers) {
      if ((path === prefix || path.startsWith(`${prefix}/`)) && (await handler(ctx))) return;
    }
    const upstreamUrl = ctx.app.config.current.ampcode['upstream-url'];
    if (!upstreamUrl) return sendJson(ctx.res, 503, { error: 'amp upstream proxy not available', message: 'set ampcode.upstream-url in config.yaml to reach ampcode.com' });
    return forwardToAmp(ctx, this.secrets, { upstreamUrl });
  }
}

/**
 * `restrict-management-to-localhost`: judged by the socket address only, so `X-Forwarded-For` and friends
 * cannot fake a local caller. Answers 403 and returns false when the caller is refused.
 */
export function passesLocalhostRestriction(ctx: RequestContext): boolean {
  if (!ctx.app.config.current.ampcode['restrict-management-to-localhost']) return true;
  if (isLoopback(ctx.req.socket.remoteAddress)) return true;
  sendJson(ctx.res, 403, { error: 'Access denied: management routes restricted to localhost' });
  return false;
}

/** Amp names the JSON-RPC method as a bare query key: `/api/internal?getUserInfo`. */
export function internalMethodOf(url: URL): string | undefined {
  for (const [k, v] of url.searchParams) if (v === '' && k) return k;
  return undefined;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
