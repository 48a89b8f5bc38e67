import type { App } from '../app.js';
import type { Route } from '../server/routes.js';
import { AmpControlPlane } from './control-plane.js';
import { providerRoutes } from './provider-routes.js';
import { AmpSecretResolver } from './secrets.js';

export { AmpControlPlane, passesLocalhostRestriction, internalMethodOf, API_CONTROL_PREFIXES, type LocalControlHandler } from './control-plane.js';
export { decideRoute, servedLocally, type AmpRoute, type RouteDecision } from './decide.js';
export { ModelMapper, mapperFor, splitSuffix } from './mapping.js';
export { AmpSecretResolver, ampSecretsPath } from './secrets.js';
export { forwardToAmp } from './proxy.js';

/** The Amp module as wired into an App: its route table and the control plane other modules extend. */
export interface AmpModule {
  routes: Route[];
  controlPlane: AmpControlPlane;
  secrets: AmpSecretResolver;
}

/**
 * Build the Amp module. Routes exist whether or not `ampcode` is configured; every request reads the live
 * config, so enabling, changing or clearing the upstream, keys, mappings or flags needs no restart.
 */
export function createAmpModule(_app: App): AmpModule {
  const secrets = new AmpSecretResolver();
  const controlPlane = new AmpControlPlane(secrets);
  const routes: Route[] = [
    ...providerRoutes(secrets),
    // Non-model Vertex paths (model info, operations) have no local meaning: forward them like the control plane.
    { method: '*', pattern: /^\/api\/provider\/[^/]+\/v1beta1(?:\/.*)?$/, auth: 'client', errorFormat: 'gemini', cors: false, handler: (ctx) => controlPlane.handle(ctx) },
    ...controlPlane.routes(),
  ];
  return { routes, controlPlane, secrets };
}
