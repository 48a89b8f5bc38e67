import type { CliFlags } from './cli-args.js';
import type { Config } from './config/schema.js';
import type { Logger } from './util/log.js';
import { LOGIN_FLOWS, terminalIO, vertexImport, type LoginIO, type LoginOptions, type LoginResult } from './providers/oauth/index.js';

/**
 * Runs the login flow a flag asks for, writing the token file into `auth-dir`; returns an exit code
 * (0 success, 1 failure), or undefined when no login was requested. A running server picks the file up.
 */
export async function runLoginIfRequested(flags: CliFlags, config: Config, _log: Logger, io: LoginIO = terminalIO()): Promise<number | undefined> {
  const requested = Object.keys(LOGIN_FLOWS).filter((f) => flags[f as keyof CliFlags]);
  if (flags['vertex-import']) requested.push('vertex-import');
  if (requested.length === 0) return undefined;
  if (requested.length > 1) {
    io.say(`cliproxy: one login at a time please (got ${requested.map((r) => `--${r}`).join(', ')})`);
    return 2;
  }
  const flag = requested[0]!;
  const opts: LoginOptions = {
    authDir: config['auth-dir'],
    io,
    noBrowser: flags['no-browser'] === true,
    projectId: flags.project_id,
    proxyUrl: config['proxy-url'] || undefined,
  };
  let result: LoginResult;
  try {
    if (flag === 'vertex-import') result = await vertexImport(flags['vertex-import']!, opts);
    else {
      io.say(`Logging in: ${LOGIN_FLOWS[flag]!.title}`);
      result = await LOGIN_FLOWS[flag]!.run(opts);
    }
  } catch (err) {
    io.say(`Login failed: ${(err as Error).message}`);
    return 1;
  }
  io.say(`Saved ${result.path}${result.email ? ` (${result.email})` : ''}.`);
  io.say('A running cliproxy picks the new credential up automatically; otherwise start cliproxy now.');
  return 0;
}
