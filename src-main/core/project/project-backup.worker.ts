// Copies a project with SQLite's online backup API, run by project-backup.ts as a child process
// so that opening a project can stay synchronous: argv = [source, destination].
import Database from 'better-sqlite3';

const [source, destination] = process.argv.slice(2);
const db = new Database(source!, { readonly: true, fileMustExist: true });
db.backup(destination!).then(
  () => {
    db.close();
    // A backup is one self-contained file: no -wal/-shm beside it, even when opened later.
    const copy = new Database(destination!);
    copy.pragma('journal_mode = DELETE');
    copy.close();
    process.exit(0);
  },
  (err: unknown) => {
    process.stderr.write(err instanceof Error ? err.message : String(err));
    db.close();
    process.exit(1);
  },
);
