import type { Config } from '../config/schema.js';
import type { Credential, ExecutorKind, ModelRoute } from './types.js';
import type { TokenSession } from './session.js';
import { STATIC_MODELS } from '../providers/model-lists.js';
import { antigravityRoutes, ANTIGRAVITY_DEFAULT_UPSTREAM } from '../providers/antigravity-models.js';
import { matchesAny } from '../util/wildcard.js';

/**
 * Token-file `type` → how it is served (SPEC 2.8). `gemini` files are Gemini CLI credentials.
 * Returns the problem as a string when the file cannot become a credential.
 */
const KINDS: Record<string, { kind: ExecutorKind; provider: string; requires: (m: Record<string, unknown>) => string | undefined }> = {
  gemini: { kind: 'gemini-cli', provider: 'gemini-cli', requires: (m) => (hasToken(m) || hasNestedToken(m) ? undefined : 'no token') },
  claude: { kind: 'claude', provider: 'claude', requires: (m) => (hasToken(m) ? undefined : 'no access_token or refresh_token') },
  codex: { kind: 'codex', provider: 'codex', requires: (m) => (hasToken(m) ? undefined : 'no access_token or refresh_token') },
  qwen: { kind: 'qwen', provider: 'qwen', requires: (m) => (hasToken(m) ? undefined : 'no access_token or refresh_token') },
  iflow: { kind: 'iflow', provider: 'iflow', requires: (m) => (typeof m.api_key === 'string' && m.api_key) || hasToken(m) || m.cookie ? undefined : 'no api_key, token or cookie' },
  antigravity: { kind: 'antigravity', provider: 'antigravity', requires: (m) => (hasToken(m) ? undefined : 'no access_token or refresh_token') },
  vertex: { kind: 'vertex', provider: 'vertex', requires: (m) => (m.service_account && typeof m.service_account === 'object' ? undefined : 'no service_account object') },
};

function hasToken(m: Record<string, unknown>): boolean {
  return Boolean((typeof m.access_token === 'string' && m.access_token) || (typeof m.refresh_token === 'string' && m.refresh_token));
}
function hasNestedToken(m: Record<string, unknown>): boolean {
  return Boolean(m.token && typeof m.token === 'object' && hasToken(m.token as Record<string, unknown>));
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/** Check a parsed token file; a string is the reason it is skipped. */
export function validateTokenFile(json: unknown): string | undefined {
  if (!json || typeof json !== 'object' || Array.isArray(json)) return 'not a JSON object';
  const type = str((json as Record<string, unknown>).type);
  if (!type) return 'no "type" field';
  const entry = KINDS[type.toLowerCase()];
  if (!entry) return undefined; // unknown types may name an openai-compatibility provider
  return entry.requires(json as Record<string, unknown>);
}

export function fileType(meta: Record<string, unknown>): string {
  return String(meta.type).trim().toLowerCase();
}

function routes(provider: string, list: ModelRoute[], cfg: Config): ModelRoute[] {
  const excluded = cfg['oauth-excluded-models'][provider] ?? [];
  return list.filter((r) => !matchesAny(excluded, r.id));
}

const staticRoutes = (key: string): ModelRoute[] => (STATIC_MODELS[key] ?? []).map((id) => ({ id, upstream: id }));

/** The credentials one token file provides (Gemini files with several projects give one per project). */
export function credentialsFromTokenFile(id: string, session: TokenSession, cfg: Config): Credential[] {
  const meta = session.meta;
  const type = fileType(meta);
  const label = str(meta.label) ?? str(meta.email) ?? id;
  const base = {
    source: 'file' as const,
    headers: {},
    priority: typeof meta.priority === 'number' ? meta.priority : 0,
    proxyUrl: str(meta.proxy_url),
    baseUrl: str(meta.base_url),
  };
  const entry = KINDS[type];
  if (!entry) {
    // An unknown type serves only if it names an openai-compatibility provider (SPEC 2.8).
    const compat = cfg['openai-compatibility'].find((c) => c.name.toLowerCase() === type);
    if (!compat) return [];
    return [
      {
        ...base,
        id,
        provider: type,
        kind: 'openai-compat',
        label,
        apiKey: str(meta.api_key) ?? str(meta.access_token),
        baseUrl: base.baseUrl ?? compat['base-url'],
        models: compat.models.filter((m) => m.name).map((m) => ({ id: m.alias || m.name, upstream: m.name })),
        attributes: { session },
      },
    ];
  }
  let models: ModelRoute[];
  if (type === 'antigravity') models = session.discoveredModels ?? antigravityRoutes(ANTIGRAVITY_DEFAULT_UPSTREAM);
  else models = staticRoutes(entry.provider);
  models = routes(entry.provider, models, cfg);
  if (type === 'gemini') {
    const projects = String(meta.project_id ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    if (projects.length > 1) {
      // One runtime credential per project, all sharing the file's token (refreshes land in the one file).
      return projects.map((project) => ({
        ...base,
        id: `${id}::${project}`,
        provider: entry.provider,
        kind: entry.kind,
        label: `${str(meta.email) ?? id} [${project}]`,
        models,
        attributes: { session, project },
      }));
    }
    return [{ ...base, id, provider: entry.provider, kind: entry.kind, label, models, attributes: { session, project: projects[0] ?? '' } }];
  }
  const attributes: Record<string, unknown> = { session };
  if (type === 'vertex') {
    attributes.project = str(meta.project_id) ?? str((meta.service_account as Record<string, unknown>).project_id) ?? '';
    attributes.location = str(meta.location) ?? 'us-central1';
  }
  if (type === 'antigravity') attributes.project = str(meta.project_id) ?? '';
  return [{ ...base, id, provider: entry.provider, kind: entry.kind, label, models, attributes }];
}
