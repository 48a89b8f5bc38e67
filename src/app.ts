import type { Config } from './config/schema.js';
import { ConfigHolder } from './config/watch.js';
import type { Logger } from './util/log.js';
import { Router, type RouterOptions } from './router/router.js';
import { ClientKeyRing } from './server/auth.js';
import { credentialsFromConfig } from './credentials/from-config.js';
import type { Credential } from './credentials/types.js';
import type { Route } from './server/routes.js';
import { AuthDirSource } from './credentials/auth-dir.js';
import { createAmpModule, type AmpModule } from './amp/index.js';
import { NativeAmp } from './amp/native/index.js';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { cooldownRoutes } from './router/admin.js';
import { parseGoDuration } from './router/retry-after.js';

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

  /** The auth-dir token files (OAuth logins), watched and refreshed in the background; set by start(). */
  authDir: AuthDirSource | undefined;

  /** Start background work (auth-dir watching, refresh). */
  async start(): Promise<void> {
    // auth-dir is read once at start: like CLIProxyAPI, changing it needs a restart (SPEC 2.7).
    this.authDir = new AuthDirSource({
      dir: this.config.current['auth-dir'],
      log: this.log,
      config: () => this.config.current,
      publish: (creds) => this.setSourceCredentials('auth-dir', creds),
    });
    await this.authDir.start();
  }

  async stop(): Promise<void> {
    this.authDir?.stop();
    await this.ampNativeModule?.stop();
  }

  /** Routes contributed by modules (Amp, management). */
  extraRoutes(): Route[] {
    void this.ampNative; // native Amp thread methods hook into the control plane ahead of its reverse proxy
    return [...this.amp.routes, ...cooldownRoutes(this)];
  }

  /** The native Amp thread backend (thread-actors, thread WebSocket, agent loop); created on first use. */
  get ampNative(): NativeAmp {
    if (!this.ampNativeModule) {
      this.ampNativeModule = new NativeAmp(this);
      this.ampNativeModule.install(this.amp.controlPlane);
    }
    return this.ampNativeModule;
  }
  private ampNativeModule: NativeAmp | undefined;

  /** HTTP `upgrade` requests (WebSockets); false when no module takes it. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    return this.ampNative.handleUpgrade(req, socket, head);
  }

  /** The Amp module (provider routes, control-plane proxy); created on first use. */
  get amp(): AmpModule {
    this.ampModule ??= createAmpModule(this);
    return this.ampModule;
  }
  private ampModule: AmpModule | undefined;

  private applyConfig(next: Config): void {
    this.apiKeys = next['api-keys'];
    this.keyRing = new ClientKeyRing(this.apiKeys);
    this.router.options = { ...this.router.options, ...routerOptions(next) };
    this.rebuildCredentials();
    this.authDir?.publish(); // oauth-excluded-models may have changed
  }

  /** Replace the credentials contributed by one source (e.g. the auth-dir watcher). */
  setSourceCredentials(source: string, credentials: Credential[]): void {
    this.extraSources.set(source, credentials);
    this.rebuildCredentials();
  }

  rebuildCredentials(): void {
    const all = [...credentialsFromConfig(this.config.current), ...this.fileCredentials];
    for (const list of this.extraSources.values()) all.push(...list);
    this.router.setCredentials(all, { oauthExcludedModels: this.config.current['oauth-excluded-models'] });
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
    sessionAffinity: cfg.routing['session-affinity'],
    sessionAffinityTtlMs: durationMs(cfg.routing['session-affinity-ttl'], 3_600_000),
  };
}

/** Seconds as a number, or a Go-style duration string (`90s`, `1h`). */
function durationMs(v: number | string, fallback: number): number {
  if (typeof v === 'number') return v * 1000;
  const n = Number(v);
  if (v.trim() !== '' && Number.isFinite(n)) return n * 1000;
  return parseGoDuration(v) ?? fallback;
}
