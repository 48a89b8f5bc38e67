import { createHash } from 'node:crypto';
import type { Config } from '../config/schema.js';
import type { Credential, ExecutorKind, ModelRoute } from './types.js';
import { STATIC_MODELS } from '../providers/model-lists.js';
import { matchesAny } from '../util/wildcard.js';
import { maskSecret } from '../util/log.js';

function stableId(kind: string, key: string, base: string, extra = ''): string {
  return `${kind}:${createHash('sha256').update(`${kind}\0${key}\0${base}\0${extra}`).digest('hex').slice(0, 12)}`;
}

interface EntryLike {
  'api-key': string;
  'base-url': string;
  'proxy-url': string;
  headers: Record<string, string>;
  'excluded-models': string[];
  models: Array<{ name: string; alias: string }>;
  prefix: string;
  priority?: number;
}

/** Aliases when `models` is given (only those are exposed), else the provider's static list; minus exclusions. */
export function modelRoutes(
  configured: Array<{ name: string; alias: string }>,
  staticList: readonly string[],
  excluded: readonly string[],
  prefix: string,
  forcePrefix: boolean,
): ModelRoute[] {
  const base: ModelRoute[] =
    configured.length > 0
      ? configured.filter((m) => m.name).map((m) => ({ id: m.alias || m.name, upstream: m.name }))
      : staticList.map((id) => ({ id, upstream: id }));
  const kept = base.filter((r) => !matchesAny(excluded, r.id));
  if (!prefix) return kept;
  const p = prefix.replace(/\/+$/, '');
  const prefixed = kept.map((r) => ({ id: `${p}/${r.id}`, upstream: r.upstream }));
  return forcePrefix ? prefixed : [...kept, ...prefixed];
}

function fromEntry(kind: ExecutorKind, provider: string, e: EntryLike, staticList: readonly string[], cfg: Config, index: number): Credential {
  return {
    id: stableId(kind, e['api-key'], e['base-url']),
    provider,
    kind,
    label: `${provider}-key-${index + 1} (${maskSecret(e['api-key'])})`,
    source: 'config',
    apiKey: e['api-key'],
    baseUrl: e['base-url'] || undefined,
    proxyUrl: e['proxy-url'] || undefined,
    headers: e.headers,
    models: modelRoutes(e.models, staticList, e['excluded-models'], e.prefix, cfg['force-model-prefix']),
    priority: e.priority ?? 0,
    attributes: {},
  };
}

/** All credentials defined inline in config.yaml (API keys and OpenAI-compatible providers). */
export function credentialsFromConfig(cfg: Config): Credential[] {
  const out: Credential[] = [];
  const seen = new Set<string>();
  const push = (c: Credential) => {
    if (seen.has(c.id)) return;
    seen.add(c.id);
    out.push(c);
  };
  cfg['gemini-api-key'].forEach((e, i) => push(fromEntry('gemini', 'gemini', e, STATIC_MODELS.gemini!, cfg, i)));
  cfg['claude-api-key'].forEach((e, i) => push(fromEntry('claude', 'claude', e, STATIC_MODELS.claude!, cfg, i)));
  cfg['codex-api-key'].forEach((e, i) => {
    // CLIProxyAPI drops codex entries without base-url; we default to OpenAI's public Responses endpoint instead.
    push(fromEntry('codex', 'codex', e, STATIC_MODELS.codex!, cfg, i));
  });
  cfg['vertex-api-key'].forEach((e, i) => push(fromEntry('vertex', 'vertex', e, STATIC_MODELS.vertex!, cfg, i)));
  for (const compat of cfg['openai-compatibility']) {
    const provider = compat.name.toLowerCase();
    const entries = compat['api-key-entries'].length > 0 ? compat['api-key-entries'] : [{ 'api-key': '', 'proxy-url': '' }];
    entries.forEach((k, i) => {
      const entry: EntryLike = {
        'api-key': k['api-key'],
        'base-url': compat['base-url'],
        'proxy-url': k['proxy-url'],
        headers: compat.headers,
        'excluded-models': compat['excluded-models'],
        models: compat.models,
        prefix: compat.prefix,
        priority: compat.priority,
      };
      const cred = fromEntry('openai-compat', provider, entry, [], cfg, i);
      cred.id = stableId('openai-compat', k['api-key'], compat['base-url'], provider);
      cred.label = `${compat.name}-${i + 1}${k['api-key'] ? ` (${maskSecret(k['api-key'])})` : ''}`;
      push(cred);
    });
  }
  return out;
}
