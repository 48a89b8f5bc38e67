import type { Executor, PrepareInput, UpstreamRequest } from './types.js';
import { serializeBody } from '../util/frozen-json.js';
import { bearer, joinUrl } from './types.js';
import { splitEffortSuffix } from './model-lists.js';
import { sessionOf } from '../credentials/session.js';
import { codexOAuthRequest, foldResponsesSse } from './codex-oauth.js';

export const OPENAI_BASE_URL = 'https://api.openai.com/v1';

/**
 * OpenAI Responses. API key (`codex-api-key`): the public API, streaming as the caller asks.
 * OAuth (a `codex-*.json` ChatGPT login): the ChatGPT backend, always streamed upstream with the Codex CLI's
 * headers; a non-stream caller's answer is folded from the stream by `unwrapBody`.
 */
export const codexExecutor: Executor = {
  kind: 'codex',
  format: 'openai-responses',
  supportsNonStream: true,
  supportsCountTokens: false,
  async prepare({ credential, body, upstreamModel, stream, clientHeaders }: PrepareInput): Promise<UpstreamRequest> {
    const { base: model, effort } = splitEffortSuffix(upstreamModel);
    const session = sessionOf(credential);
    if (session && !credential.apiKey) {
      const token = await session.token();
      return codexOAuthRequest({ credential, body, upstreamModel, stream, operation: 'generate', clientHeaders }, model, effort, token, session);
    }
    const out: Record<string, unknown> = { ...body, model };
    if (effort) out.reasoning = { ...((out.reasoning as object | undefined) ?? {}), effort };
    if (stream) out.stream = true;
    else out.stream = undefined; // absent on the wire; `delete` would turn the object into a slow dictionary
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: stream ? 'text/event-stream' : 'application/json',
    };
    if (credential.apiKey) headers.authorization = bearer(credential.apiKey);
    Object.assign(headers, credential.headers);
    return { url: joinUrl(credential.baseUrl || OPENAI_BASE_URL, '/responses'), method: 'POST', headers, body: serializeBody(out) };
  },
  unwrapBody: foldResponsesSse,
};
