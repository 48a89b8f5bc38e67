import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { EventEmitter } from 'node:events';
import type { Config } from './schema.js';
import { ConfigError, parseConfigText } from './load.js';
import type { Logger } from '../util/log.js';

/**
 * Holds the live config snapshot and swaps it when the file changes. Watches the directory, not the file,
 * because editors save by writing a temp file and renaming it over the original (a new inode).
 * A broken edit keeps the last good snapshot and logs why.
 */
export class ConfigHolder extends EventEmitter {
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastText: string;

  constructor(
    private snapshot: Config,
    private readonly path: string | undefined,
    text: string,
    private readonly log: Logger,
  ) {
    super();
    this.lastText = text;
  }

  get current(): Config {
    return this.snapshot;
  }

  /** Replace the snapshot programmatically (tests, management API). */
  replace(next: Config): void {
    const prev = this.snapshot;
    this.snapshot = next;
    this.emit('change', next, prev);
  }

  start(debounceMs = 100): void {
    if (!this.path || this.watcher) return;
    const file = basename(this.path);
    this.watcher = watch(dirname(this.path), { persistent: false }, (_event, name) => {
      if (name !== null && name !== file) return;
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.reload(), debounceMs);
    });
    this.watcher.on('error', (err) => this.log.warn({ err: err.message }, 'config watcher error'));
  }

  stop(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
    this.watcher = undefined;
  }

  /** Re-read the file now; resolves to true when a new snapshot was applied. */
  async reload(): Promise<boolean> {
    if (!this.path) return false;
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      this.log.warn({ path: this.path, err: (err as Error).message }, 'config file unreadable; keeping the last good config');
      return false;
    }
    if (text === this.lastText || text.trim() === '') return false;
    try {
      const { config, warnings } = parseConfigText(text, this.path);
      for (const w of warnings) this.log.warn({ path: this.path }, w);
      this.lastText = text;
      this.replace(config);
      this.log.info({ path: this.path }, 'config reloaded');
      return true;
    } catch (err) {
      const problems = err instanceof ConfigError ? err.problems : [(err as Error).message];
      this.log.error({ path: this.path, problems }, 'config edit rejected; keeping the last good config');
      return false;
    }
  }
}
