import type { Executor, PrepareInput, UpstreamRequest } from './types.js';
import { serializeBody } from '../util/frozen-json.js';
import { bearer, joinUrl } from './types.js';
import { sessionOf, CredentialUnavailableError } from '../credentials/session.js';

export const IFLOW_BASE_URL = 'https://apis.iflow.cn/v1';

const NOOP_TOOL = {
  type: 'function',
  function: { name: 'noop', description: 'Placeholder tool; never call it.', parameters: { type: 'object', properties: {} } },
};

/**
 * iFlow: OpenAI Chat Completions authorised by the `api_key` the login (or cookie) obtained — not the OAuth
 * access token. The key is renewed by the refresh grant before it expires.
 */
export const iflowExecutor: Executor = {
  kind: 'iflow',
  format: 'openai-chat',
  supportsNonStream: true,
  supportsCountTokens: false,
  async prepare({ credential, body, upstreamModel, stream }: PrepareInput): Promise<UpstreamRequest> {
    const session = sessionOf(credential);
    // The session's token for iFlow is the API key; token() renews it (OAuth or cookie) when it has expired.
    const key = session ? await session.token() : credential.apiKey;
    if (!key) throw new CredentialUnavailableError(`credential ${credential.id} has no iFlow api_key`);
    const out: Record<string, unknown> = { ...body, model: upstreamModel };
    if (stream) {
      out.stream = true;
      // An explicitly empty tools list breaks iFlow's streaming; a placeholder tool avoids it (SPEC 3.6).
      if (Array.isArray(out.tools) && out.tools.length === 0) out.tools = [NOOP_TOOL];
    } else out.stream = undefined; // absent on the wire; `delete` would turn the object into a slow dictionary
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: stream ? 'text/event-stream' : 'application/json',
      'user-agent': 'iFlow-Cli',
      authorization: bearer(key),
    };
    Object.assign(headers, credential.headers);
    return { url: joinUrl(credential.baseUrl || IFLOW_BASE_URL, '/chat/completions'), method: 'POST', headers, body: serializeBody(out) };
  },
};
