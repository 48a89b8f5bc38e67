/**
 * Builders for the Response object and its output items, shared by the non-stream encoder and the stream
 * encoder (whose `response.created` / `response.completed` events carry the same object), so both report
 * exactly the fields the openai SDK types declare.
 */
import type { EncodeContext } from '../types.js';
import type { FinishReason, Usage } from '../../ir/index.js';
import { reasoningEffort } from '../shared/reasoning.js';
import { randomId } from '../shared/ids.js';
import { encodeToolChoice, encodeTools } from './tools.js';
import { responsesOptions, statusForFinish, usageToWire, type Json } from './wire.js';

export const newResponseId = (): string => `resp_${randomId(32)}`;
export const newMessageId = (): string => `msg_${randomId(32)}`;
export const newReasoningId = (): string => `rs_${randomId(32)}`;
export const newFunctionCallId = (): string => `fc_${randomId(32)}`;
export const newCustomCallId = (): string => `ctc_${randomId(32)}`;

/** Keep an upstream id when it already has the Responses shape, otherwise mint one. */
export function responseIdFrom(id: string | undefined): string {
  return id && id.startsWith('resp_') ? id : newResponseId();
}

export function messageItem(id: string, text: string[], status: 'in_progress' | 'completed'): Json {
  return {
    id,
    type: 'message',
    status,
    role: 'assistant',
    content: text.map((t) => outputText(t)),
  };
}

export function outputText(text: string): Json {
  return { type: 'output_text', text, annotations: [], logprobs: [] };
}

export function reasoningItem(id: string, text: string, encrypted: string | undefined): Json {
  const item: Json = { id, type: 'reasoning', summary: text ? [{ type: 'summary_text', text }] : [] };
  if (encrypted !== undefined) item.encrypted_content = encrypted;
  return item;
}

export function functionCallItem(id: string, callId: string, name: string, args: string, status: 'in_progress' | 'completed'): Json {
  return { id, type: 'function_call', status, arguments: args, call_id: callId, name };
}

export function customCallItem(id: string, callId: string, name: string, input: string, status: 'in_progress' | 'completed'): Json {
  return { id, type: 'custom_tool_call', status, call_id: callId, name, input };
}

/**
 * The Response object with everything but `output` and `usage` filled from the context. Request settings are
 * echoed because SDK types declare them non-optional and some clients read them back.
 */
export function responseObject(
  ctx: EncodeContext,
  id: string,
  createdAt: number,
  status: 'in_progress' | 'completed' | 'incomplete' | 'failed',
): Json {
  const req = ctx.request;
  const opts = responsesOptions(req);
  const f = req?.responseFormat;
  let format: Json = { type: 'text' };
  if (f?.type === 'json') format = { type: 'json_object' };
  else if (f?.type === 'json_schema') format = { type: 'json_schema', name: f.name ?? 'response', schema: f.schema, strict: f.strict ?? false };
  const text: Json = { format };
  if (opts.verbosity) text.verbosity = opts.verbosity;
  return {
    id,
    object: 'response',
    created_at: createdAt,
    status,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: null,
    max_output_tokens: req?.maxOutputTokens ?? null,
    model: ctx.model,
    output: [],
    parallel_tool_calls: req?.parallelToolCalls ?? true,
    previous_response_id: null,
    prompt_cache_key: opts.promptCacheKey ?? null,
    reasoning: {
      effort: reasoningEffort(req?.reasoning) ?? null,
      summary: req?.reasoning?.includeThoughts ? (opts.reasoningSummary ?? 'auto') : null,
    },
    store: opts.store ?? false,
    temperature: req?.temperature ?? 1,
    text,
    tool_choice: req?.toolChoice ? encodeToolChoice(req.toolChoice, req) : 'auto',
    tools: req ? encodeTools(req) : [],
    top_p: req?.topP ?? 1,
    truncation: 'disabled',
    usage: null,
    user: null,
    metadata: {},
  };
}

/** Fill the terminal fields (status, incomplete_details / error, output, usage) of a finished response. */
export function finishResponse(
  res: Json,
  reason: FinishReason,
  rawReason: string | undefined,
  output: Json[],
  usage: Usage | undefined,
): Json {
  const s = statusForFinish(reason);
  res.status = s.status;
  if (s.incomplete) res.incomplete_details = { reason: s.incomplete };
  if (s.status === 'failed') res.error = { code: 'server_error', message: rawReason ?? 'upstream error' };
  res.output = output;
  res.usage = usageToWire(usage);
  return res;
}
