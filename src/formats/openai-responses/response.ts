/** Non-stream Response bodies, both directions. */
import type { AssistantPart, CanonicalResponse } from '../../ir/index.js';
import type { EncodeContext } from '../types.js';
import {
  customCallItem,
  finishResponse,
  functionCallItem,
  messageItem,
  newCustomCallId,
  newFunctionCallId,
  newMessageId,
  newReasoningId,
  outputText,
  reasoningItem,
  responseIdFrom,
  responseObject,
} from './items.js';
import {
  argumentsToCustomInput,
  customInputToArguments,
  customToolNames,
  finishFromWire,
  isObject,
  num,
  packEncrypted,
  reasoningItemText,
  str,
  unpackEncrypted,
  usageFromWire,
  type Json,
} from './wire.js';

export function decodeResponse(body: Record<string, unknown>): CanonicalResponse {
  const content: AssistantPart[] = [];
  let sawToolCall = false;
  const output = Array.isArray(body.output) ? body.output : [];
  for (const item of output) {
    if (!isObject(item)) continue;
    switch (item.type) {
      case 'message':
        if (Array.isArray(item.content)) {
          for (const c of item.content) {
            if (!isObject(c)) continue;
            if (c.type === 'output_text' && typeof c.text === 'string') content.push({ type: 'text', text: c.text });
            else if (c.type === 'refusal' && typeof c.refusal === 'string') content.push({ type: 'text', text: c.refusal });
          }
        }
        break;
      case 'reasoning': {
        const enc = str(item.encrypted_content);
        const unpacked = enc ? unpackEncrypted(enc) : undefined;
        const part: AssistantPart = { type: 'reasoning', text: reasoningItemText(item), family: unpacked?.family ?? 'openai' };
        if (unpacked?.signature) part.signature = unpacked.signature;
        if (unpacked?.redactedData) part.redactedData = unpacked.redactedData;
        const id = str(item.id);
        if (id) part.itemId = id;
        content.push(part);
        break;
      }
      case 'function_call':
      case 'custom_tool_call': {
        const id = str(item.call_id) ?? str(item.id) ?? '';
        const args =
          item.type === 'custom_tool_call'
            ? customInputToArguments(str(item.input) ?? '')
            : typeof item.arguments === 'string' && item.arguments !== ''
              ? item.arguments
              : '{}';
        content.push({ type: 'tool-call', id, name: str(item.name) ?? '', arguments: args });
        sawToolCall = true;
        break;
      }
      default:
        // Hosted-tool items (web_search_call, ...) have no canonical form.
        break;
    }
  }
  const incomplete = isObject(body.incomplete_details) ? str(body.incomplete_details.reason) : undefined;
  const finish = finishFromWire(str(body.status), incomplete, sawToolCall);
  const res: CanonicalResponse = {
    id: str(body.id) ?? '',
    model: str(body.model) ?? '',
    content,
    finishReason: finish.reason,
    created: num(body.created_at) ?? Math.floor(Date.now() / 1000),
  };
  if (finish.raw !== undefined) res.rawFinishReason = finish.raw;
  const usage = usageFromWire(body.usage);
  if (usage) res.usage = usage;
  return res;
}

export function encodeResponse(res: CanonicalResponse, ctx: EncodeContext): Record<string, unknown> {
  const custom = customToolNames(ctx.request);
  const output: Json[] = [];
  let textRun: Json[] | undefined;
  for (const p of res.content) {
    if (p.type === 'text') {
      // Consecutive text parts share one message item, as OpenAI itself would produce them.
      if (!textRun) {
        const item = messageItem(newMessageId(), [], 'completed');
        textRun = item.content as Json[];
        output.push(item);
      }
      textRun.push(outputText(p.text));
      continue;
    }
    if (p.type === 'image') continue; // Responses output has no assistant image item for non-hosted tools.
    textRun = undefined;
    if (p.type === 'reasoning') {
      const enc = packEncrypted(p.family, p.signature, p.redactedData);
      if (!p.text && enc === undefined) continue;
      const id = p.itemId ?? newReasoningId();
      output.push(reasoningItem(id, p.text, enc));
    } else if (custom.has(p.name)) {
      output.push(customCallItem(newCustomCallId(), p.id, p.name, argumentsToCustomInput(p.arguments), 'completed'));
    } else {
      output.push(functionCallItem(newFunctionCallId(), p.id, p.name, p.arguments || '{}', 'completed'));
    }
  }
  const body = responseObject(ctx, responseIdFrom(res.id), res.created, 'completed');
  return finishResponse(body, res.finishReason, res.rawFinishReason, output, res.usage);
}
