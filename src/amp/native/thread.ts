import type { App } from '../../app.js';
import type { CanonicalRequest, Message, ToolDefinition } from '../../ir/index.js';
import { markStable } from '../../ir/stable.js';
import { toCanonicalMessages, toolDefinitions, type ExecutorTool } from './convert.js';
import { newMessageId } from './ids.js';
import { InferenceError, runInference, type ToolUse } from './inference.js';
import { routeThreadModel } from './models.js';
import { loadAgentPrompt, systemParts, type EnvironmentInfo, type GuidanceFile } from './prompt.js';
import type { ThreadRecord, ThreadStore } from './store.js';

/** One WebSocket attached to a thread. */
export interface Conn {
  readonly id: number;
  send(frame: string): void;
  /** This socket sent `executor_connect`: tool leases go to it. */
  executor: boolean;
}

interface PendingLease {
  toolUse: ToolUse;
  messageId: string;
  resolve: (run: Record<string, unknown>) => void;
  sent: boolean;
}

interface QueuedMessage {
  messageId: string;
  content: unknown[];
  agentMode: string;
}

/** Events that carry a sequence number and are replayed on `client_resume`. */
const MAX_TURN_STEPS = 200;

/**
 * A thread actor: the agent loop for one Amp thread. Holds the attached sockets, the executor's bootstrap
 * state (tools, environment, guidance), the queue of user messages, and the tool leases of the running turn.
 * User messages wait in the queue until the executor's bootstrap is complete, so no inference runs without
 * tools; the durable state (messages, seq) lives in the store after every message.
 */
export class ThreadActor {
  readonly conns = new Set<Conn>();
  private tools = new Map<string, ExecutorTool>();
  /** The stored history as canonical messages, extended as messages are added (the history only grows). */
  private readonly canonical: Message[] = [];
  private converted = 0;
  /** The canonical tool list, kept (and marked stable) while the registered tools stay the same. */
  private toolList: { withHosted: boolean; tools: ToolDefinition[] } | undefined;
  private bootstrapped = false;
  private environment: EnvironmentInfo | undefined;
  private guidance = new Map<string, GuidanceFile>();
  private guidanceStaging = new Map<string, GuidanceFile[]>();
  private readonly queue: QueuedMessage[] = [];
  private running: AbortController | undefined;
  private readonly leases = new Map<string, PendingLease>();
  private agentState: Record<string, unknown> = { state: 'idle' };
  /** Resolves when the running turn (if any) has fully stopped. */
  private loop: Promise<void> | undefined;

  constructor(
    private readonly app: App,
    private readonly store: ThreadStore,
    readonly record: ThreadRecord,
  ) {}

