import { parseArgs } from 'node:util';

/** CLIProxyAPI's flags (SPEC 2.1), same spellings; Go's flag package also accepts `-flag`, so we do too. */
export const FLAG_SPEC = {
  config: { type: 'string' },
  login: { type: 'boolean' },
  'claude-login': { type: 'boolean' },
  'codex-login': { type: 'boolean' },
  'qwen-login': { type: 'boolean' },
  'iflow-login': { type: 'boolean' },
  'iflow-cookie': { type: 'boolean' },
  'antigravity-login': { type: 'boolean' },
  'vertex-import': { type: 'string' },
  'project_id': { type: 'string' },
  'no-browser': { type: 'boolean' },
  password: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

export type CliFlags = {
  config?: string;
  login?: boolean;
  'claude-login'?: boolean;
  'codex-login'?: boolean;
  'qwen-login'?: boolean;
  'iflow-login'?: boolean;
  'iflow-cookie'?: boolean;
  'antigravity-login'?: boolean;
  'vertex-import'?: string;
  project_id?: string;
  'no-browser'?: boolean;
  password?: string;
  help?: boolean;
  version?: boolean;
};

export function parseCliArgs(argv: string[]): CliFlags {
  // Accept Go-style single-dash long flags (`-config x`, `-no-browser`).
  const normalised = argv.map((a) => (/^-[a-z][a-z_-]+(=.*)?$/.test(a) ? `-${a}` : a));
  const { values } = parseArgs({ args: normalised, options: FLAG_SPEC, allowPositionals: false, strict: true });
  return values as CliFlags;
}

export const HELP = `cliproxy — serve OpenAI, Anthropic and Gemini clients (and Amp) from your own subscriptions and keys

Usage: cliproxy [--config PATH] [login flag] [--no-browser]

  --config PATH          config file (default ./config.yaml; built-in defaults when absent)
  --login                log in with Google (Gemini CLI); --project_id ID|ALL|a,b to choose projects
  --claude-login         log in with Claude (Pro/Max)
  --codex-login          log in with OpenAI Codex (ChatGPT Plus/Pro)
  --antigravity-login    log in with Google Antigravity
  --qwen-login           log in with Qwen Code (device flow)
  --iflow-login          log in with iFlow;  --iflow-cookie  paste an iFlow browser cookie instead
  --vertex-import FILE   import a Google service-account JSON as a Vertex credential
  --no-browser           print the login URL instead of opening a browser
  -h, --help             this help;  -v, --version  print the version
`;
