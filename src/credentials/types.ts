/** Which executor serves a credential (one per upstream kind). */
export type ExecutorKind =
  | 'openai-compat'
  | 'claude'
  | 'gemini'
  | 'codex'
  | 'vertex'
  | 'gemini-cli'
  | 'antigravity'
  | 'qwen'
  | 'iflow';

/** A model a credential serves: `id` is what callers ask for, `upstream` what is sent upstream. */
export interface ModelRoute {
  id: string;
  upstream: string;
}

export interface Credential {
  /** Stable id: hash of kind+key+base for config entries, auth-dir relative path for files. */
  id: string;
  /** Routing provider key (`gemini`, `claude`, `codex`, `vertex`, compat `name` lower-cased, `gemini-cli`, ...). */
  provider: string;
  kind: ExecutorKind;
  /** Non-secret label for logs and the X-CLIProxy-Credential header. */
  label: string;
  source: 'config' | 'file';
  apiKey?: string;
  baseUrl?: string;
  proxyUrl?: string;
  headers: Record<string, string>;
  models: ModelRoute[];
  priority: number;
  /** Mutable provider-specific state (OAuth tokens, project ids); owned by the credential's executor. */
  attributes: Record<string, unknown>;
}
