import type { Executor, PrepareInput, UpstreamRequest } from './types.js';
import { serializeBody } from '../util/frozen-json.js';
import { bearer, clientHeader, joinUrl } from './types.js';
import { accessTokenFor } from '../credentials/session.js';
import { unwrapResponseEvent, unwrapResponseJson } from './unwrap.js';

export const GEMINI_CLI_BASE_URL = 'https://cloudcode-pa.googleapis.com';

/** Headers the Gemini CLI sends (SPEC 3.2); a client's own values win. */
const DEFAULT_HEADERS: Record<string, string> = {
  'user-agent': 'google-api-nodejs-client/9.15.1',
  'x-goog-api-client': 'gl-node/22.17.0',
  'client-metadata': 'ideType=IDE_UNSPECIFIED,platform=PLATFORM_UNSPECIFIED,pluginType=GEMINI',
};

export function v1internalPath(stream: boolean, operation: PrepareInput['operation']): string {
  if (operation === 'count-tokens') return '/v1internal:countTokens';
  return stream ? '/v1internal:streamGenerateContent?alt=sse' : '/v1internal:generateContent';
}

/** The inner Gemini request: routing fields a client may put in the body are not part of it. */
export function innerRequest(body: Record<string, unknown>): Record<string, unknown> {
  const { model: _m, stream: _s, ...rest } = body;
  return rest;
}

/**
 * Gemini CLI / Code Assist (Google account OAuth): the Gemini request travels inside
 * `{model, project, request}` to `cloudcode-pa.googleapis.com/v1internal:*`, and answers come back wrapped as
 * `{"response": ...}` (unwrapped here so the pipeline sees plain Gemini).
 */
export const geminiCliExecutor: Executor = {
  kind: 'gemini-cli',
  format: 'gemini',
  supportsNonStream: true,
  supportsCountTokens: true,
  async prepare({ credential, body, upstreamModel, stream, operation, clientHeaders }: PrepareInput): Promise<UpstreamRequest> {
    const token = await accessTokenFor(credential);
    const project = String(credential.attributes.project ?? '');
    const request = innerRequest(body);
    let envelope: Record<string, unknown>;
    if (operation === 'count-tokens') {
      const { safetySettings: _drop, ...rest } = request;
      envelope = { request: rest };
    } else {
      envelope = { model: upstreamModel, project, request };
    }
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: stream ? 'text/event-stream' : 'application/json' };
    for (const [k, v] of Object.entries(DEFAULT_HEADERS)) headers[k] = clientHeader(clientHeaders, k) ?? v;
    // A client's User-Agent is only passed on when it is Google's own client (an SDK's UA would stand out).
    const ua = clientHeader(clientHeaders, 'user-agent');
    headers['user-agent'] = ua && /^(google-api-nodejs-client|GeminiCLI)\//.test(ua) ? ua : DEFAULT_HEADERS['user-agent']!;
    if (token) headers.authorization = bearer(token);
    Object.assign(headers, credential.headers);
    const base = credential.baseUrl || GEMINI_CLI_BASE_URL;
    return { url: joinUrl(base, v1internalPath(stream, operation)), method: 'POST', headers, body: serializeBody(envelope, 'request') };
  },
  unwrapBody: unwrapResponseJson,
  unwrapEvent: unwrapResponseEvent,
};
