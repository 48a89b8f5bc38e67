import type { CliFlags } from './cli-args.js';
import type { Config } from './config/schema.js';
import type { Logger } from './util/log.js';

/** Runs the login flow a flag asks for; returns an exit code, or undefined when no login was requested. */
export async function runLoginIfRequested(flags: CliFlags, _config: Config, _log: Logger): Promise<number | undefined> {
  const requested = (['login', 'claude-login', 'codex-login', 'qwen-login', 'iflow-login', 'iflow-cookie', 'antigravity-login'] as const).filter((f) => flags[f]);
  if (flags['vertex-import']) requested.push('vertex-import' as never);
  if (requested.length === 0) return undefined;
  process.stderr.write(`cliproxy: --${requested[0]} is not available in this build yet\n`);
  return 2;
}
