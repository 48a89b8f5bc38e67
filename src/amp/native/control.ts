import type { RequestContext } from '../../server/handlers.js';
import { readBody } from '../../server/body.js';
import { sendJson } from '../../server/respond.js';
import { forwardToAmp } from '../proxy.js';
import type { NativeAmp } from './index.js';

const MAX_CONTROL_BODY = 4 * 1024 * 1024;

/** `/api/internal` methods about threads: served locally whenever `ampcode.threads` is `local`. */
export const THREAD_METHODS = ['getThreadTail', 'getThreadMessagesPage', 'getThread', 'archiveThread', 'getThreadProject', 'listThreads', 'setThreadMeta', 'deleteThread'] as const;

/**
 * Account-plane methods answered locally when there is no Amp upstream: just enough for the native CLI to run
 * with no Amp account. With an upstream they are forwarded, as the Amp module does.
 */
const LOCAL_ACCOUNT_ANSWERS: Record<string, unknown> = {
  loadPlugins: [],
  loadSkills: { sources: [] },
  getThreadProject: {},
};

type Rpc = { method: string; params: Record<string, unknown> };

async function readRpc(ctx: RequestContext): Promise<{ raw: Buffer; rpc: Rpc } | undefined> {
  let raw: Buffer;
  try {
    raw = await readBody(ctx.req, MAX_CONTROL_BODY);
  } catch {
    sendJson(ctx.res, 413, { ok: false, error: { code: 'too-large', message: 'request body too large' } });
    return undefined;
  }
  let body: Record<string, unknown> = {};
  try {
    const v = raw.length ? (JSON.parse(raw.toString('utf8')) as unknown) : {};
    if (v && typeof v === 'object' && !Array.isArray(v)) body = v as Record<string, unknown>;
  } catch {
    sendJson(ctx.res, 400, { ok: false, error: { code: 'invalid-json', message: 'body is not JSON' } });
    return undefined;
  }
  const params = body.params && typeof body.params === 'object' ? (body.params as Record<string, unknown>) : {};
  return { raw, rpc: { method: String(body.method ?? ''), params } };
}

const ok = (ctx: RequestContext, result: unknown) => sendJson(ctx.res, 200, { ok: true, result });
const fail = (ctx: RequestContext, code: string, message: string) => sendJson(ctx.res, 200, { ok: false, error: { code, message } });

/** Handler for one thread method; `true` when answered. */
export function threadMethodHandler(native: NativeAmp, method: string) {
  return async (ctx: RequestContext): Promise<boolean> => {
    const cfg = ctx.app.config.current.ampcode;
    if (cfg.threads === 'upstream' && cfg['upstream-url']) return false;
    const read = await readRpc(ctx);
    if (!read) return true;
    const { params } = read.rpc;
    const owner = native.ownerOf(ctx.clientKey);
    const threadId = typeof params.thread === 'string' ? params.thread : undefined;
    const rec = threadId ? native.threadRecord(threadId, owner) : undefined;
    // A thread this proxy does not hold may live on ampcode.com: forward when there is an upstream.
    if (!rec && cfg['upstream-url'] && method !== 'listThreads') {
      await forwardToAmp(ctx, ctx.app.amp.secrets, { upstreamUrl: cfg['upstream-url'], body: read.raw });
      return true;
    }
    switch (method) {
      case 'listThreads':
        ok(ctx, { threads: native.listThreads(owner) });
        return true;
      case 'getThreadProject':
        ok(ctx, {});
        return true;
    }
    if (!rec) {
      // A thread created by this CLI run that has not reached the store yet answers empty rather than failing the run.
      if (threadId && native.isPending(threadId)) {
        ok(ctx, method === 'getThreadTail' ? native.tail(threadId, owner, 0) : {});
        return true;
      }
      fail(ctx, 'thread-not-found', `thread ${threadId ?? '(none)'} not found`);
      return true;
    }
    switch (method) {
      case 'getThreadTail':
        ok(ctx, native.tail(rec.id, owner, Number(params.limit) || 50));
        return true;
      case 'getThreadMessagesPage':
        ok(ctx, native.page(rec.id, owner, Number(params.fromIndex) || 0, Number(params.limit) || 100));
        return true;
      case 'getThread':
        ok(ctx, native.threadData(rec.id, owner, true));
        return true;
      case 'archiveThread':
        native.archive(rec.id, owner, params.archived !== false);
        ok(ctx, {});
        return true;
      case 'deleteThread':
        native.deleteThread(rec.id, owner);
        ok(ctx, {});
        return true;
      default:
        ok(ctx, {});
        return true;
    }
  };
}

/**
 * Catch-all for the control plane when no Amp upstream is configured: the account methods the CLI needs get
 * plausible local answers, everything else a harmless `ok` (telemetry and the like), so classic and native Amp
 * run with no Amp account. With an upstream it declines and the request is forwarded.
 */
export function localAccountPlane(native: NativeAmp) {
  return async (ctx: RequestContext): Promise<boolean> => {
    if (ctx.app.config.current.ampcode['upstream-url']) return false;
    if (ctx.url.pathname !== '/api/internal') {
      if (ctx.req.method !== 'GET' && ctx.req.method !== 'HEAD') await readBody(ctx.req, MAX_CONTROL_BODY).catch(() => undefined);
      sendJson(ctx.res, 200, { ok: true });
      return true;
    }
    const read = await readRpc(ctx);
    if (!read) return true;
    const method = read.rpc.method || [...ctx.url.searchParams.keys()][0] || '';
    if (method === 'getUserInfo') {
      ok(ctx, native.userInfo(ctx.clientKey));
      return true;
    }
    ok(ctx, method in LOCAL_ACCOUNT_ANSWERS ? LOCAL_ACCOUNT_ANSWERS[method] : {});
    return true;
  };
}
