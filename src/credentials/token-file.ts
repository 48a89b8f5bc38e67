import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Write a credential file atomically with mode 0600: a temp file in the same directory (its name does not end
 * in `.json`, so the auth-dir watcher ignores it), then a rename over the target. Readers never see half a file.
 * Returns the exact text written (the watcher compares it to skip our own writes).
 */
export async function writeJsonAtomic(path: string, value: unknown): Promise<string> {
  const text = `${JSON.stringify(value, null, 2)}\n`;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, text, { mode: 0o600 });
    await chmod(tmp, 0o600); // a umask cannot widen it, but a pre-existing file's mode could differ
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => {});
    throw err;
  }
  return text;
}

/** File-name-safe form of an email or alias (CLIProxyAPI keeps `@` and `.`; only path-hostile characters go). */
export function safeName(s: string): string {
  return s.trim().replace(/[/\\:*?"<>|\s]+/g, '_') || 'default';
}
