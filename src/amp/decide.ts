import type { AmpcodeConfig } from '../config/schema.js';
import type { ModelRegistry } from '../router/registry.js';
import type { Logger } from '../util/log.js';
import { mapperFor, splitSuffix } from './mapping.js';

/** Where an Amp model call goes (also the `X-CLIProxy-Route` header value). */
export type AmpRoute = 'local' | 'mapped' | 'amp-upstream';

export interface RouteDecision {
  route: AmpRoute;
  /** Model to route locally (the mapping target for `mapped`, the requested name otherwise). */
  routeModel: string;
}

/**
 * "Served locally" means some credential is registered for the model (not that one is available right now):
 * a model whose credentials are all cooling answers a local 429 rather than quietly spending Amp credits.
 * A `(suffix)` is a thinking level, so the base name decides.
 */
export function servedLocally(registry: ModelRegistry, model: string): boolean {
  if (registry.has(model)) return true;
  const { base, suffix } = splitSuffix(model);
  return suffix !== '' && registry.has(base);
}

/**
 * The fallback decision (SPEC 7.1.4, in the order the issue fixes): local credential → mapping whose target is
 * local → Amp upstream (when configured) → local anyway, which answers the caller's-format 404.
 * `force-model-mappings` tries the mapping before the local lookup.
 */
export function decideRoute(cfg: AmpcodeConfig, registry: ModelRegistry, requested: string, log?: Logger): RouteDecision {
  const model = requested.trim();
  const mapped = (): RouteDecision | undefined => {
    const target = mapperFor(cfg['model-mappings'], log).lookup(model);
    if (!target || target.toLowerCase() === model.toLowerCase() || !servedLocally(registry, target)) return undefined;
    return { route: 'mapped', routeModel: target };
  };
  const local = (): RouteDecision | undefined => (servedLocally(registry, model) ? { route: 'local', routeModel: model } : undefined);
  const decided = cfg['force-model-mappings'] ? (mapped() ?? local()) : (local() ?? mapped());
  if (decided) return decided;
  if (cfg['upstream-url']) return { route: 'amp-upstream', routeModel: model };
  return { route: 'local', routeModel: model };
}
