import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const AMP_CLI_VERSION = '0.0.1790142911-g7618fb';
const CACHE = join(tmpdir(), 'cliproxy-amp-native-cli');
const BIN = join(CACHE, 'node_modules', '@ampcode', 'cli-linux-x64', 'amp');

/**
 * The pinned native Amp CLI, installed once into a cache dir under the OS temp dir. Returns the binary path,
 * or the reason it is unavailable (tests then skip, saying so).
 */
export async function ampBinary(): Promise<{ bin?: string; reason?: string }> {
  if (process.platform !== 'linux' || process.arch !== 'x64') return { reason: `the pinned @ampcode/cli binary is linux-x64 only (this is ${process.platform}-${process.arch})` };
  if (existsSync(BIN)) return { bin: BIN };
  try {
    await mkdir(CACHE, { recursive: true });
    await promisify(execFile)('npm', ['install', '--prefix', CACHE, '--no-audit', '--no-fund', `@ampcode/cli@${AMP_CLI_VERSION}`], { timeout: 240_000 });
  } catch (err) {
    return { reason: `could not install @ampcode/cli@${AMP_CLI_VERSION}: ${(err as Error).message.split('\n')[0]}` };
  }
  return existsSync(BIN) ? { bin: BIN } : { reason: `@ampcode/cli@${AMP_CLI_VERSION} installed without its linux-x64 binary` };
}

/** An isolated HOME for the CLI: updates off, nothing from the real user. */
export async function isolatedHome(): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'cliproxy-amp-home-'));
  await mkdir(join(home, '.config', 'amp'), { recursive: true });
  await writeFile(join(home, '.config', 'amp', 'settings.json'), JSON.stringify({ 'amp.updates.mode': 'disabled' }));
  return home;
}

export interface AmpRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface AmpOptions {
  bin: string;
  home: string;
  url: string;
  apiKey: string;
  cwd: string;
  args: string[];
  stdin?: string;
  timeoutMs?: number;
  /** Called with the child once started (to signal it mid-turn). */
  onSpawn?: (child: ChildProcess) => void;
}

export function runAmp(o: AmpOptions): Promise<AmpRun> {
  return new Promise((resolve) => {
    const child = spawn(o.bin, o.args, {
      cwd: o.cwd,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: o.home,
        AMP_URL: o.url,
        AMP_API_KEY: o.apiKey,
        AMP_SKIP_UPDATE_CHECK: '1',
        NO_COLOR: '1',
        TERM: 'dumb',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    if (o.stdin !== undefined) child.stdin.end(o.stdin);
    else child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 30_000);
    o.onSpawn?.(child);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
