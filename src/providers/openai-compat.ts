import type { Executor, PrepareInput, UpstreamRequest } from './types.js';
import { serializeBody } from '../util/frozen-json.js';
import { bearer, joinUrl } from './types.js';

/** Any OpenAI-compatible Chat Completions service (OpenRouter, local servers, ...). */
export const openAICompatExecutor: Executor = {
  kind: 'openai-compat',
  format: 'openai-chat',
  supportsNonStream: true,
  supportsCountTokens: false,
  prepare({ credential, body, upstreamModel, stream }: PrepareInput): UpstreamRequest {
    const out: Record<string, unknown> = { ...body, model: upstreamModel };
    if (stream) out.stream = true;
    else out.stream = undefined; // absent on the wire; `delete` would turn the object into a slow dictionary
    // Authorization and User-Agent, as CLIProxyAPI sends (SPEC 3.1): an OpenAI-compatible service picks JSON or
    // SSE from the body's `stream`, so no Accept.
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'cliproxy-openai-compat' };
    if (credential.apiKey) headers.authorization = bearer(credential.apiKey);
    Object.assign(headers, credential.headers);
    return { url: joinUrl(credential.baseUrl ?? '', '/chat/completions'), method: 'POST', headers, body: serializeBody(out) };
  },
};
