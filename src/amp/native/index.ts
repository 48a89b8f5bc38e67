import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { App } from '../../app.js';
import type { Config } from '../../config/schema.js';
import type { RequestContext } from '../../server/handlers.js';
import { readBody } from '../../server/body.js';
import { sendJson } from '../../server/respond.js';
import { API_CONTROL_PREFIXES, type AmpControlPlane } from '../control-plane.js';
import { localAccountPlane, THREAD_METHODS, threadMethodHandler } from './control.js';
import { isMessageId, isThreadId, newThreadId, newWsToken } from './ids.js';
import { ThreadStore, type ThreadRecord } from './store.js';
import { publicMessage, ThreadActor, type Conn } from './thread.js';
import { ThreadSocketServer } from './ws.js';
import { tunnelUpgrade } from './tunnel.js';

export { DEFAULT_MODE_MODELS } from './models.js';

const TOKEN_TTL_MS = 24 * 3600_000;
const MAX_TOKENS = 10_000;

/** One line for start-up: how Amp's control plane and native threads are served with this config. */
export function describeAmpMode(cfg: Config): string {
  const a = cfg.ampcode;
  if (!a['upstream-url']) return 'amp: no ampcode.upstream-url: the whole Amp control plane is answered locally (classic and native Amp CLI run with no Amp account); native threads run here';
  if (a.threads === 'upstream') return `amp: control plane and native threads forwarded to ${a['upstream-url']} (ampcode.threads: upstream, Amp's hosted agent)`;
  return `amp: account plane forwarded to ${a['upstream-url']}; native threads run here (ampcode.threads: local)`;
}

/**
 * cliproxy as the thread backend of the native Amp CLI: `POST /api/thread-actors`, the thread methods of
 * `/api/internal`, the thread WebSocket, and the agent loop (one ThreadActor per open thread) over the
 * embedded store. Hooks itself into the Amp control plane in front of the reverse proxy.
 */
export class NativeAmp {
  private storeInstance: ThreadStore | undefined;
  private readonly actors = new Map<string, ThreadActor>();
  private readonly tokens = new Map<string, { threadId: string; owner: string; expires: number }>();
  private readonly sockets = new ThreadSocketServer(this);

  constructor(readonly app: App) {}

  /** Register with the control plane: thread-actors, thread methods, and the no-upstream account plane. */
  install(cp: AmpControlPlane): void {
    cp.registerPath('/api/thread-actors', (ctx) => this.threadActors(ctx));
    for (const m of THREAD_METHODS) cp.registerInternalMethod(m, threadMethodHandler(this, m));
    const local = localAccountPlane(this);
    for (const p of API_CONTROL_PREFIXES) cp.registerPath(`/api/${p}`, local);
  }

  private get store(): ThreadStore {
    if (!this.storeInstance) {
      const cfg = this.app.config.current;
      const path = cfg.ampcode['threads-db'] || join(cfg['auth-dir'], 'amp-threads.db');
      this.storeInstance = new ThreadStore(path, () => this.app.config.current.ampcode['threads-max'], {
        onWriteError: (err, threads) => this.app.log.error({ path, threads, err: err.message }, 'amp thread store: messages could not be saved (kept in memory only)'),
      });
      this.app.log.info({ path }, 'amp thread store opened');
    }
    return this.storeInstance;
  }

  ownerOf(clientKey: string | undefined): string {
    return createHash('sha256').update(`cliproxy-amp-owner:${clientKey ?? ''}`).digest('hex').slice(0, 32);
  }

  // ---- HTTP ----

