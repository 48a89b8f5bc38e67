import type { CanonicalResponse } from '../../ir/index.js';
import type { EncodeContext } from '../types.js';
import { randomId } from '../shared/ids.js';
import { decodeFinish, decodeUsage, encodeFinish, encodeUsage } from './finish.js';
import { decodeModelParts, encodeAssistantParts } from './parts.js';
import { field, isObj, str, type Json } from './wire.js';

/** Gemini-CLI / Code Assist wrap the response as `{response:{...}}`; accept both shapes. */
export function unwrapResponse(body: Json): Json {
  if (!('candidates' in body) && isObj(body.response)) return body.response;
  return body;
}

/** Tool-call id for an upstream functionCall: Gemini's own id when it sent one, else a fresh unique id. */
export function responseCallId(fc: Json): string {
  return str(fc.id) || `call_${randomId(24)}`;
}

export function decodeResponse(raw: Json): CanonicalResponse {
  const body = unwrapResponse(raw);
  const candidates = Array.isArray(body.candidates) ? body.candidates : [];
  const cand = candidates.find(isObj);
  const content = cand && isObj(cand.content) ? cand.content : undefined;
  const parts = content && Array.isArray(content.parts) ? content.parts : [];
  const decoded = decodeModelParts(parts, { callId: responseCallId, merge: true });

  let rawFinish = cand ? str(field(cand, 'finishReason')) : undefined;
  let finishReason = decodeFinish(rawFinish, decoded.some((p) => p.type === 'tool-call'));
  // A blocked prompt has no candidates, only promptFeedback.blockReason.
  const feedback = field(body, 'promptFeedback');
  const blockReason = isObj(feedback) ? str(field(feedback, 'blockReason')) : undefined;
  if (!cand && blockReason) {
    finishReason = 'content-filter';
    rawFinish = blockReason;
  }

  const res: CanonicalResponse = {
    id: str(field(body, 'responseId')) ?? `resp_${randomId(24)}`,
    model: str(field(body, 'modelVersion')) ?? '',
    content: decoded,
    finishReason,
    created: createdFrom(field(body, 'createTime')),
  };
  if (rawFinish) res.rawFinishReason = rawFinish;
  const usage = decodeUsage(field(body, 'usageMetadata'));
  if (usage) res.usage = usage;
  return res;
}

/** Vertex sends `createTime` (RFC 3339); the Gemini API sends nothing, so use now. */
function createdFrom(v: unknown): number {
  if (typeof v === 'string') {
    const t = Date.parse(v);
    if (Number.isFinite(t)) return Math.floor(t / 1000);
  }
  return Math.floor(Date.now() / 1000);
}

export function encodeResponse(res: CanonicalResponse, ctx: EncodeContext): Json {
  const parts = encodeAssistantParts(res.content, { forRequest: false, includeId: () => true });
  const body: Json = {
    candidates: [
      {
        content: { role: 'model', parts },
        finishReason: encodeFinish(res.finishReason, res.rawFinishReason),
        index: 0,
      },
    ],
  };
  if (res.usage) body.usageMetadata = encodeUsage(res.usage);
  body.modelVersion = ctx.model;
  body.responseId = res.id;
  return body;
}
