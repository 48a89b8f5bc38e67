import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

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
  messages: string;
}

/**
 * The embedded thread store (SQLite via better-sqlite3, WAL). A thread is one row whose message list is
 * rewritten when it changes; that happens a few times per turn, never per streamed token, so the synchronous
 * driver costs microseconds where it runs. `maxThreads` bounds the file: the least recently updated go first.
 */
export class ThreadStore {
  private readonly db: Database.Database;
  private readonly getStmt: Database.Statement<[string], Row>;
  private readonly putStmt: Database.Statement<[Row]>;

  constructor(
    path: string,
    private readonly maxThreads: () => number,
  ) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS threads (
      id TEXT PRIMARY KEY, owner TEXT NOT NULL, created INTEGER NOT NULL, updated INTEGER NOT NULL,
      title TEXT NOT NULL DEFAULT '', agent_mode TEXT NOT NULL DEFAULT 'medium', archived INTEGER NOT NULL DEFAULT 0,
      seq INTEGER NOT NULL DEFAULT 0, messages TEXT NOT NULL DEFAULT '[]')`);
    this.db.exec('CREATE INDEX IF NOT EXISTS threads_updated ON threads(updated)');
    this.getStmt = this.db.prepare('SELECT * FROM threads WHERE id = ?');
    this.putStmt = this.db.prepare(`INSERT INTO threads (id, owner, created, updated, title, agent_mode, archived, seq, messages)
      VALUES (@id, @owner, @created, @updated, @title, @agent_mode, @archived, @seq, @messages)
      ON CONFLICT(id) DO UPDATE SET updated = @updated, title = @title, agent_mode = @agent_mode, archived = @archived, seq = @seq, messages = @messages`);
  }

  get(id: string): ThreadRecord | undefined {
    const row = this.getStmt.get(id);
    return row ? fromRow(row) : undefined;
  }

  put(t: ThreadRecord): void {
    this.putStmt.run({
      id: t.id,
      owner: t.owner,
      created: t.created,
      updated: t.updated,
      title: t.title,
      agent_mode: t.agentMode,
      archived: t.archived ? 1 : 0,
      seq: t.seq,
      messages: JSON.stringify(t.messages),
    });
  }

  /** Threads of one owner, most recent first (listing without message bodies). */
  list(owner: string, limit: number): Array<Omit<ThreadRecord, 'messages'> & { messageCount: number }> {
    const rows = this.db
      .prepare<[string, number], Row>('SELECT * FROM threads WHERE owner = ? ORDER BY updated DESC LIMIT ?')
      .all(owner, limit);
    return rows.map((r) => {
      const { messages, ...rest } = fromRow(r);
      return { ...rest, messageCount: messages.length };
    });
  }

  /** Delete the least recently updated threads beyond the retention limit; returns how many went. */
  prune(): number {
    const keep = this.maxThreads();
    const res = this.db.prepare('DELETE FROM threads WHERE id IN (SELECT id FROM threads ORDER BY updated DESC LIMIT -1 OFFSET ?)').run(keep);
    return res.changes;
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM threads').get() as { n: number }).n;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function fromRow(r: Row): ThreadRecord {
  return {
    id: r.id,
    owner: r.owner,
    created: r.created,
    updated: r.updated,
    title: r.title,
    agentMode: r.agent_mode,
    archived: r.archived === 1,
    seq: r.seq,
    messages: JSON.parse(r.messages) as StoredMessage[],
  };
}
