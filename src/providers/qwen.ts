import type { Executor, PrepareInput, UpstreamRequest } from './types.js';
import { serializeBody } from '../util/frozen-json.js';
import { bearer, joinUrl } from './types.js';
import { sessionOf } from '../credentials/session.js';

export const QWEN_BASE_URL = 'https://portal.qwen.ai/v1';

/** `resource_url` from the token names the API host (`portal.qwen.ai`); a file `base_url` wins. */
export function qwenBase(baseUrl: string | undefined, resourceUrl: unknown): string {
  if (baseUrl) return baseUrl;
  if (typeof resourceUrl === 'string' && resourceUrl.trim()) {
    const r = resourceUrl.trim().replace(/\/+$/, '');
    const withScheme = /^https?:\/\//.test(r) ? r : `https://${r}`;
    return withScheme.endsWith('/v1') ? withScheme : `${withScheme}/v1`;
  }
  return QWEN_BASE_URL;
}

/** Placeholder tool: Qwen's streaming misbehaves when a request has no tools (SPEC 3.6). */
const DUMMY_TOOL = {
  type: 'function',
  function: { name: 'do_not_call_me', description: 'Do not call this tool under any circumstances.', parameters: { type: 'object', properties: {} } },
};

/** Qwen Code (chat.qwen.ai OAuth): OpenAI Chat Completions on the portal, with the Qwen CLI's headers. */
export const qwenExecutor: Executor = {
  kind: 'qwen',
  format: 'openai-chat',
  supportsNonStream: true,
  supportsCountTokens: false,
  async prepare({ credential, body, upstreamModel, stream }: PrepareInput): Promise<UpstreamRequest> {
    const session = sessionOf(credential);
    const token = session ? await session.token() : credential.apiKey;
    const out: Record<string, unknown> = { ...body, model: upstreamModel };
    if (stream) {
      out.stream = true;
      out.stream_options = { ...((out.stream_options as object) ?? {}), include_usage: true };
      if (!Array.isArray(out.tools) || out.tools.length === 0) out.tools = [DUMMY_TOOL];
    } else out.stream = undefined; // absent on the wire; `delete` would turn the object into a slow dictionary
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: stream ? 'text/event-stream' : 'application/json',
      'user-agent': 'google-api-nodejs-client/9.15.1',
      'x-goog-api-client': 'gl-node/22.17.0',
      'client-metadata': 'ideType=IDE_UNSPECIFIED,platform=PLATFORM_UNSPECIFIED,pluginType=GEMINI',
    };
    if (token) headers.authorization = bearer(token);
    Object.assign(headers, credential.headers);
    const base = qwenBase(credential.baseUrl, session?.meta.resource_url);
    return { url: joinUrl(base, '/chat/completions'), method: 'POST', headers, body: serializeBody(out) };
  },
};
