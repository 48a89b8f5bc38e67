import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import type { Credential } from './types.js';
import type { Logger } from '../util/log.js';
import type { Env } from '../providers/oauth/endpoints.js';
import { TokenSession } from './session.js';
import { credentialsFromTokenFile, fileType, validateTokenFile } from './file-credential.js';
import { writeJsonAtomic } from './token-file.js';
import { RefreshScheduler } from './refresh.js';
import { fetchAntigravityModels } from '../providers/antigravity-models.js';

export interface AuthDirOptions {
  dir: string;
  log: Logger;
  config: () => Config;
  /** Receives the full credential list of this source after every change. */
  publish(credentials: Credential[]): void;
  env?: Env;
  /** Background refresh pass interval (default 5 s, as CLIProxyAPI). */
  refreshIntervalMs?: number;
}

interface FileEntry {
  hash: string;
  session: TokenSession;
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The auth-dir store: every `*.json` with a `type` becomes credentials (SPEC 2.8). Files are watched; adds,
 * edits and removals are applied live. A malformed file is reported by name and skipped. Refreshed tokens are
 * written back atomically (0600), and our own writes are recognised by content hash so they do not reload.
 * Emits `sync` after each rescan has been published.
 */
export class AuthDirSource extends EventEmitter {
  private readonly files = new Map<string, FileEntry>();
  /** Files skipped and why (by file name), for logs and status pages. */
  readonly problems = new Map<string, string>();
  private readonly reportedHashes = new Map<string, string>();
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private dirPoll: NodeJS.Timeout | undefined;
  private scanning: Promise<void> | undefined;
  private rescanAgain = false;
  private stopped = false;
  readonly scheduler: RefreshScheduler;

  constructor(private readonly opts: AuthDirOptions) {
    super();
    this.scheduler = new RefreshScheduler(() => this.sessions(), opts.log, () => this.publish());
  }

  get dir(): string {
    return this.opts.dir;
  }

  *sessions(): Iterable<TokenSession> {
    for (const f of this.files.values()) yield f.session;
  }

  session(id: string): TokenSession | undefined {
    return this.files.get(id)?.session;
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.rescan();
    this.startWatching();
    this.scheduler.start(this.opts.refreshIntervalMs);
  }

  stop(): void {
    this.stopped = true;
    this.watcher?.close();
    this.watcher = undefined;
    if (this.debounce) clearTimeout(this.debounce);
    if (this.dirPoll) clearInterval(this.dirPoll);
    this.scheduler.stop();
  }

  private startWatching(): void {
    if (this.stopped || this.watcher) return;
    try {
      this.watcher = watch(this.opts.dir, { persistent: false }, (_event, name) => {
        if (name && !String(name).endsWith('.json')) return;
        this.scheduleRescan();
      });
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = undefined;
        this.pollForDir();
      });
      if (this.dirPoll) clearInterval(this.dirPoll);
      this.dirPoll = undefined;
    } catch {
      // The directory does not exist yet: the first login creates it; look again every few seconds.
      this.pollForDir();
    }
  }

  private pollForDir(): void {
    if (this.dirPoll || this.stopped) return;
    this.dirPoll = setInterval(() => {
      stat(this.opts.dir).then(
        () => {
          this.startWatching();
          this.scheduleRescan();
        },
        () => {},
      );
    }, 3000);
    this.dirPoll.unref();
  }

  private scheduleRescan(): void {
    if (this.debounce) clearTimeout(this.debounce);
    // Editors and atomic writers produce bursts of events; one rescan after the burst is enough.
    this.debounce = setTimeout(() => void this.rescan(), 50);
  }

  /** Re-read the directory and publish; concurrent calls are folded into one follow-up scan. */
  rescan(): Promise<void> {
    if (this.scanning) {
      this.rescanAgain = true;
      return this.scanning;
    }
    this.scanning = (async () => {
      do {
        this.rescanAgain = false;
        await this.scanOnce();
      } while (this.rescanAgain);
    })().finally(() => {
      this.scanning = undefined;
    });
    return this.scanning;
  }

  private async scanOnce(): Promise<void> {
    let names: string[];
    try {
      names = (await readdir(this.opts.dir)).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
    } catch {
      names = [];
    }
    const present = new Set(names);
    let changed = false;
    for (const id of [...this.files.keys()]) {
      if (!present.has(id)) {
        this.files.delete(id);
        this.opts.log.info({ file: id }, 'auth file removed; its credentials are withdrawn');
        changed = true;
      }
    }
    for (const id of [...this.problems.keys()]) if (!present.has(id)) this.problems.delete(id);
    for (const name of names) {
      let text: string;
      try {
        text = await readFile(join(this.opts.dir, name), 'utf8');
      } catch {
        continue; // vanished between readdir and read: the next event handles it
      }
      const hash = sha(text);
      const known = this.files.get(name);
      if (known?.hash === hash) continue;
      if (!known && this.reportedHashes.get(name) === hash) continue;
      let json: unknown;
      let problem: string | undefined;
      try {
        json = JSON.parse(text);
        problem = validateTokenFile(json);
      } catch (err) {
        problem = `invalid JSON (${(err as Error).message})`;
      }
      if (problem) {
        this.reportedHashes.set(name, hash);
        this.problems.set(name, problem);
        this.opts.log.warn({ file: join(this.opts.dir, name), problem }, `auth file ${name} skipped: ${problem}`);
        if (known) {
          this.files.delete(name);
          changed = true;
        }
        continue;
      }
      this.problems.delete(name);
      this.reportedHashes.delete(name);
      const meta = json as Record<string, unknown>;
      if (known && fileType(known.session.meta) === fileType(meta)) {
        known.session.replaceMeta(meta);
        known.hash = hash;
      } else {
        const session = new TokenSession(name, fileType(meta), join(this.opts.dir, name), meta, {
          env: this.opts.env ?? process.env,
          log: this.opts.log,
          persist: (s) => this.persist(s),
          changed: () => this.publish(),
        });
        this.files.set(name, { hash, session });
        this.opts.log.info({ file: name, type: session.type }, known ? 'auth file changed' : 'auth file loaded');
        if (session.type === 'antigravity') void this.discoverModels(session);
      }
      changed = true;
    }
    if (changed || !this.publishedOnce) this.publish();
    this.emit('sync');
  }

  private publishedOnce = false;

  private async discoverModels(session: TokenSession): Promise<void> {
    const base = typeof session.meta.base_url === 'string' ? session.meta.base_url : undefined;
    const models = await fetchAntigravityModels(session, base);
    if (!models || this.files.get(session.id)?.session !== session) return;
    session.discoveredModels = models;
    this.publish();
    this.emit('models', session.id);
  }

  /** Write a session's metadata back to its file (atomic, 0600) without triggering a reload of our own write. */
  async persist(session: TokenSession): Promise<void> {
    const text = await writeJsonAtomic(session.path, session.meta);
    const entry = this.files.get(session.id);
    if (entry?.session === session) entry.hash = sha(text);
  }

  /** Current credentials of usable files; published to the app after every change. */
  credentials(): Credential[] {
    const cfg = this.opts.config();
    const out: Credential[] = [];
    for (const [id, f] of this.files) {
      if (!f.session.usable()) continue;
      out.push(...credentialsFromTokenFile(id, f.session, cfg));
    }
    return out;
  }

  publish(): void {
    this.publishedOnce = true;
    this.opts.publish(this.credentials());
  }
}
