import type { Executor, PrepareInput, UpstreamRequest } from './types.js';
import { serializeBody } from '../util/frozen-json.js';
import { bearer, clientHeader, joinUrl } from './types.js';
import { sessionOf } from '../credentials/session.js';
import { claudeOAuthRequest } from './claude-oauth.js';

export const ANTHROPIC_BASE_URL = 'https://api.anthropic.com';
const STRUCTURED_OUTPUTS_BETA = 'structured-outputs-2025-11-13';

function isOfficialHost(base: string): boolean {
  try {
    return new URL(base).hostname === 'api.anthropic.com';
  } catch {
    return false;
  }
}

/**
 * Anthropic Messages. API key: `x-api-key` on the official host, Bearer on a custom base-url.
 * OAuth (a `claude-*.json` login): Bearer access token with Claude Code's headers and betas (claude-oauth.ts).
 */
export const claudeExecutor: Executor = {
  kind: 'claude',
  format: 'anthropic',
  supportsNonStream: true,
  supportsCountTokens: true,
  async prepare({ credential, body, upstreamModel, stream, operation, clientHeaders }: PrepareInput): Promise<UpstreamRequest> {
    const base = credential.baseUrl || ANTHROPIC_BASE_URL;
    const session = sessionOf(credential);
    if (session && !credential.apiKey) {
      const token = await session.token();
      return claudeOAuthRequest({ credential, body, upstreamModel, stream, operation, clientHeaders }, token, base);
    }
    const out: Record<string, unknown> = { ...body, model: upstreamModel };
    if (operation === 'count-tokens') {
      delete out.stream;
      delete out.max_tokens;
    } else if (stream) out.stream = true;
    else out.stream = undefined; // absent on the wire; `delete` would turn the object into a slow dictionary
    const betas = new Set(
      (clientHeader(clientHeaders, 'anthropic-beta') ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    );
    if (out.output_format !== undefined) betas.add(STRUCTURED_OUTPUTS_BETA);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: stream ? 'text/event-stream' : 'application/json',
      'anthropic-version': clientHeader(clientHeaders, 'anthropic-version') ?? '2023-06-01',
    };
    if (betas.size > 0) headers['anthropic-beta'] = [...betas].join(',');
    if (credential.apiKey) {
      if (isOfficialHost(base)) headers['x-api-key'] = credential.apiKey;
      else headers.authorization = bearer(credential.apiKey);
    }
    Object.assign(headers, credential.headers);
    const path = operation === 'count-tokens' ? '/v1/messages/count_tokens' : '/v1/messages';
    return { url: joinUrl(base, path), method: 'POST', headers, body: serializeBody(out) };
  },
};