  private async threadActors(ctx: RequestContext): Promise<boolean> {
    const cfg = ctx.app.config.current.ampcode;
    if (cfg.threads === 'upstream' && cfg['upstream-url']) return false;
    if (ctx.req.method !== 'POST') {
      sendJson(ctx.res, 405, { error: 'use POST' });
      return true;
    }
    let body: Record<string, unknown> = {};
    try {
      const raw = await readBody(ctx.req, 1024 * 1024);
      const v = raw.length ? (JSON.parse(raw.toString('utf8')) as unknown) : {};
      if (v && typeof v === 'object' && !Array.isArray(v)) body = v as Record<string, unknown>;
    } catch {
      sendJson(ctx.res, 400, { error: 'invalid_request', message: 'body must be a JSON object' });
      return true;
    }
    const owner = this.ownerOf(ctx.clientKey);
    let rec: ThreadRecord | undefined;
    if (body.threadId !== undefined) {
      rec = isThreadId(body.threadId) ? this.threadRecord(body.threadId, owner) : undefined;
      if (!rec) {
        sendJson(ctx.res, 404, { error: 'thread_not_found', message: `thread ${String(body.threadId)} not found` });
        return true;
      }
    } else {
      const now = Date.now();
      rec = { id: newThreadId(), owner, created: now, updated: now, title: '', agentMode: typeof body.agentMode === 'string' && body.agentMode ? body.agentMode : 'medium', archived: false, seq: 0, messages: [] };
      this.store.put(rec);
      const pruned = this.store.prune();
      if (pruned) this.app.log.info({ pruned }, 'amp thread store: oldest threads removed (ampcode.threads-max)');
      this.app.log.info({ thread: rec.id, mode: rec.agentMode }, 'amp thread created');
    }
    const wsToken = this.issueToken(rec.id, owner);
    sendJson(ctx.res, 200, { threadId: rec.id, wsToken, ownerUserId: `user-${owner.slice(0, 12)}`, threadVersion: rec.seq, usesThreadActors: true, agentMode: rec.agentMode });
    return true;
  }

  private issueToken(threadId: string, owner: string): string {
    const now = Date.now();
    if (this.tokens.size >= MAX_TOKENS) for (const [t, v] of this.tokens) if (v.expires < now || this.tokens.size >= MAX_TOKENS) this.tokens.delete(t);
    const token = newWsToken();
    this.tokens.set(token, { threadId, owner, expires: now + TOKEN_TTL_MS });
    return token;
  }

  /** The actor a token opens, if the token was issued for exactly this thread and is still valid. */
  actorForToken(token: string, threadId: string): ThreadActor | undefined {
    const t = this.tokens.get(token);
    if (!t || t.threadId !== threadId || t.expires < Date.now()) return undefined;
    return this.actor(threadId, t.owner);
  }

  private actor(threadId: string, owner: string): ThreadActor | undefined {
    let a = this.actors.get(threadId);
    if (a) return a.record.owner === owner ? a : undefined;
    const rec = this.store.get(threadId);
    if (!rec || rec.owner !== owner) return undefined;
    a = new ThreadActor(this.app, this.store, rec);
    this.actors.set(threadId, a);
    return a;
  }

  threadRecord(threadId: string, owner: string): ThreadRecord | undefined {
    const live = this.actors.get(threadId);
    if (live) return live.record.owner === owner ? live.record : undefined;
    const rec = this.store.get(threadId);
    return rec && rec.owner === owner ? rec : undefined;
  }

  isPending(_threadId: string): boolean {
    return false;
  }

  threadData(threadId: string, owner: string, withMessages: boolean): Record<string, unknown> {
    const r = this.threadRecord(threadId, owner)!;
    return {
      id: r.id,
      v: r.seq,
      created: r.created,
      title: r.title || undefined,
      agentMode: r.agentMode,
      // `archived` is kept out: the CLI refuses to continue an archived thread, and `-x` archives every run.
      // Without this the CLI treats the thread as a legacy one and tries to import it into an actor.
      meta: { usesThreadActors: true },
      messages: withMessages ? r.messages.map((m) => publicMessage(m.message)) : [],
    };
  }

  tail(threadId: string, owner: string, limit: number): Record<string, unknown> {
    const r = this.threadRecord(threadId, owner)!;
    const msgs = r.messages.slice(Math.max(0, r.messages.length - limit)).map((m) => publicMessage(m.message));
    return { thread: { data: this.threadData(threadId, owner, false) }, messages: msgs, hasMoreBefore: r.messages.length > limit };
  }

  page(threadId: string, owner: string, from: number, limit: number): Record<string, unknown> {
    const r = this.threadRecord(threadId, owner)!;
    const msgs = r.messages.slice(from, from + limit).map((m) => publicMessage(m.message));
    const next = from + limit < r.messages.length ? from + limit : null;
    return { messages: msgs, nextMessageIndex: next };
  }

