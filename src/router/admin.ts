import type { Router } from './router.js';
import type { App } from '../app.js';
import type { Route } from '../server/routes.js';
import type { RequestContext } from '../server/handlers.js';
import { sendJson } from '../server/respond.js';
import { readBody, parseJsonObject } from '../server/body.js';
import { ManagementGuard } from './admin-auth.js';

/** One cooling (credential, model) as operators see it: labels, never secrets. */
export interface CooldownView {
  credential: string;
  label: string;
  provider: string;
  model: string;
  reason: string;
  status: number;
  quota: boolean;
  until: string;
  seconds_left: number;
  /** The upstream's own (longer) reset time when our cap shortened it. */
  upstream_reset?: string;
}

export function listCooldowns(router: Router, now = Date.now()): CooldownView[] {
  const creds = new Map(router.registry.allCredentials().map((c) => [c.id, c]));
  return router.cooldowns
    .entries(now)
    .map(({ credentialId, model, state }) => {
      const c = creds.get(credentialId);
      return {
        credential: credentialId,
        label: c?.label ?? credentialId,
        provider: c?.provider ?? '',
        model,
        reason: state.reason,
        status: state.status,
        quota: state.quota,
        until: new Date(state.until).toISOString(),
        seconds_left: Math.max(0, Math.ceil((state.until - now) / 1000)),
        ...(state.hintedUntil ? { upstream_reset: new Date(state.hintedUntil).toISOString() } : {}),
      };
    })
    .sort((a, b) => a.until.localeCompare(b.until));
}

/**
 * Clear cooldowns (and back-off levels). `credential` may be a credential id or its label; omitted fields
 * match everything. Returns how many cooling entries were removed.
 */
export function clearCooldowns(router: Router, filter: { credential?: string; model?: string } = {}): number {
  if (filter.credential === undefined) return router.cooldowns.clear(undefined, filter.model);
  const ids = router.registry
    .allCredentials()
    .filter((c) => c.id === filter.credential || c.label === filter.credential)
    .map((c) => c.id);
  // An id no longer registered (credential removed) can still be cleared by its id.
  if (ids.length === 0) ids.push(filter.credential);
  let n = 0;
  for (const id of ids) n += router.cooldowns.clear(id, filter.model);
  return n;
}

/** `GET /v0/management/cooldowns` and `POST /v0/management/cooldowns/clear`. */
export function cooldownRoutes(app: App): Route[] {
  const guard = new ManagementGuard();
  const guarded = (fn: (ctx: RequestContext) => Promise<void> | void) => async (ctx: RequestContext) => {
    const rm = app.config.current['remote-management'];
    const auth = await guard.check(ctx.req, {
      secretKey: rm['secret-key'],
      allowRemote: rm['allow-remote'],
      envPassword: process.env.MANAGEMENT_PASSWORD ?? process.env.management_password,
    });
    if (!auth.ok) {
      if (auth.status === 404) return sendJson(ctx.res, 404, { error: 'not found' });
      return sendJson(ctx.res, auth.status, { error: auth.error });
    }
    return fn(ctx);
  };
  return [
    {
      method: 'GET',
      pattern: /^\/v0\/management\/cooldowns$/,
      auth: 'none',
      errorFormat: 'openai-chat',
      cors: false,
      handler: guarded((ctx) => sendJson(ctx.res, 200, { cooldowns: listCooldowns(app.router) })),
    },
    {
      method: 'POST',
      pattern: /^\/v0\/management\/cooldowns\/clear$/,
      auth: 'none',
      errorFormat: 'openai-chat',
      cors: false,
      handler: guarded(async (ctx) => {
        const filter: { credential?: string; model?: string } = {};
        const q = ctx.url.searchParams;
        if (q.get('credential')) filter.credential = q.get('credential')!;
        if (q.get('model')) filter.model = q.get('model')!;
        const buf = await readBody(ctx.req, 64 * 1024).catch(() => Buffer.alloc(0));
        if (buf.length > 0) {
          const parsed = parseJsonObject(buf);
          if (!parsed.ok) return sendJson(ctx.res, 400, { error: parsed.message });
          const { credential, model } = parsed.value;
          if (typeof credential === 'string' && credential) filter.credential = credential;
          if (typeof model === 'string' && model) filter.model = model;
        }
        const cleared = clearCooldowns(app.router, filter);
        app.log.info({ ...filter, cleared }, 'cooldowns cleared by management call');
        sendJson(ctx.res, 200, { status: 'ok', cleared });
      }),
    },
  ];
}
