import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * The worker's whole program (CommonJS, run with `eval`, so it needs no file of its own next to either the
 * sources or the build): its own connection to the database, checkpointing on a timer until told to stop.
 */
const PROGRAM = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
}, workerData.everyMs);
parentPort.once('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * How often to checkpoint. Each checkpoint still competes with the server for the disk and a core (measured: turn
 * latency outliers of 6-10 ms in bench/amp-native.mjs when it ran every 2 s), so it runs in batches; ten seconds
 * of an agent loop's writes is a few MB of log, which SQLite reads through without trouble.
 */
export const CHECKPOINT_EVERY_MS = 10_000;

/**
 * Copies the thread store's write-ahead log into the database file on a thread of its own. A checkpoint writes
 * back (and syncs) every page changed since the previous one: under a busy agent loop that took 20-70 ms, and
 * on the event loop it stalled every stream and turn in flight. WAL lets a second connection checkpoint while
 * the main one keeps writing, so the main thread never waits for it.
 */
export class Checkpointer {
  private readonly worker: Worker;

  constructor(path: string, everyMs = CHECKPOINT_EVERY_MS) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(PROGRAM, { eval: true, workerData: { path, driver, everyMs } });
    // A failed checkpointer only lets the log grow until the next start; it must not take the server down.
    this.worker.on('error', () => undefined);
    this.worker.unref();
  }

  stop(): void {
    this.worker.postMessage('stop');
  }
}