  archive(threadId: string, owner: string, archived: boolean): void {
    const r = this.threadRecord(threadId, owner)!;
    r.archived = archived;
    this.store.put(r);
  }

  deleteThread(threadId: string, owner: string): void {
    const r = this.threadRecord(threadId, owner);
    if (!r) return;
    r.archived = true;
    this.store.put(r);
  }

  listThreads(owner: string): unknown[] {
    return this.store.list(owner, 100).map((t) => ({ id: t.id, v: t.seq, created: t.created, updated: t.updated, title: t.title || undefined, agentMode: t.agentMode, archived: t.archived, messageCount: t.messageCount }));
  }

  userInfo(clientKey: string | undefined): Record<string, unknown> {
    const owner = this.ownerOf(clientKey);
    return { id: `user-${owner.slice(0, 12)}`, email: 'local@cliproxy.invalid', username: 'cliproxy', displayName: 'cliproxy (local)', features: [], team: null };
  }

  // ---- WebSocket ----

  /** `upgrade` event of the HTTP server; false when the request is not ours. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const cfg = this.app.config.current.ampcode;
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (!/^\/actors\//.test(path)) return false;
    if (cfg.threads === 'upstream' && cfg['upstream-url']) {
      tunnelUpgrade(this.app, req, socket, head, cfg['upstream-url']);
      return true;
    }
    return this.sockets.handleUpgrade(req, socket, head);
  }

  /** One JSON-RPC item from a thread socket. */
  dispatch(actor: ThreadActor, conn: Conn, item: unknown): void {
    const send = (o: unknown) => conn.send(JSON.stringify(o));
    if (!item || typeof item !== 'object' || Array.isArray(item)) return send({ jsonrpc: '2.0', id: null, error: { code: -32600, message: 'invalid request: expected a JSON-RPC object' } });
    const msg = item as Record<string, unknown>;
    const id = msg.id as string | number | undefined;
    const hasId = id !== undefined && id !== null;
    const reply = (result: unknown = { ok: true }) => hasId && send({ jsonrpc: '2.0', id, result });
    const error = (code: number, message: string) => send({ jsonrpc: '2.0', id: hasId ? id : null, error: { code, message } });
    if (typeof msg.method !== 'string') return error(-32600, 'invalid request: method must be a string');
    const params = msg.params && typeof msg.params === 'object' && !Array.isArray(msg.params) ? (msg.params as Record<string, unknown>) : {};
    switch (msg.method) {
      case 'executor_connect':
        reply();
        return actor.executorConnect(conn, params);
      case 'executor_environment_snapshot':
      case 'executor_environment_update':
        actor.environmentSnapshot(params);
        return void reply();
      case 'executor_guidance_snapshot':
        actor.guidanceSnapshot(params);
        return void reply();
      case 'executor_tools_register':
        actor.registerTools(params);
        return void reply();
      case 'executor_tools_unregister':
        actor.unregisterTools(params);
        return void reply();
      case 'executor_tools_bootstrap_complete':
        reply();
        return actor.bootstrapComplete();
      case 'client_resume':
        reply();
        return actor.resume(conn, Number(params.version) || 0);
      case 'client_append_user_msg':
        if (!isMessageId(params.messageId) || !Array.isArray(params.content)) return error(-32602, 'invalid params: messageId (M-...) and content[] are required');
        reply();
        return actor.appendUserMessage(params);
      case 'client_cancel':
        reply();
        return actor.cancel('client_cancel');
      case 'executor_tool_result': {
        const toolCallId = params.toolCallId;
        if (!actor.knowsLease(toolCallId)) return error(-32602, `unknown tool call ${String(toolCallId)}: no lease is open for it`);
        reply();
        conn.send(JSON.stringify({ jsonrpc: '2.0', method: 'executor_tool_result_ack', params: { toolCallId } }));
        actor.toolResult(params);
        return;
      }
      default:
        // Everything else (settings, skill snapshots, plugin messages, lease acks, progress) needs only an answer.
        return void reply();
    }
  }

  async stop(): Promise<void> {
    this.sockets.close();
    await Promise.all([...this.actors.values()].map((a) => a.stop()));
    this.storeInstance?.close();
    this.storeInstance = undefined;
    this.actors.clear();
  }
}
