import type { AssistantPart, Message, ToolDefinition, UserPart, TextPart, ImagePart } from '../../ir/index.js';
import type { StoredMessage } from './store.js';
import { markStable } from '../../ir/stable.js';

/** A tool as the executor registered it. */
export interface ExecutorTool {
  name: string;
  description?: string;
  inputSchema?: Record<string, unknown>;
}

/** Executor tools that only work with Amp's hosted services (web search, web pages, thread files/search). */
export const HOSTED_TOOLS = new Set(['web_search', 'read_web_page', 'download_thread_changes', 'download_thread_file', 'upload_thread_file', 'find_thread']);

/** Executor tools → canonical tool definitions; hosted tools only when an Amp upstream exists to serve them. */
export function toolDefinitions(tools: Iterable<ExecutorTool>, withHosted: boolean): ToolDefinition[] {
  const out: ToolDefinition[] = [];
  for (const t of tools) {
    if (!withHosted && HOSTED_TOOLS.has(t.name)) continue;
    const schema = t.inputSchema && typeof t.inputSchema === 'object' ? t.inputSchema : { type: 'object', properties: {} };
    out.push({ name: t.name, description: t.description ?? '', parameters: schema });
  }
  return out;
}

type Block = Record<string, any>;

/**
 * The thread's Amp messages → canonical conversation. Tool-use ids are the thread's `TU-` ids, which every
 * upstream accepts as call ids, so no per-upstream id table is needed; reasoning is kept only with its
 * signature and provider family (a signature is only valid where it was made). Stored messages never change
 * once appended and the thread keeps their conversions (ThreadActor), so the results are marked stable: encoders
 * may cache their wire forms for the following turns.
 */
export function toCanonicalMessages(stored: readonly StoredMessage[]): Message[] {
  const out: Message[] = [];
  for (const m of stored) {
    const c = convertOne(m);
    if (c) out.push(markStable(c));
  }
  return out;
}

function convertOne({ message }: StoredMessage): Message | null {
  {
    const content = Array.isArray(message.content) ? (message.content as Block[]) : [];
    if (message.role === 'user') {
      const parts: UserPart[] = [];
      for (const b of content) {
        if (b.type === 'text' && typeof b.text === 'string' && b.text) parts.push({ type: 'text', text: b.text });
        else if (b.type === 'image' && b.source?.type === 'base64') parts.push({ type: 'image', source: { kind: 'base64', mediaType: b.source.mediaType, data: b.source.data } });
        else if (b.type === 'tool_result' && typeof b.toolUseID === 'string') parts.push(toolResultPart(b));
      }
      return parts.length ? { role: 'user', content: parts.slice() } : null; // exact length: kept for the thread's life
    } else if (message.role === 'assistant') {
      const parts: AssistantPart[] = [];
      for (const b of content) {
        if (b.type === 'text' && typeof b.text === 'string' && b.text) parts.push({ type: 'text', text: b.text });
        else if (b.type === 'thinking' && b.signature && b._family) parts.push({ type: 'reasoning', text: b.thinking ?? '', signature: b.signature, family: b._family });
        else if (b.type === 'tool_use') parts.push({ type: 'tool-call', id: b.id, name: b.name, arguments: JSON.stringify(b.input ?? {}) });
      }
      return parts.length ? { role: 'assistant', content: parts.slice() } : null;
    }
  }
  return null;
}

function toolResultPart(b: Block): UserPart {
  const run = (b.run ?? {}) as Block;
  const isError = run.status !== 'done';
  let value: unknown = run.status === 'done' ? run.result : (run.error ?? (run.status === 'cancelled' ? 'The tool call was cancelled.' : run.result));
  if (value && typeof value === 'object' && !Array.isArray(value) && typeof (value as Block).message === 'string' && isError) value = (value as Block).message;
  const content: Array<TextPart | ImagePart> = [];
  if (typeof value === 'string') content.push({ type: 'text', text: value });
  else if (value === undefined || value === null) content.push({ type: 'text', text: isError ? `tool ${run.status ?? 'failed'}` : '(no output)' });
  else content.push({ type: 'text', text: JSON.stringify(value) });
  return { type: 'tool-result', callId: b.toolUseID, content, ...(isError ? { isError: true } : {}) };
}
