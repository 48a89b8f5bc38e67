import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { parseConfigObject } from '../../src/config/load.js';
import { ConfigHolder } from '../../src/config/watch.js';
import { App } from '../../src/app.js';
import { createServer } from '../../src/server/http.js';
import { silentLogger, type Logger } from '../../src/util/log.js';

export interface RunningProxy {
  url: string;
  app: App;
  holder: ConfigHolder;
  server: Server;
  /** Apply a new config object as a hot reload would. */
  reconfigure(raw: Record<string, unknown>): void;
  close(): Promise<void>;
}

/** Start the real server in-process on 127.0.0.1:0 with a config given as a YAML-shaped object. */
export async function startProxy(raw: Record<string, unknown>, log: Logger = silentLogger()): Promise<RunningProxy> {
  const { config } = parseConfigObject({ 'auth-dir': '/nonexistent-cliproxy-test-auth', ...raw });
  const holder = new ConfigHolder(config, undefined, '', log);
  const app = new App(holder, log);
  await app.start();
  const server = createServer(app, { extraRoutes: app.extraRoutes() });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    app,
    holder,
    server,
    reconfigure(next) {
      holder.replace(parseConfigObject({ 'auth-dir': '/nonexistent-cliproxy-test-auth', ...next }).config);
    },
    async close() {
      await app.stop();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
