import type { PrepareInput, UpstreamRequest } from './types.js';
import { serializeBody } from '../util/frozen-json.js';
import { bearer, joinUrl } from './types.js';
import type { TokenSession } from '../credentials/session.js';
import { countBody, geminiMethodPath } from './gemini.js';

/** Vertex AI with a service account (`--vertex-import`): Bearer token minted from the key, project-scoped path. */
export async function vertexServiceAccountRequest(input: PrepareInput, session: TokenSession): Promise<UpstreamRequest> {
  const { credential, body, upstreamModel, stream, operation } = input;
  const token = await session.token();
  const project = String(credential.attributes.project ?? '');
  const location = String(credential.attributes.location ?? 'us-central1');
  const base = credential.baseUrl || `https://${location}-aiplatform.googleapis.com`;
  const path = `/v1/projects/${encodeURIComponent(project)}/locations/${encodeURIComponent(location)}/publishers/google/models/${geminiMethodPath(upstreamModel, stream, operation)}`;
  const { model: _m, stream: _s, ...rest } = operation === 'count-tokens' ? countBody(body) : body;
  const headers: Record<string, string> = { 'content-type': 'application/json', authorization: bearer(token) };
  Object.assign(headers, credential.headers);
  return { url: joinUrl(base, path), method: 'POST', headers, body: serializeBody(rest) };
}
