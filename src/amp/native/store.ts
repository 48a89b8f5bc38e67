import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { CHECKPOINT_EVERY_MS, Checkpointer } from './checkpointer.js';

/** One stored Amp message with the sequence number it was announced under. */
export interface StoredMessage {
  seq: number;
  message: Record<string, unknown>;
}

export interface ThreadRecord {
  id: string;
  /** sha256 of the api-key that created the thread: only that key may open it again. */
  owner: string;
  created: number;
  updated: number;
  title: string;
  agentMode: string;
  archived: boolean;
  /** Last sequence number used. */
  seq: number;
  messages: StoredMessage[];
}

interface Row {
  id: string;
  owner: string;
  created: number;
  updated: number;
  title: string;
  agent_mode: string;
  archived: number;
  seq: number;
}

export interface ThreadStoreOptions {
  checkpointEveryMs?: number;
  /** A batch of appended messages could not be committed (they stay in the threads' memory only). */
  onWriteError?: (err: Error, threadIds: string[]) => void;
}

/**
 * The embedded thread store (SQLite via better-sqlite3, WAL): a row per thread and a row per message.
 * `maxThreads` bounds the file: the least recently updated go first.
 *
 * Messages are written behind: `appendMessage` queues, and the queue is committed in one transaction once the
 * event loop has finished its current callbacks (setImmediate). A commit is a synchronous write of several pages
 * (about 0.1 ms, more on a slow disk); done at once, it sat between the CLI's message and the model call, and
 * between the model's last byte and the CLI's `idle`. Every read, and every other write, commits the queue first,
 * so the store never answers with less than was appended. What a crash can lose is the same as with
 * `synchronous = NORMAL` on a power cut: the last moment's messages.
 */
export class ThreadStore {
  private readonly checkpointer: Checkpointer | undefined;
  private readonly db: Database.Database;
  private readonly getStmt: Database.Statement<[string], Row>;
  private readonly putStmt: Database.Statement<[Row]>;

  private pending: Array<{ thread: ThreadRecord; message: StoredMessage }> = [];
  private flushSoon: NodeJS.Immediate | undefined;
  private readonly onWriteError: (err: Error, threadIds: string[]) => void;

  constructor(
    path: string,
    private readonly maxThreads: () => number,
    { checkpointEveryMs = CHECKPOINT_EVERY_MS, onWriteError }: ThreadStoreOptions = {},
  ) {
    this.onWriteError = onWriteError ?? ((err) => process.emitWarning(`amp thread store write failed: ${err.message}`));
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    // SQLite's automatic checkpoint runs inside whichever commit crosses 1,000 WAL pages: a 20 ms synchronous
    // stall in the middle of a turn (measured by bench/amp-native.mjs). Checkpoints run on a worker thread
    // instead (see Checkpointer); an in-memory database has no log to checkpoint.
    this.db.pragma('wal_autocheckpoint = 0');
    this.db.exec(`CREATE TABLE IF NOT EXISTS threads (
      id TEXT PRIMARY KEY, owner TEXT NOT NULL, created INTEGER NOT NULL, updated INTEGER NOT NULL,
      title TEXT NOT NULL DEFAULT '', agent_mode TEXT NOT NULL DEFAULT 'medium', archived INTEGER NOT NULL DEFAULT 0,
      seq INTEGER NOT NULL DEFAULT 0)`);
    this.db.exec('CREATE INDEX IF NOT EXISTS threads_updated ON threads(updated)');
    // Messages are rows of their own, so adding one costs the same at message 2 and message 2000.
    this.db.exec(`CREATE TABLE IF NOT EXISTS messages (
      thread_id TEXT NOT NULL REFERENCES threads(id) ON DELETE CASCADE, seq INTEGER NOT NULL, body TEXT NOT NULL,
      PRIMARY KEY (thread_id, seq)) WITHOUT ROWID`);
    this.db.pragma('foreign_keys = ON');
    this.getStmt = this.db.prepare('SELECT * FROM threads WHERE id = ?');
    this.msgsStmt = this.db.prepare('SELECT seq, body FROM messages WHERE thread_id = ? ORDER BY seq');
    this.addMsgStmt = this.db.prepare('INSERT OR REPLACE INTO messages (thread_id, seq, body) VALUES (?, ?, ?)');
    this.putStmt = this.db.prepare(`INSERT INTO threads (id, owner, created, updated, title, agent_mode, archived, seq)
      VALUES (@id, @owner, @created, @updated, @title, @agent_mode, @archived, @seq)
      ON CONFLICT(id) DO UPDATE SET updated = @updated, title = @title, agent_mode = @agent_mode, archived = @archived, seq = @seq`);
    this.checkpointer = path === ':memory:' ? undefined : new Checkpointer(path, checkpointEveryMs);
    this.appendTx = this.db.transaction((batch: ReadonlyArray<{ thread: ThreadRecord; message: StoredMessage }>) => {
      let last: ThreadRecord | undefined;
      for (const { thread, message } of batch) {
        // The thread row first (its seq and updated time; it may have been pruned meanwhile): messages reference it.
        if (thread !== last) this.putRow(thread);
        last = thread;
        this.addMsgStmt.run(thread.id, message.seq, JSON.stringify(message.message));
      }
    });
  }

