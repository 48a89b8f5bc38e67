#!/usr/bin/env node
// `npm start` runs this file as `node --max-semi-space-size=8 dist/cli.js` (see package.json, and the README's
// Benchmarks section): V8's young generation grows to 16 MB per semi-space under load by default, and the
// proxy's per-request garbage then sweeps 32 MB of fresh memory between collections. The flag is not on the
// shebang line: `env -S` (needed to pass it there) is missing from busybox and older coreutils, and a command
// that does not start is worse than one a few percent slower.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { once } from 'node:events';
import { parseCliArgs, HELP, type CliFlags } from './cli-args.js';
import { ConfigError, defaultConfig, loadConfigFile, type LoadedConfig } from './config/load.js';
import { ConfigHolder } from './config/watch.js';
import { createLogger } from './util/log.js';
import { App } from './app.js';
import { createServer } from './server/http.js';
import { describeAmpMode } from './amp/native/index.js';
import { VERSION } from './server/routes.js';
import { isLoopback } from './server/auth.js';
import { runLoginIfRequested } from './login-dispatch.js';

async function main(): Promise<number> {
  let flags: CliFlags;
  try {
    flags = parseCliArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (flags.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (flags.version) {
    process.stdout.write(`cliproxy ${VERSION}\n`);
    return 0;
  }
  try {
    process.loadEnvFile?.('.env');
  } catch {
    /* no .env: fine */
  }

  const explicit = flags.config !== undefined;
  const configPath = resolve(flags.config ?? 'config.yaml');
  let loaded: LoadedConfig;
  if (existsSync(configPath)) {
    try {
      loaded = await loadConfigFile(configPath);
    } catch (err) {
      if (err instanceof ConfigError) {
        process.stderr.write(`cliproxy: invalid config ${configPath}\n${err.problems.map((p) => `  - ${p}`).join('\n')}\n`);
        return 1;
      }
      process.stderr.write(`cliproxy: cannot read ${configPath}: ${(err as Error).message}\n`);
      return 1;
    }
  } else if (explicit) {
    process.stderr.write(`cliproxy: config file ${configPath} does not exist\n`);
    return 1;
  } else {
    loaded = { config: defaultConfig(), warnings: [], text: '' };
  }

  const log = createLogger({ debug: loaded.config.debug });
  for (const w of loaded.warnings) log.warn({ path: loaded.path }, w);

  const loginCode = await runLoginIfRequested(flags, loaded.config, log);
  if (loginCode !== undefined) return loginCode;

  const holder = new ConfigHolder(loaded.config, loaded.path, loaded.text, log);
  const app = new App(holder, log);
  await app.start?.();
  const cfg = loaded.config;
  const tls = cfg.tls.enable ? { cert: cfg.tls.cert, key: cfg.tls.key } : undefined;
  if (cfg.tls.enable && (!cfg.tls.cert || !cfg.tls.key)) {
    process.stderr.write('cliproxy: tls.enable is true but tls.cert and tls.key are not both set\n');
    return 1;
  }
  const server = createServer(app, { tls, extraRoutes: app.extraRoutes() });
  server.listen(cfg.port, cfg.host || undefined);
  try {
    await once(server, 'listening');
  } catch (err) {
    process.stderr.write(`cliproxy: cannot listen on ${cfg.host || '*'}:${cfg.port}: ${(err as Error).message}\n`);
    return 1;
  }
  holder.start();

  const where = `${tls ? 'https' : 'http'}://${cfg.host || '0.0.0.0'}:${cfg.port}`;
  const lines = [`cliproxy ${VERSION} listening on ${where}`];
  lines.push(loaded.path ? `config: ${loaded.path} (hot reload on save)` : `config: none found at ${configPath}; running on built-in defaults (copy config.example.yaml to config.yaml to configure)`);
  lines.push(`auth-dir: ${cfg['auth-dir']}`);
  const creds = app.router.registry.allCredentials().length;
  const models = app.router.registry.models().length;
  lines.push(`credentials: ${creds}, models served: ${models}`);
  if (creds === 0) {
    lines.push('no credentials yet: add gemini-api-key / claude-api-key / codex-api-key / openai-compatibility entries to config.yaml,');
    lines.push('  or log in with --claude-login, --codex-login, --login (Gemini), --antigravity-login, --qwen-login, --iflow-login');
  }
  if (cfg['api-keys'].length === 0) {
    lines.push('api-keys: none configured, so only callers on this machine (loopback) are served; add api-keys to allow remote clients');
  } else lines.push(`api-keys: ${cfg['api-keys'].length} configured (clients must send one)`);
  if (cfg.host && !isLoopback(cfg.host) && cfg['api-keys'].length === 0) lines.push('warning: bound to a non-loopback host without api-keys');
  lines.push(describeAmpMode(cfg));
  for (const l of lines) process.stdout.write(`${l}\n`);
  log.info({ address: where, credentials: creds, models }, 'serving');

  const stop = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    holder.stop();
    await app.stop?.();
    server.close();
    server.closeAllConnections?.();
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  await once(server, 'close');
  return 0;
}

main().then(
  (code) => {
    if (code !== 0) process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`cliproxy: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
