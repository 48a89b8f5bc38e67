import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { directDispatcher } from '../upstream/dispatcher.js';

/**
 * Codex CLI's official system prompts, which the ChatGPT Codex backend expects as `instructions`. They are
 * OpenAI's text, so they are not shipped with cliproxy: on first need each one is looked up in
 * `CLIPROXY_CODEX_PROMPTS_DIR`, `prompts/codex/` and the download cache, else downloaded once from the Codex
 * CLI repository (`CLIPROXY_CODEX_PROMPTS_URL`, default its `main` branch) into the cache
 * (`~/.cache/cliproxy/codex-prompts`). Nothing found → undefined, and the caller's instructions pass as sent.
 */
const DEFAULT_SOURCE = 'https://raw.githubusercontent.com/openai/codex/main/codex-rs/core/';

/** Our file name → the file's name in the Codex CLI repository. */
const UPSTREAM_NAMES: Record<string, string> = {
  'codex-max.md': 'gpt-5.1-codex-max_prompt.md',
  'gpt-5-codex.md': 'gpt_5_codex_prompt.md',
  'gpt-5.1.md': 'gpt_5_1_prompt.md',
  'base.md': 'prompt.md',
};

export function promptCacheDir(): string {
  return process.env.CLIPROXY_CODEX_PROMPTS_CACHE?.trim() || join(homedir(), '.cache', 'cliproxy', 'codex-prompts');
}

export async function readPrompt(dirs: readonly string[], file: string): Promise<string | undefined> {
  for (const dir of [...dirs, promptCacheDir()]) {
    try {
      const text = await readFile(join(dir, file), 'utf8');
      if (text.trim()) return text;
    } catch {
      /* next */
    }
  }
  return downloadPrompt(file);
}

async function downloadPrompt(file: string): Promise<string | undefined> {
  const name = UPSTREAM_NAMES[file];
  if (!name) return undefined;
  const base = process.env.CLIPROXY_CODEX_PROMPTS_URL?.trim() || DEFAULT_SOURCE;
  try {
    const res = await request(`${base.replace(/\/+$/, '')}/${name}`, { dispatcher: directDispatcher(), signal: AbortSignal.timeout(10_000) });
    const text = await res.body.text();
    if (res.statusCode !== 200 || !text.trim()) return undefined;
    const dir = promptCacheDir();
    await mkdir(dir, { recursive: true });
    const tmp = join(dir, `.${file}.${process.pid}.tmp`);
    await writeFile(tmp, text, { mode: 0o644 });
    await rename(tmp, join(dir, file));
    return text;
  } catch {
    return undefined;
  }
}
