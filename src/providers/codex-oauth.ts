import { randomUUID } from 'node:crypto';
import { serializeBody } from '../util/frozen-json.js';
import { fileURLToPath } from 'node:url';
import type { PrepareInput, UpstreamRequest } from './types.js';
import { bearer, clientHeader, joinUrl } from './types.js';
import type { TokenSession } from '../credentials/session.js';
import { readPrompt } from './codex-prompts.js';

/** ChatGPT-plan Codex (OAuth) talks to the ChatGPT backend, which accepts only streamed Responses calls. */
export const CHATGPT_CODEX_BASE_URL = 'https://chatgpt.com/backend-api/codex';

const DEFAULT_HEADERS: Record<string, string> = {
  version: '0.21.0',
  'openai-beta': 'responses=experimental',
  'user-agent': 'codex_cli_rs/0.50.0 (Mac OS 26.0.1; arm64) Apple_Terminal/464',
};

/** Fields the ChatGPT backend rejects. */
const UNSUPPORTED = ['previous_response_id', 'max_output_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'service_tier'];

export const INSTRUCTIONS_PREFIX = 'EXECUTE ACCORDING TO THE FOLLOWING INSTRUCTIONS!!!';

/** Codex CLI's official system prompt file for a model (SPEC 3.5); see codex-prompts.ts for where it comes from. */
export function promptFileFor(model: string): string {
  if (model.includes('codex-max')) return 'codex-max.md';
  if (model.includes('codex')) return 'gpt-5-codex.md';
  if (model.includes('5.1')) return 'gpt-5.1.md';
  return 'base.md';
}

const promptCache = new Map<string, Promise<string | undefined>>();

function promptDirs(): string[] {
  const dirs: string[] = [];
  const env = process.env.CLIPROXY_CODEX_PROMPTS_DIR?.trim();
  if (env) dirs.push(env);
  // src/providers → <root>/prompts; dist/src/providers → <root>/prompts
  dirs.push(fileURLToPath(new URL('../../prompts/codex/', import.meta.url)), fileURLToPath(new URL('../../../prompts/codex/', import.meta.url)));
  return dirs;
}

export function officialPrompt(model: string): Promise<string | undefined> {
  const file = promptFileFor(model);
  let p = promptCache.get(file);
  if (!p) {
    p = readPrompt(promptDirs(), file).then((text) => {
      // A failed lookup (offline, say) is retried after a while, not on every request and not never.
      if (text === undefined) setTimeout(() => promptCache.delete(file), 10 * 60_000).unref();
      return text;
    });
    promptCache.set(file, p);
  }
  return p;
}

/** Apply the official-instructions rule to a Responses body (mutates and returns it). */
export function applyInstructions(out: Record<string, unknown>, official: string | undefined): Record<string, unknown> {
  const client = typeof out.instructions === 'string' ? out.instructions : '';
  if (!official) {
    out.instructions = client;
    return out;
  }
  if (client.startsWith(official.slice(0, Math.min(official.length, 200)))) return out;
  out.instructions = official;
  if (client.trim()) {
    const input = Array.isArray(out.input) ? out.input : typeof out.input === 'string' ? [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: out.input }] }] : [];
    out.input = [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: `${INSTRUCTIONS_PREFIX}\n${client}` }] }, ...input];
  }
  return out;
}

export async function codexOAuthRequest(input: PrepareInput, model: string, effort: string | undefined, token: string, session: TokenSession): Promise<UpstreamRequest> {
  const { credential, body, clientHeaders } = input;
  const out: Record<string, unknown> = { ...body, model, stream: true, store: false };
  if (effort) out.reasoning = { ...((out.reasoning as object | undefined) ?? {}), effort };
  for (const k of UNSUPPORTED) delete out[k];
  applyInstructions(out, await officialPrompt(model));
  const sessionId = (typeof out.prompt_cache_key === 'string' && out.prompt_cache_key) || clientHeader(clientHeaders, 'session_id') || randomUUID();
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(DEFAULT_HEADERS)) headers[k] = clientHeader(clientHeaders, k) ?? v;
  // Only the Codex CLI's own User-Agent is passed on.
  const ua = clientHeader(clientHeaders, 'user-agent');
  headers['user-agent'] = ua && ua.startsWith('codex_cli_rs/') ? ua : DEFAULT_HEADERS['user-agent']!;
  Object.assign(headers, {
    'content-type': 'application/json',
    accept: 'text/event-stream',
    connection: 'Keep-Alive',
    authorization: bearer(token),
    session_id: sessionId,
    originator: 'codex_cli_rs',
  });
  if (typeof out.prompt_cache_key === 'string' && out.prompt_cache_key) headers.conversation_id = out.prompt_cache_key;
  const account = session.meta.account_id;
  if (typeof account === 'string' && account) headers['chatgpt-account-id'] = account;
  Object.assign(headers, credential.headers);
  return { url: joinUrl(credential.baseUrl || CHATGPT_CODEX_BASE_URL, '/responses'), method: 'POST', headers, body: serializeBody(out) };
}

/**
 * A non-stream caller on an SSE-only upstream: the answer is the `response` of the `response.completed` event.
 * JSON bodies (API-key upstreams) pass unchanged; an SSE body without completion becomes an error body.
 */
export function foldResponsesSse(text: string): string {
  const t = text.trimStart();
  if (!t.startsWith('event:') && !t.startsWith('data:')) return text;
  let failed: string | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith('data:')) continue;
    const data = line.slice(5).trim();
    if (!data.includes('"response.completed"') && !data.includes('"response.failed"') && !data.includes('"error"')) continue;
    try {
      const ev = JSON.parse(data) as { type?: string; response?: unknown; error?: unknown };
      if (ev.type === 'response.completed' && ev.response) return JSON.stringify(ev.response);
      if (ev.type === 'response.failed' || ev.type === 'error') failed = data;
    } catch {
      /* keep looking */
    }
  }
  return failed ?? JSON.stringify({ error: { message: 'stream closed before response.completed', type: 'timeout', code: 'stream_incomplete' } });
}
