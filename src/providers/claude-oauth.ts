import type { PrepareInput, UpstreamRequest } from './types.js';
import { serializeBody } from '../util/frozen-json.js';
import { bearer, clientHeader, joinUrl } from './types.js';

/** Claude Pro/Max (OAuth) calls look like Claude Code's (SPEC 3.4). */
export const CLAUDE_CODE_SYSTEM = "You are Claude Code, Anthropic's official CLI for Claude.";
const OAUTH_BETA = 'oauth-2025-04-20';
const DEFAULT_BETAS = `claude-code-20250219,${OAUTH_BETA},interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14`;

/** Client-overridable defaults, as Claude Code sends them. */
const DEFAULT_HEADERS: Record<string, string> = {
  'anthropic-version': '2023-06-01',
  'anthropic-dangerous-direct-browser-access': 'true',
  'x-app': 'cli',
  'x-stainless-helper-method': 'stream',
  'x-stainless-retry-count': '0',
  'x-stainless-runtime-version': 'v24.3.0',
  'x-stainless-package-version': '0.55.1',
  'x-stainless-runtime': 'node',
  'x-stainless-lang': 'js',
  'x-stainless-arch': 'arm64',
  'x-stainless-os': 'MacOS',
  'x-stainless-timeout': '60',
  'user-agent': 'claude-cli/1.0.83 (external, cli)',
};

/** Virtual thinking models → real model and budget (SPEC 3.4 / 6.4). */
const THINKING_VARIANTS: Array<{ re: RegExp; model: string }> = [
  { re: /^claude-opus-4-5-thinking(-low|-medium|-high)?$/, model: 'claude-opus-4-5-20251101' },
  { re: /^claude-sonnet-4-5-thinking(-low|-medium|-high)?$/, model: 'claude-sonnet-4-5-20250929' },
];
const BUDGETS: Record<string, number> = { '-low': 1024, '-medium': 8192, '-high': 24576, '': 8192 };
const MAX_COMPLETION = 64000;

export function resolveThinkingModel(model: string): { model: string; budget?: number } {
  for (const v of THINKING_VARIANTS) {
    const m = v.re.exec(model);
    if (m) return { model: v.model, budget: BUDGETS[m[1] ?? ''] };
  }
  return { model };
}

type Block = Record<string, unknown>;

/**
 * Put the Claude Code line first in `system`, keeping the caller's own system prompt after it (CLIProxyAPI
 * replaced a string system prompt; we keep it).
 */
export function withClaudeCodeSystem(system: unknown): Block[] {
  const head: Block = { type: 'text', text: CLAUDE_CODE_SYSTEM };
  if (Array.isArray(system)) {
    const blocks = system as Block[];
    if (blocks[0]?.type === 'text' && blocks[0]?.text === CLAUDE_CODE_SYSTEM) return blocks;
    return [head, ...blocks];
  }
  if (typeof system === 'string' && system.trim()) {
    if (system.startsWith(CLAUDE_CODE_SYSTEM)) {
      const rest = system.slice(CLAUDE_CODE_SYSTEM.length).trim();
      return rest ? [head, { type: 'text', text: rest }] : [head];
    }
    return [head, { type: 'text', text: system }];
  }
  return [head];
}

/** Build the upstream call for an OAuth (subscription) Claude credential. */
export function claudeOAuthRequest(input: PrepareInput, token: string, base: string): UpstreamRequest {
  const { credential, body, upstreamModel, stream, operation, clientHeaders } = input;
  const { model, budget } = resolveThinkingModel(upstreamModel);
  const out: Record<string, unknown> = { ...body, model };
  if (operation === 'count-tokens') {
    delete out.stream;
    delete out.max_tokens;
  } else if (stream) out.stream = true;
  else delete out.stream;
  if (budget !== undefined && out.thinking === undefined && operation !== 'count-tokens') {
    out.thinking = { type: 'enabled', budget_tokens: budget };
    out.max_tokens = Math.max(Number(out.max_tokens) || 0, MAX_COMPLETION);
  }
  if (!(model.startsWith('claude-3-5-haiku') && (operation === 'count-tokens' || !stream))) out.system = withClaudeCodeSystem(out.system);
  // Betas may arrive in the body (`betas`); they belong in the header.
  const betas = new Set<string>();
  const bodyBetas = out.betas;
  delete out.betas;
  const clientBetas = clientHeader(clientHeaders, 'anthropic-beta');
  for (const b of (clientBetas ?? DEFAULT_BETAS).split(',')) if (b.trim()) betas.add(b.trim());
  betas.add(OAUTH_BETA);
  for (const b of Array.isArray(bodyBetas) ? bodyBetas : typeof bodyBetas === 'string' ? bodyBetas.split(',') : []) if (String(b).trim()) betas.add(String(b).trim());
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(DEFAULT_HEADERS)) headers[k] = clientHeader(clientHeaders, k) ?? v;
  // Only Claude Code's own User-Agent is passed on; any other client's would not look like Claude Code.
  const ua = clientHeader(clientHeaders, 'user-agent');
  headers['user-agent'] = ua && ua.startsWith('claude-cli/') ? ua : DEFAULT_HEADERS['user-agent']!;
  Object.assign(headers, {
    'content-type': 'application/json',
    authorization: bearer(token),
    'anthropic-beta': [...betas].join(','),
    connection: 'keep-alive',
    'accept-encoding': 'gzip, deflate, br',
    accept: stream ? 'text/event-stream' : 'application/json',
  });
  Object.assign(headers, credential.headers);
  const path = operation === 'count-tokens' ? '/v1/messages/count_tokens?beta=true' : '/v1/messages?beta=true';
  return { url: joinUrl(base, path), method: 'POST', headers, body: serializeBody(out) };
}