  private readonly msgsStmt: Database.Statement<[string], { seq: number; body: string }>;
  private readonly addMsgStmt: Database.Statement<[string, number, string]>;

  get(id: string): ThreadRecord | undefined {
    this.flush();
    const row = this.getStmt.get(id);
    if (!row) return undefined;
    const messages = this.msgsStmt.all(id).map((m) => ({ seq: m.seq, message: JSON.parse(m.body) as Record<string, unknown> }));
    return fromRow(row, messages);
  }

  /**
   * Store one new message and the thread's metadata (seq, updated): queued, and committed with whatever else was
   * appended in the same turn of the event loop. The message must not change afterwards.
   */
  appendMessage(thread: ThreadRecord, message: StoredMessage): void {
    this.pending.push({ thread, message });
    this.flushSoon ??= setImmediate(() => this.flush());
  }

  private appendTx!: (batch: ReadonlyArray<{ thread: ThreadRecord; message: StoredMessage }>) => void;

  /** Commit the queued messages now. */
  flush(): void {
    if (this.flushSoon) {
      clearImmediate(this.flushSoon);
      this.flushSoon = undefined;
    }
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    try {
      this.appendTx(batch);
    } catch (err) {
      this.onWriteError(err as Error, [...new Set(batch.map((p) => p.thread.id))]);
    }
  }

  /** Store the thread's metadata (messages are stored by appendMessage). */
  put(t: ThreadRecord): void {
    this.flush();
    this.putRow(t);
  }

  private putRow(t: ThreadRecord): void {
    this.putStmt.run({
      id: t.id,
      owner: t.owner,
      created: t.created,
      updated: t.updated,
      title: t.title,
      agent_mode: t.agentMode,
      archived: t.archived ? 1 : 0,
      seq: t.seq,
    });
  }

  /** Threads of one owner, most recent first (listing without message bodies). */
  list(owner: string, limit: number): Array<Omit<ThreadRecord, 'messages'> & { messageCount: number }> {
    this.flush();
    const rows = this.db
      .prepare<[string, number], Row>('SELECT * FROM threads WHERE owner = ? ORDER BY updated DESC LIMIT ?')
      .all(owner, limit);
    const count = this.db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM messages WHERE thread_id = ?');
    return rows.map((r) => {
      const { messages: _none, ...rest } = fromRow(r, []);
      return { ...rest, messageCount: count.get(r.id)?.n ?? 0 };
    });
  }

  /** Delete the least recently updated threads beyond the retention limit; returns how many went. */
  prune(): number {
    this.flush();
    const keep = this.maxThreads();
    const res = this.db.prepare('DELETE FROM threads WHERE id IN (SELECT id FROM threads ORDER BY updated DESC LIMIT -1 OFFSET ?)').run(keep);
    return res.changes;
  }

  count(): number {
    this.flush();
    return (this.db.prepare('SELECT COUNT(*) AS n FROM threads').get() as { n: number }).n;
  }

  close(): void {
    this.checkpointer?.stop();
    if (this.db.open) {
      this.flush();
      this.db.pragma('wal_checkpoint(TRUNCATE)');
      this.db.close();
    }
  }
}

function fromRow(r: Row, messages: StoredMessage[]): ThreadRecord {
  return {
    id: r.id,
    owner: r.owner,
    created: r.created,
    updated: r.updated,
    title: r.title,
    agentMode: r.agent_mode,
    archived: r.archived === 1,
    seq: r.seq,
    messages,
  };
}
