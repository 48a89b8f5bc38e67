import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { configSchema, type Config } from './schema.js';
import { migrateLegacyKeys } from './migrate.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[], readonly file?: string) {
    super(`${file ?? 'config'}: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadedConfig {
  config: Config;
  /** Unknown keys and legacy migrations: worth telling the user, not worth failing for. */
  warnings: string[];
  /** Absolute path of the file read, or undefined when running on built-in defaults. */
  path?: string;
  /** The raw file text (for change detection). */
  text: string;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  const json = JSON.stringify(value);
  const shown = json && json.length > 60 ? `${json.slice(0, 57)}...` : json;
  return `${shown} (${Array.isArray(value) ? 'list' : typeof value})`;
}

function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || '(top level)';
}

function expected(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
    case 'too_big':
      return issue.message;
    default:
      return issue.message;
  }
}

function deleteAt(root: unknown, path: readonly PropertyKey[], key: string): void {
  let node: unknown = root;
  for (const p of path) node = (node as Record<PropertyKey, unknown>)?.[p];
  if (node && typeof node === 'object') delete (node as Record<string, unknown>)[key];
}

/** Validate a raw (YAML-parsed) object. Unknown keys become warnings; anything else is a ConfigError. */
export function parseConfigObject(raw: unknown, file?: string): { config: Config; warnings: string[] } {
  if (raw === null || raw === undefined) raw = {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError([`the file must hold a YAML mapping of keys, got ${describe(raw)}`], file);
  }
  const data = dropNulls(structuredClone(raw)) as Record<string, unknown>;
  const warnings = migrateLegacyKeys(data).map((n) => `legacy key migrated: ${n}`);
  for (let round = 0; round < 50; round++) {
    const result = configSchema.safeParse(data, { reportInput: true });
    if (result.success) {
      const config = result.data;
      config['auth-dir'] = expandHome(config['auth-dir']);
      return { config, warnings };
    }
    const unknown = result.error.issues.filter((i) => i.code === 'unrecognized_keys');
    const problems = result.error.issues.filter((i) => i.code !== 'unrecognized_keys');
    if (problems.length > 0) {
      throw new ConfigError(
        problems.map((i) => `\`${pathText(i.path)}\`: got ${describe(i.input)}; ${expected(i)}`),
        file,
      );
    }
    for (const issue of unknown) {
      for (const key of issue.keys) {
        warnings.push(`unknown key \`${pathText([...issue.path, key])}\` ignored`);
        deleteAt(data, issue.path, key);
      }
    }
  }
  throw new ConfigError(['could not settle unknown keys'], file);
}

/** `key:` with nothing after it (or only comments) means "not set", as with CLIProxyAPI's YAML loader. */
function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = dropNulls(x);
    return out;
  }
  return v;
}

export function expandHome(p: string): string {
  if (p === '~') return homedir();
  if (p.startsWith('~/')) return resolve(homedir(), p.slice(2));
  return resolve(p);
}

/** Parse YAML text (with line/column in errors) and validate it. */
export function parseConfigText(text: string, file?: string): { config: Config; warnings: string[] } {
  const doc = parseDocument(text, { uniqueKeys: false });
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => `YAML syntax: ${e.message.split('\n')[0]}`), file);
  }
  return parseConfigObject(doc.toJS(), file);
}

export async function loadConfigFile(path: string): Promise<LoadedConfig> {
  const abs = resolve(path);
  const text = await readFile(abs, 'utf8');
  const { config, warnings } = parseConfigText(text, abs);
  return { config, warnings, path: abs, text };
}

export function defaultConfig(): Config {
  return parseConfigObject({}).config;
}
