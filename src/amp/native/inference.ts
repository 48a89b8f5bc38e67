import type { App } from '../../app.js';
import type { CanonicalRequest, Usage } from '../../ir/index.js';
import { callCanonical, CanonicalCallError } from '../../pipeline/canonical-call.js';
import { executorFor } from '../../providers/index.js';
import { newToolUseId } from './ids.js';

type Block = Record<string, unknown>;

export interface ToolUse {
  id: string;
  name: string;
  input: Record<string, unknown>;
}

export interface InferenceResult {
  content: Block[];
  toolUses: ToolUse[];
  stopReason: string;
  usage?: Record<string, unknown>;
}

/** The upstream failed before or while answering; `status` as HTTP would say it. */
export class InferenceError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
  ) {
    super(message);
  }
}

export interface InferenceInput {
  request: CanonicalRequest;
  /** Model to route (after mapping) and the name reported in usage. */
  routeModel: string;
  reportedModel: string;
  threadId: string;
  messageId: string;
  signal: AbortSignal;
  /** Send one event to the thread's clients. */
  emit: (type: string, params: Record<string, unknown>) => void;
}

const STOP_REASON: Record<string, string> = { stop: 'end_turn', length: 'max_tokens', 'tool-calls': 'tool_use', 'content-filter': 'refusal', error: 'error', other: 'end_turn' };

/**
 * One model call of the agent loop: streams text and thinking to the CLI as `delta` events as they arrive,
 * collects tool calls (under fresh `TU-` ids) and returns the assistant content in Amp's block shapes.
 */
export async function runInference(app: App, input: InferenceInput): Promise<InferenceResult> {
  const content: Block[] = [];
  const index = new Map<string, number>();
  const toolArgs = new Map<string, string>();
  const toolUses: ToolUse[] = [];
  let usage: Usage | undefined;
  let finish = 'stop';
  let family: string | undefined;
  const delta = (blockIndex: number, block: Block) =>
    input.emit('delta', { messageId: input.messageId, role: 'assistant', blocks: [block], blockIndex, state: 'generating' });

  const events = callCanonical(app, input.request, {
    model: input.routeModel,
    signal: input.signal,
    sessionId: input.threadId,
    onCredential: (label, attempts) => {
      const kind = app.router.registry.candidates(input.routeModel).find((c) => c.credential.label === label)?.credential.kind;
      const format = kind ? executorFor(kind)?.format : undefined;
      family = format === 'anthropic' ? 'anthropic' : format === 'gemini' ? 'gemini' : format ? 'openai' : undefined;
      app.log.info({ thread: input.threadId, model: input.reportedModel, routed: input.routeModel, credential: label, attempts }, 'amp thread model call');
    },
  });
  try {
    for await (const ev of events) {
      switch (ev.type) {
        case 'text-start':
          index.set(ev.id, content.push({ type: 'text', text: '' }) - 1);
          break;
        case 'text-delta': {
          let i = index.get(ev.id);
          if (i === undefined) index.set(ev.id, (i = content.push({ type: 'text', text: '' }) - 1));
          (content[i] as { text: string }).text += ev.text;
          if (ev.text) delta(i, { type: 'text', text: ev.text });
          break;
        }
        case 'reasoning-start':
          index.set(ev.id, content.push({ type: 'thinking', thinking: '', signature: '' }) - 1);
          break;
        case 'reasoning-delta': {
          let i = index.get(ev.id);
          if (i === undefined) index.set(ev.id, (i = content.push({ type: 'thinking', thinking: '', signature: '' }) - 1));
          (content[i] as { thinking: string }).thinking += ev.text;
          if (ev.text) delta(i, { type: 'thinking', thinking: ev.text });
          break;
        }
        case 'reasoning-signature': {
          const i = index.get(ev.id);
          if (i !== undefined) {
            content[i]!.signature = ev.signature;
            if (family) content[i]!._family = family;
          }
          break;
        }
        case 'tool-call-start': {
          const id = newToolUseId();
          index.set(ev.id, content.push({ type: 'tool_use', id, name: ev.name, input: {}, complete: true }) - 1);
          toolArgs.set(ev.id, '');
          break;
        }
        case 'tool-call-delta':
          toolArgs.set(ev.id, (toolArgs.get(ev.id) ?? '') + ev.argumentsDelta);
          break;
        case 'tool-call-end': {
          const i = index.get(ev.id);
          if (i === undefined) break;
          const block = content[i]!;
          block.input = parseArgs(toolArgs.get(ev.id) ?? '');
          toolUses.push({ id: block.id as string, name: block.name as string, input: block.input as Record<string, unknown> });
          break;
        }
        case 'usage':
          usage = ev.usage;
          break;
        case 'finish':
          finish = ev.reason;
          if (ev.usage) usage = ev.usage;
          break;
        case 'error':
          throw new InferenceError(ev.error.message, ev.error.status ?? 502, ev.error.code);
        default:
          break;
      }
    }
  } catch (err) {
    if (err instanceof CanonicalCallError) throw new InferenceError(err.message, err.status, err.code);
    throw err;
  }
  // A tool call the stream never closed still counts once it has a name.
  for (const [id, i] of index) {
    const block = content[i]!;
    if (block.type === 'tool_use' && !toolUses.some((t) => t.id === block.id)) {
      block.input = parseArgs(toolArgs.get(id) ?? '');
      toolUses.push({ id: block.id as string, name: block.name as string, input: block.input as Record<string, unknown> });
    }
  }
  const kept = content.filter((b) => !(b.type === 'text' && b.text === '') && !(b.type === 'thinking' && b.thinking === '' && !b.signature));
  return {
    content: kept,
    toolUses,
    stopReason: toolUses.length ? 'tool_use' : (STOP_REASON[finish] ?? 'end_turn'),
    usage: usage ? ampUsage(usage, input.reportedModel) : undefined,
  };
}

/** Amp's usage object: exactly these fields (a partial object makes the frame undecodable). */
export function ampUsage(u: Usage, model: string): Record<string, unknown> {
  const cacheRead = u.cachedInputTokens ?? 0;
  const cacheWrite = u.cacheWriteTokens ?? 0;
  return {
    model,
    maxInputTokens: 200_000,
    inputTokens: Math.max(0, u.inputTokens - cacheRead - cacheWrite),
    outputTokens: u.outputTokens,
    cacheCreationInputTokens: cacheWrite,
    cacheReadInputTokens: cacheRead,
    totalInputTokens: u.inputTokens,
    timestamp: new Date().toISOString(),
  };
}

function parseArgs(text: string): Record<string, unknown> {
  if (!text.trim()) return {};
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
  } catch {
    return { _raw: text };
  }
}
