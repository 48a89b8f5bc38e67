import type { Config } from './config/schema.js';
import { ConfigHolder } from './config/watch.js';
import type { Logger } from './util/log.js';
import { Router, type RouterOptions } from './router/router.js';
import { ClientKeyRing } from './server/auth.js';
import { credentialsFromConfig } from './credentials/from-config.js';
import type { Credential } from './credentials/types.js';
import type { Route } from './server/routes.js';

/**
 * The running application's shared parts. Everything derived from config is rebuilt on each config change
 * and swapped in one assignment, so in-flight requests keep the snapshot they started with.
 */
export class App {
  readonly router: Router;
  keyRing: ClientKeyRing;
  apiKeys: string[];
  private fileCredentials: Credential[] = [];
  /** Credentials contributed by other sources (auth-dir files, runtime logins), keyed by source name. */
  private readonly extraSources = new Map<string, Credential[]>();

  constructor(
    readonly config: ConfigHolder,
    readonly log: Logger,
  ) {
    this.router = new Router(routerOptions(config.current));
    this.apiKeys = config.current['api-keys'];
    this.keyRing = new ClientKeyRing(this.apiKeys);
    this.rebuildCredentials();
    config.on('change', (next: Config) => this.applyConfig(next));
  }

  /** Start background work (auth-dir watching, refresh). */
  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  /** Routes contributed by modules (Amp, management). */
  extraRoutes(): Route[] {
    return [];
  }

  private applyConfig(next: Config): void {
    this.apiKeys = next['api-keys'];
    this.keyRing = new ClientKeyRing(this.apiKeys);
    this.router.options = { ...this.router.options, ...routerOptions(next) };
    this.rebuildCredentials();
  }

  /** Replace the credentials contributed by one source (e.g. the auth-dir watcher). */
  setSourceCredentials(source: string, credentials: Credential[]): void {
    this.extraSources.set(source, credentials);
    this.rebuildCredentials();
  }

  rebuildCredentials(): void {
    const all = [...credentialsFromConfig(this.config.current), ...this.fileCredentials];
    for (const list of this.extraSources.values()) all.push(...list);
    this.router.setCredentials(all);
  }
}

function routerOptions(cfg: Config): Partial<RouterOptions> {
  return {
    strategy: cfg.routing.strategy,
    disableCooling: cfg['disable-cooling'],
    maxCooldownMs: cfg.routing['max-cooldown-seconds'] * 1000,
    maxCredentials: cfg['max-retry-credentials'],
    requestRetry: cfg['request-retry'],
    maxRetryIntervalMs: cfg['max-retry-interval'] * 1000,
  };
}