  get id(): string {
    return this.record.id;
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  // ---- sockets ----

  attach(conn: Conn): void {
    this.conns.add(conn);
  }

  detach(conn: Conn): void {
    this.conns.delete(conn);
    if (conn.executor) {
      // Leases already sent to this executor are re-sent to the next one.
      for (const l of this.leases.values()) l.sent = false;
      if (![...this.conns].some((c) => c.executor)) this.bootstrapped = false;
    }
    // Nobody left to see the answer (CLI closed, killed): stop spending tokens on it.
    if (this.conns.size === 0) this.cancel('all clients disconnected');
  }

  private emit(type: string, params: Record<string, unknown>): void {
    const frame = JSON.stringify({ jsonrpc: '2.0', method: type, params });
    for (const c of this.conns) c.send(frame);
  }

  private sendTo(conn: Conn, type: string, params: Record<string, unknown>): void {
    conn.send(JSON.stringify({ jsonrpc: '2.0', method: type, params }));
  }

  private setAgentState(params: Record<string, unknown>): void {
    this.agentState = params;
    this.emit('agent_state', params);
  }

  // ---- executor bootstrap ----

  executorConnect(conn: Conn, params: Record<string, unknown>): void {
    for (const c of this.conns) c.executor = false;
    conn.executor = true;
    this.bootstrapped = false;
    this.tools.clear();
    this.toolList = undefined;
    const env = (params.capabilities as { environment?: EnvironmentInfo } | undefined)?.environment;
    if (env && typeof env === 'object') this.environment = env;
    this.sendTo(conn, 'executor_connected', {
      executorId: `executor-${conn.id}`,
      registeredToolCount: 0,
      guidanceInventory: [],
      resumeBootstrap: false,
    });
  }

  environmentSnapshot(params: Record<string, unknown>): void {
    if (params.environment && typeof params.environment === 'object') this.environment = params.environment as EnvironmentInfo;
  }

  guidanceSnapshot(params: Record<string, unknown>): void {
    const id = String(params.snapshotId ?? '');
    const files = Array.isArray(params.files) ? (params.files as GuidanceFile[]) : [];
    const staged = this.guidanceStaging.get(id) ?? [];
    staged.push(...files.filter((f) => f && typeof f.uri === 'string'));
    if (params.isLast === false) {
      this.guidanceStaging.set(id, staged);
      return;
    }
    this.guidanceStaging.delete(id);
    this.guidance = new Map(staged.map((f) => [f.uri, f]));
  }

  registerTools(params: Record<string, unknown>): void {
    const tools = Array.isArray(params.tools) ? (params.tools as ExecutorTool[]) : [];
    for (const t of tools) if (t && typeof t.name === 'string') this.tools.set(t.name, t);
    this.toolList = undefined;
  }

  unregisterTools(params: Record<string, unknown>): void {
    for (const n of Array.isArray(params.toolNames) ? params.toolNames : []) this.tools.delete(String(n));
    this.toolList = undefined;
  }

  /**
   * This turn's history: only messages added since the last turn are converted; the rest is copied as a list of
   * references (visiting every stored message each turn costs more than the conversion it would save).
   */
  private canonicalHistory(): Message[] {
    const stored = this.record.messages;
    if (this.converted < stored.length) {
      for (const m of toCanonicalMessages(stored.slice(this.converted))) this.canonical.push(m);
      this.converted = stored.length;
    }
    return this.canonical.slice();
  }

  /** Tools for this turn's request: the same (stable) list every turn until the executor's tools change. */
  private canonicalTools(withHosted: boolean): ToolDefinition[] {
    if (this.toolList?.withHosted !== withHosted) this.toolList = { withHosted, tools: markStable(toolDefinitions(this.tools.values(), withHosted)) };
    return this.toolList.tools;
  }

  bootstrapComplete(): void {
    this.bootstrapped = true;
    this.resendLeases();
    this.pump();
  }

  // ---- client requests ----

  /** Replay what a reconnecting client missed: messages after `version`, then the live agent state. */
  resume(conn: Conn, version: number): void {
    for (const m of this.record.messages) if (m.seq > version) this.sendTo(conn, 'message_added', { message: publicMessage(m.message), seq: m.seq });
    if (this.running) this.sendTo(conn, 'agent_state', this.agentState);
  }

  appendUserMessage(params: Record<string, unknown>): void {
    const content = Array.isArray(params.content) ? params.content : [];
    const agentMode = typeof params.agentMode === 'string' && params.agentMode ? params.agentMode : this.record.agentMode;
    this.queue.push({ messageId: params.messageId as string, content, agentMode });
    this.pump();
  }

  cancel(reason: string): void {
    if (!this.running) return;
    this.app.log.info({ thread: this.id, reason }, 'amp thread turn cancelled');
    this.queue.length = 0;
    this.running.abort(new Error(reason));
  }

  /** A tool result from the executor; false when no lease is open for that call. */
  toolResult(params: Record<string, unknown>): boolean {
    const lease = this.leases.get(params.toolCallId as string);
    if (!lease) return false;
    this.leases.delete(lease.toolUse.id);
    const run = params.run && typeof params.run === 'object' ? (params.run as Record<string, unknown>) : { status: 'error', error: { message: 'malformed tool result' } };
    lease.resolve(run);
    return true;
  }

  knowsLease(toolCallId: unknown): boolean {
    return typeof toolCallId === 'string' && this.leases.has(toolCallId);
  }

  /** Stop the running turn and wait for it to wind down (server shutdown). */
  async stop(): Promise<void> {
    this.cancel('server stopping');
    await this.loop;
  }

  // ---- the loop ----

  private pump(): void {
    if (this.running || !this.bootstrapped || this.queue.length === 0) return;
    const controller = new AbortController();
    this.running = controller;
    this.loop = this.runQueue(controller.signal).finally(() => {
      this.running = undefined;
      for (const l of this.leases.values()) l.resolve({ status: 'cancelled' });
      this.leases.clear();
      this.setAgentState({ state: 'idle' });
      // Messages that arrived while a cancelled turn wound down start a fresh one.
      this.pump();
    });
  }

  private async runQueue(signal: AbortSignal): Promise<void> {
    while (this.queue.length > 0 && !signal.aborted) {
      const msg = this.queue.shift()!;
      this.record.agentMode = msg.agentMode;
      this.addMessage({ role: 'user', messageId: msg.messageId, threadId: this.id, content: msg.content, agentMode: msg.agentMode });
      if (!this.record.title) this.record.title = titleOf(msg.content);
      this.setAgentState({ state: 'working' });
      try {
        await this.runTurn(msg.agentMode, signal);
      } catch (err) {
        if (signal.aborted) return;
        const e = err as InferenceError;
        this.app.log.warn({ thread: this.id, err: e.message, status: e.status }, 'amp thread turn failed');
        this.record.seq += 1;
        this.emit('error_set', { seq: this.record.seq, error: { message: e.message, code: e.code ?? String(e.status ?? 'error') } });
        this.persist();
        this.queue.length = 0;
        return;
      }
    }
  }

  private async runTurn(mode: string, signal: AbortSignal): Promise<void> {
    const route = routeThreadModel(this.app, mode, this.id);
    if (!route.ok) throw new InferenceError(route.message, 404, 'model_not_found');
    const cfg = this.app.config.current.ampcode;
    const prompt = await loadAgentPrompt(cfg['system-prompt-file']);
    for (let step = 0; step < MAX_TURN_STEPS; step++) {
      const messageId = newMessageId();
      const request: CanonicalRequest = {
        model: route.requested,
        system: systemParts(prompt, this.environment, [...this.guidance.values()]),
        messages: this.canonicalHistory(),
        tools: this.canonicalTools(cfg['upstream-url'] !== ''),
        stream: true,
        maxOutputTokens: 32_000,
      };
      this.setAgentState({ state: 'streaming', messageId });
      const result = await runInference(this.app, {
        request,
        routeModel: route.routeModel,
        reportedModel: route.requested,
        threadId: this.id,
        messageId,
        signal,
        emit: (type, params) => this.emit(type, params),
      });
      if (signal.aborted) return;
      this.addMessage({
        role: 'assistant',
        messageId,
        threadId: this.id,
        content: result.content.map(stripPrivate),
        state: { type: 'complete', stopReason: result.stopReason },
        ...(result.usage ? { usage: result.usage } : {}),
      }, result.content);
      if (result.toolUses.length === 0) return;

      this.setAgentState({ state: 'running_tools' });
      // Parallel calls are leased together; the turn continues when every result is in.
      const runs = await Promise.all(result.toolUses.map((t) => this.lease(t, messageId)));
      if (signal.aborted) return;
      this.addMessage({
        role: 'user',
        messageId: newMessageId(),
        threadId: this.id,
        content: result.toolUses.map((t, i) => ({ type: 'tool_result', toolUseID: t.id, run: runs[i] })),
      });
      this.setAgentState({ state: 'working' });
    }
    throw new InferenceError(`the turn stopped after ${MAX_TURN_STEPS} model calls`, 508, 'turn_too_long');
  }

  private lease(toolUse: ToolUse, messageId: string): Promise<Record<string, unknown>> {
    return new Promise((resolve) => {
      const lease: PendingLease = { toolUse, messageId, resolve, sent: false };
      this.leases.set(toolUse.id, lease);
      this.sendLease(lease);
    });
  }

  private sendLease(lease: PendingLease): void {
    const executor = [...this.conns].find((c) => c.executor);
    if (!executor || !this.bootstrapped) return;
    lease.sent = true;
    this.sendTo(executor, 'tool_lease', { toolCallId: lease.toolUse.id, toolName: lease.toolUse.name, args: lease.toolUse.input, messageId: lease.messageId });
  }

  private resendLeases(): void {
    for (const l of this.leases.values()) if (!l.sent) this.sendLease(l);
  }

  /** Store a message under the next seq, persist the thread, announce it. `raw` keeps private fields in the store. */
  private addMessage(message: Record<string, unknown>, raw?: unknown[]): void {
    this.record.seq += 1;
    const seq = this.record.seq;
    const stored = { seq, message: raw ? { ...message, content: raw } : message };
    this.record.messages.push(stored);
    this.record.updated = Date.now();
    this.store.appendMessage(this.record, stored);
    this.emit('message_added', { message, seq });
  }

  persist(): void {
    this.record.updated = Date.now();
    this.store.put(this.record);
  }
}

/** A stored message as sent to clients (no private fields). */
export function publicMessage(m: Record<string, unknown>): Record<string, unknown> {
  if (m.role !== 'assistant' || !Array.isArray(m.content)) return m;
  return { ...m, content: (m.content as Array<Record<string, unknown>>).map(stripPrivate) };
}

function stripPrivate(b: Record<string, unknown>): Record<string, unknown> {
  if (!('_family' in b)) return b;
  const { _family: _drop, ...rest } = b;
  return rest;
}

function titleOf(content: unknown[]): string {
  for (const b of content as Array<Record<string, unknown>>) if (b?.type === 'text' && typeof b.text === 'string') return b.text.trim().split('\n')[0]!.slice(0, 80);
  return '';
}
