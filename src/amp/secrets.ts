import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AmpcodeConfig } from '../config/schema.js';

/** Where the Amp CLI keeps its per-URL keys (`"apiKey@<amp url>"`). */
export function ampSecretsPath(): string {
  return join(process.env.HOME || homedir(), '.local', 'share', 'amp', 'secrets.json');
}

const FILE_TTL_MS = 5 * 60_000;
const DEFAULT_SECRET_ENTRY = 'apiKey@https://ampcode.com/';

interface CachedFile {
  path: string;
  at: number;
  entries: Record<string, string> | undefined;
}

export type SecretSource = 'upstream-api-keys' | 'upstream-api-key' | 'env AMP_API_KEY' | 'secrets file';

/**
 * Resolves the key sent to the Amp upstream, in order: the per-client `upstream-api-keys` entry for the
 * caller's proxy key, `upstream-api-key`, env `AMP_API_KEY`, then the Amp CLI's secrets file (read at most
 * every 5 minutes, a missing file cached too). Config values are read live, so a reload applies at once.
 * A candidate equal to one of our own client keys is skipped: the caller's proxy key never goes upstream
 * (the usual trap is `AMP_API_KEY` exported in the shell that also starts the proxy).
 */
export class AmpSecretResolver {
  private file: CachedFile | undefined;
  private loading: Promise<Record<string, string> | undefined> | undefined;

  constructor(private readonly pathOf: () => string = ampSecretsPath) {}

  async resolve(cfg: AmpcodeConfig, clientKey: string | undefined, isClientKey: (k: string) => boolean): Promise<{ key: string; source: SecretSource } | undefined> {
    const candidates: Array<[SecretSource, () => string | undefined | Promise<string | undefined>]> = [
      ['upstream-api-keys', () => (clientKey ? cfg['upstream-api-keys'].find((e) => e['api-keys'].includes(clientKey))?.['upstream-api-key'] : undefined)],
      ['upstream-api-key', () => cfg['upstream-api-key']],
      ['env AMP_API_KEY', () => process.env.AMP_API_KEY?.trim()],
      ['secrets file', () => this.fromFile(cfg['upstream-url'])],
    ];
    for (const [source, get] of candidates) {
      const key = await get();
      if (key && !isClientKey(key)) return { key, source };
    }
    return undefined;
  }

  /** Forget the cached secrets file (tests, or after the user logs in again). */
  invalidate(): void {
    this.file = undefined;
  }

  private async fromFile(upstreamUrl: string): Promise<string | undefined> {
    const entries = await this.readFileCached();
    if (!entries) return undefined;
    const own = upstreamUrl ? `apiKey@${upstreamUrl.replace(/\/+$/, '')}/` : '';
    return (own && entries[own]) || entries[DEFAULT_SECRET_ENTRY] || undefined;
  }

  private async readFileCached(): Promise<Record<string, string> | undefined> {
    const path = this.pathOf();
    const now = Date.now();
    if (this.file && this.file.path === path && now - this.file.at < FILE_TTL_MS) return this.file.entries;
    this.loading ??= readSecrets(path).finally(() => (this.loading = undefined));
    const entries = await this.loading;
    this.file = { path, at: now, entries };
    return entries;
  }
}

async function readSecrets(path: string): Promise<Record<string, string> | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined; // no Amp CLI login on this machine: not an error
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
    const out: Record<string, string> = {};
    for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
    return out;
  } catch {
    return undefined;
  }
}
