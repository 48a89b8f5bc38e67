import { randomInt, randomUUID } from 'node:crypto';
import { serializeBody } from '../util/frozen-json.js';
import type { Executor, PrepareInput, UpstreamRequest } from './types.js';
import { bearer, joinUrl } from './types.js';
import { accessTokenFor, sessionOf } from '../credentials/session.js';
import { unwrapResponseEvent, unwrapResponseJson } from './unwrap.js';
import { innerRequest, v1internalPath } from './gemini-cli.js';
import { antigravityBases, userAgentOf } from './antigravity-models.js';

/** JSON-schema keys the Claude models behind Antigravity reject (SPEC 3.3). */
const CLAUDE_SCHEMA_DROP = new Set(['$schema', 'maxItems', 'minItems', 'minLength', 'maxLength', 'exclusiveMinimum', 'exclusiveMaximum', '$ref', '$defs']);

function cleanClaudeSchema(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(cleanClaudeSchema);
  if (!v || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  if (Array.isArray(o.anyOf) && o.anyOf.length > 0) {
    const { anyOf, ...rest } = o;
    return cleanClaudeSchema({ ...rest, ...(anyOf[0] as object) });
  }
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(o)) if (!CLAUDE_SCHEMA_DROP.has(k)) out[k] = cleanClaudeSchema(val);
  return out;
}

const ADJECTIVES = ['useful', 'bright', 'swift', 'calm', 'bold'];
const NOUNS = ['fuze', 'wave', 'spark', 'flow', 'core'];

function randomProject(): string {
  return `${ADJECTIVES[randomInt(ADJECTIVES.length)]}-${NOUNS[randomInt(NOUNS.length)]}-${randomUUID().slice(0, 5)}`;
}

/** Shape the inner Gemini request for Antigravity's model families. */
export function antigravityRequest(body: Record<string, unknown>, model: string): Record<string, unknown> {
  const req: Record<string, unknown> = { ...innerRequest(body) };
  delete req.safetySettings;
  req.sessionId = `-${randomInt(1, 2 ** 48 - 1)}`;
  req.toolConfig = { ...((req.toolConfig as object) ?? {}), functionCallingConfig: { ...(((req.toolConfig as Record<string, unknown>)?.functionCallingConfig as object) ?? {}), mode: 'VALIDATED' } };
  const gen = { ...((req.generationConfig as Record<string, unknown>) ?? {}) };
  const thinking = gen.thinkingConfig as Record<string, unknown> | undefined;
  if (thinking && !model.startsWith('gemini-3') && 'thinkingLevel' in thinking) {
    const { thinkingLevel: _l, ...rest } = thinking;
    gen.thinkingConfig = { ...rest, thinkingBudget: -1 };
  }
  if (model.includes('claude')) {
    if (Array.isArray(req.tools)) {
      req.tools = (req.tools as Array<Record<string, unknown>>).map((t) => {
        if (!Array.isArray(t.functionDeclarations)) return t;
        return {
          ...t,
          functionDeclarations: (t.functionDeclarations as Array<Record<string, unknown>>).map((fd) => {
            const { parametersJsonSchema, parameters, ...rest } = fd;
            const schema = parametersJsonSchema ?? parameters;
            return schema === undefined ? rest : { ...rest, parameters: cleanClaudeSchema(schema) };
          }),
        };
      });
    }
    const tc = gen.thinkingConfig as Record<string, unknown> | undefined;
    if (tc && typeof tc.thinkingBudget === 'number' && tc.thinkingBudget !== -1) {
      // Claude needs budget < max output and at least 1024; below that, thinking is switched off.
      const max = typeof gen.maxOutputTokens === 'number' ? gen.maxOutputTokens : 64000;
      gen.maxOutputTokens = max;
      const budget = Math.min(tc.thinkingBudget, max - 1);
      if (budget < 1024) delete gen.thinkingConfig;
      else gen.thinkingConfig = { ...tc, thinkingBudget: budget };
    }
  } else {
    delete gen.maxOutputTokens;
  }
  if (Object.keys(gen).length > 0) req.generationConfig = gen;
  else delete req.generationConfig;
  return req;
}

/**
 * Antigravity (Google's agent IDE backend): the Gemini CLI envelope plus its own fields; the sandbox base URL
 * first, then production on a transport error or 429. Serves Gemini and Claude models.
 */
export const antigravityExecutor: Executor = {
  kind: 'antigravity',
  format: 'gemini',
  supportsNonStream: true,
  supportsCountTokens: false,
  async prepare({ credential, body, upstreamModel, stream, operation }: PrepareInput): Promise<UpstreamRequest> {
    const token = await accessTokenFor(credential);
    const project = String(credential.attributes.project || '') || randomProject();
    const envelope = {
      model: upstreamModel,
      userAgent: 'antigravity',
      project,
      requestId: `agent-${randomUUID()}`,
      request: antigravityRequest(body, upstreamModel),
    };
    const [first, ...rest] = antigravityBases(credential.baseUrl).map((b) => joinUrl(b, v1internalPath(stream, operation)));
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: stream ? 'text/event-stream' : 'application/json',
      'user-agent': userAgentOf(sessionOf(credential)),
    };
    if (token) headers.authorization = bearer(token);
    Object.assign(headers, credential.headers);
    return { url: first!, fallbackUrls: rest, method: 'POST', headers, body: serializeBody(envelope, 'request') };
  },
  unwrapBody: unwrapResponseJson,
  unwrapEvent: unwrapResponseEvent,
};
