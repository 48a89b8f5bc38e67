import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline/promises';
import type { Env } from './endpoints.js';

/** What a login needs from its surroundings; the CLI passes the terminal, tests pass fakes. */
export interface LoginIO {
  /** One line of progress for the user. */
  say(line: string): void;
  /** Ask a question; resolves with the answer ('' when there is no terminal). */
  prompt(question: string): Promise<string>;
  /** Open a URL in a browser (the URL is always printed too). */
  openBrowser(url: string): Promise<void> | void;
}

export interface LoginOptions {
  authDir: string;
  io: LoginIO;
  env?: Env;
  noBrowser?: boolean;
  /** How long to wait for the browser callback / device approval (default 5 minutes). */
  timeoutMs?: number;
  /** Device-flow and onboarding poll interval (default: the provider's, 5 s). */
  pollIntervalMs?: number;
  /** Gemini: `--project_id` (an id, `a,b`, or `ALL`). */
  projectId?: string;
  proxyUrl?: string;
}

export interface LoginResult {
  /** Absolute path of the written token file. */
  path: string;
  email?: string;
}

/** Open a URL with the platform's opener; failures are reported, never fatal (the URL is on screen). */
export function systemBrowserOpener(url: string): Promise<void> {
  const [cmd, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]] : ['xdg-open', [url]];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd as string, args as string[], { stdio: 'ignore', detached: true });
    child.once('error', reject);
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
}

/** The terminal as LoginIO: progress on stderr (stdout stays clean), prompts on the TTY. */
export function terminalIO(): LoginIO {
  return {
    say: (line) => process.stderr.write(`${line}\n`),
    async prompt(question) {
      if (!process.stdin.isTTY) return '';
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return (await rl.question(question)).trim();
      } finally {
        rl.close();
      }
    },
    openBrowser: systemBrowserOpener,
  };
}

/** Show the URL, and either open the browser or explain how to finish from another machine (SSH tunnel). */
export async function presentAuthUrl(opts: LoginOptions, url: string, callbackPort?: number): Promise<void> {
  const { io } = opts;
  if (opts.noBrowser) {
    io.say('Open this URL in a browser to log in:');
    io.say(`  ${url}`);
    if (callbackPort) {
      io.say(`The browser must reach this machine's port ${callbackPort} afterwards. On a headless server, first run on your own machine:`);
      io.say(`  ssh -L ${callbackPort}:localhost:${callbackPort} user@server`);
      io.say('then open the URL there; the redirect to localhost will travel through the tunnel.');
    }
    return;
  }
  io.say('Opening your browser to log in. If it does not open, visit:');
  io.say(`  ${url}`);
  try {
    await io.openBrowser(url);
  } catch (err) {
    io.say(`(could not open a browser: ${(err as Error).message}; use the URL above)`);
  }
}
