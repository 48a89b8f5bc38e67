import { call } from './oauth/http.js';
import type { TokenSession } from '../credentials/session.js';
import type { ModelRoute } from '../credentials/types.js';

/** Antigravity's base URLs, tried in order (SPEC 3.3); a credential `base_url` replaces the list. */
export const ANTIGRAVITY_BASE_URLS = ['https://daily-cloudcode-pa.sandbox.googleapis.com', 'https://cloudcode-pa.googleapis.com'];
export const ANTIGRAVITY_USER_AGENT = 'antigravity/1.11.5 windows/amd64';

/** Upstream model name → the public name we serve it under. */
const UPSTREAM_TO_PUBLIC: Record<string, string> = {
  'rev19-uic3-1p': 'gemini-2.5-computer-use-preview-10-2025',
  'gemini-3-pro-image': 'gemini-3-pro-image-preview',
  'gemini-3-pro-high': 'gemini-3-pro-preview',
  'claude-sonnet-4-5': 'gemini-claude-sonnet-4-5',
  'claude-sonnet-4-5-thinking': 'gemini-claude-sonnet-4-5-thinking',
  'claude-opus-4-5-thinking': 'gemini-claude-opus-4-5-thinking',
};
const HIDDEN = new Set(['chat_20706', 'chat_23310', 'gemini-2.5-flash-thinking', 'gemini-3-pro-low', 'gemini-2.5-pro']);

/** Used until (or if) the live list cannot be fetched, so a fresh login serves the usual models at once. */
export const ANTIGRAVITY_DEFAULT_UPSTREAM = ['gemini-2.5-flash', 'gemini-2.5-flash-lite', 'gemini-3-pro-high', 'claude-sonnet-4-5', 'claude-sonnet-4-5-thinking', 'claude-opus-4-5-thinking'];

export function antigravityRoutes(upstreamNames: readonly string[]): ModelRoute[] {
  const out: ModelRoute[] = [];
  for (const name of upstreamNames) {
    if (HIDDEN.has(name)) continue;
    out.push({ id: UPSTREAM_TO_PUBLIC[name] ?? name, upstream: name });
  }
  return out;
}

export function antigravityBases(baseUrl: string | undefined): string[] {
  return baseUrl ? [baseUrl] : ANTIGRAVITY_BASE_URLS;
}

/** `POST /v1internal:fetchAvailableModels` (body `{}`), trying each base URL; undefined when none answers. */
export async function fetchAntigravityModels(session: TokenSession, baseUrl: string | undefined): Promise<ModelRoute[] | undefined> {
  let token: string;
  try {
    token = await session.token();
  } catch {
    return undefined;
  }
  for (const base of antigravityBases(baseUrl)) {
    try {
      const res = await call(`${base.replace(/\/+$/, '')}/v1internal:fetchAvailableModels`, {
        json: {},
        headers: { authorization: `Bearer ${token}`, 'user-agent': userAgentOf(session) },
        proxyUrl: session.proxyUrl,
        timeoutMs: 15_000,
      });
      if (res.status !== 200 || !res.json) continue;
      const models = (res.json as { models?: unknown }).models;
      const names = Array.isArray(models)
        ? models.map((m) => (typeof m === 'string' ? m : String((m as { name?: string; id?: string }).name ?? (m as { id?: string }).id ?? ''))).filter(Boolean)
        : models && typeof models === 'object'
          ? Object.keys(models)
          : [];
      if (names.length > 0) return antigravityRoutes(names);
    } catch {
      /* next base */
    }
  }
  return undefined;
}

export function userAgentOf(session: TokenSession | undefined): string {
  const ua = session?.meta.user_agent;
  return typeof ua === 'string' && ua ? ua : ANTIGRAVITY_USER_AGENT;
}
