import type { App } from '../../app.js';
import { decideRoute } from '../decide.js';

/**
 * Agent mode → model, before `model-mappings` apply. Override any entry with `ampcode.mode-models`
 * (e.g. `medium: gpt-5.2`); the result then routes exactly like a classic Amp call's model.
 */
export const DEFAULT_MODE_MODELS: Readonly<Record<string, string>> = {
  low: 'claude-haiku-4-5-20251001',
  medium: 'claude-sonnet-4-5-20250929',
  high: 'claude-opus-4-5-20251101',
  ultra: 'gpt-5.1',
};

export function modelForMode(app: App, mode: string): string {
  const table = app.config.current.ampcode['mode-models'];
  return table[mode] ?? DEFAULT_MODE_MODELS[mode] ?? table.medium ?? DEFAULT_MODE_MODELS.medium!;
}

export type NativeRoute = { ok: true; requested: string; routeModel: string; route: 'local' | 'mapped' } | { ok: false; requested: string; message: string; suggestion: string };

/**
 * Route a thread's model as a classic Amp call would (credential, else mapping; `force-model-mappings` first),
 * logging the same `amp: ...` line. Forwarding to Amp's upstream is not possible here (the loop runs locally),
 * so "nothing local serves it" is an error naming the mapping that would fix it.
 */
export function routeThreadModel(app: App, mode: string, threadId: string): NativeRoute {
  const requested = modelForMode(app, mode);
  const decision = decideRoute(app.config.current.ampcode, app.router.registry, requested, app.log);
  const fields = { thread: threadId, path: 'amp-thread', model: requested, mode, route: decision.route };
  if (decision.route === 'mapped') {
    app.log.info({ ...fields, target: decision.routeModel }, `amp: ${requested} mapped to local ${decision.routeModel}`);
    return { ok: true, requested, routeModel: decision.routeModel, route: 'mapped' };
  }
  if (decision.route === 'local' && app.router.registry.candidates(decision.routeModel).length > 0) {
    app.log.info(fields, `amp: ${requested} served by a local credential`);
    return { ok: true, requested, routeModel: decision.routeModel, route: 'local' };
  }
  const near = app.router.registry.closest(requested, 1)[0];
  const suggestion = `ampcode.model-mappings: - { from: "${requested}", to: "${near ?? '<a model you serve>'}" }`;
  app.log.warn({ ...fields, route: 'none', suggestion }, `amp: no local credential serves ${requested} (agent mode ${mode}); add ${suggestion}`);
  return {
    ok: false,
    requested,
    suggestion,
    message: `No credential serves model ${requested} (agent mode ${mode}). Add to config.yaml: ${suggestion} (or set ampcode.mode-models.${mode}).`,
  };
}
