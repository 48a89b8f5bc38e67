import type { Executor, PrepareInput, UpstreamRequest } from './types.js';
import { serializeBody } from '../util/frozen-json.js';
import { joinUrl } from './types.js';
import { sessionOf } from '../credentials/session.js';
import { vertexServiceAccountRequest } from './vertex-sa.js';

export const GEMINI_BASE_URL = 'https://generativelanguage.googleapis.com';

/** Fields a client may put in a Gemini body that Google rejects as unknown. */
function geminiBody(body: Record<string, unknown>): string | Buffer {
  if (!('model' in body) && !('stream' in body)) return serializeBody(body);
  const { model: _m, stream: _s, ...rest } = body;
  return serializeBody(rest);
}

export function geminiMethodPath(model: string, stream: boolean, operation: PrepareInput['operation']): string {
  const m = encodeURIComponent(model);
  if (operation === 'count-tokens') return `${m}:countTokens`;
  return stream ? `${m}:streamGenerateContent?alt=sse` : `${m}:generateContent`;
}

/** Google AI Studio (Generative Language API) with an API key. */
export const geminiExecutor: Executor = {
  kind: 'gemini',
  format: 'gemini',
  supportsNonStream: true,
  supportsCountTokens: true,
  async prepare({ credential, body, upstreamModel, stream, operation }: PrepareInput): Promise<UpstreamRequest> {
    const base = credential.baseUrl || GEMINI_BASE_URL;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (credential.apiKey) headers['x-goog-api-key'] = credential.apiKey;
    Object.assign(headers, credential.headers);
    const url = joinUrl(base, `/v1beta/models/${geminiMethodPath(upstreamModel, stream, operation)}`);
    return { url, method: 'POST', headers, body: geminiBody(operation === 'count-tokens' ? countBody(body) : body) };
  },
};

/** countTokens takes `contents` (plus optional generateContentRequest); drop generation-only fields. */
export function countBody(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (body.contents !== undefined) out.contents = body.contents;
  if (body.generateContentRequest !== undefined) out.generateContentRequest = body.generateContentRequest;
  return out;
}

/** Vertex AI with an API key (express mode): `{base}/v1/publishers/google/models/{model}:{action}`. */
export const vertexExecutor: Executor = {
  kind: 'vertex',
  format: 'gemini',
  supportsNonStream: true,
  supportsCountTokens: true,
  async prepare({ credential, body, upstreamModel, stream, operation, clientHeaders }: PrepareInput): Promise<UpstreamRequest> {
    const session = sessionOf(credential);
    if (session && !credential.apiKey) return vertexServiceAccountRequest({ credential, body, upstreamModel, stream, operation, clientHeaders }, session);
    const base = credential.baseUrl || 'https://aiplatform.googleapis.com';
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (credential.apiKey) headers['x-goog-api-key'] = credential.apiKey;
    Object.assign(headers, credential.headers);
    const url = joinUrl(base, `/v1/publishers/google/models/${geminiMethodPath(upstreamModel, stream, operation)}`);
    return { url, method: 'POST', headers, body: geminiBody(operation === 'count-tokens' ? countBody(body) : body) };
  },
};
