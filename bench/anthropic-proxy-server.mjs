// cliproxy configured so Anthropic clients are served by an OpenAI-chat fake upstream (translation path).
import { parseConfigObject } from '../dist/config/load.js';
import { ConfigHolder } from '../dist/config/watch.js';
import { App } from '../dist/app.js';
import { createServer } from '../dist/server/http.js';
import { silentLogger } from '../dist/util/log.js';

const { config } = parseConfigObject({
  'auth-dir': '/nonexistent-cliproxy-bench',
  'api-keys': ['bench-key'],
  'openai-compatibility': [{ name: 'bench', 'base-url': `${process.env.UPSTREAM}/v1`, 'api-key-entries': [{ 'api-key': 'up' }], models: [{ name: 'bench-up', alias: 'claude-bench' }] }],
  streaming: { 'keepalive-seconds': 0 },
});
const log = silentLogger();
const app = new App(new ConfigHolder(config, undefined, '', log), log);
await app.start();
const server = createServer(app, { extraRoutes: app.extraRoutes() });
server.listen(0, '127.0.0.1', () => process.stdout.write(`READY ${server.address().port}\n`));
