import type Database from 'better-sqlite3';

/** How long a statement waits for another process's write to finish before reporting the project busy. */
export const BUSY_TIMEOUT_MS = 5000;

/**
 * Makes one connection a good neighbour of the others on the same project file (a second window,
 * a CLI job, a training worker): WAL lets readers and one writer work at once, and a writer that
 * finds the file locked waits instead of failing.
 *
 * better-sqlite3 begins transactions DEFERRED: a transaction that reads first and writes later
 * must upgrade its lock, and when another process committed in between SQLite refuses at once
 * with "database is locked" (SQLITE_BUSY_SNAPSHOT) without waiting. Every transaction of ours may
 * write, so they all begin IMMEDIATE: the write lock is taken up front, where the busy timeout
 * applies. Transactions are kept short (one batch each) by their callers, so the wait is too.
 */
export function configureSharedAccess(db: Database.Database): void {
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  const deferredTransaction = db.transaction.bind(db);
  // Each variant better-sqlite3 returns carries the others (.deferred, .immediate, ...) as properties.
  const immediateTransaction = ((fn: (...args: unknown[]) => unknown) => deferredTransaction(fn).immediate) as Database.Database['transaction'];
  db.transaction = immediateTransaction;
}
