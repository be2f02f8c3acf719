import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { migrate } from './migrations';

export interface OpenedDatabase {
  db: Database;
  /** Set when the file was unreadable and was moved aside: tell the user where it went. */
  recoveredFrom: { movedTo: string; reason: string } | null;
}

/**
 * Opens (or creates) the store, sets WAL + synchronous=NORMAL (they are per connection, so on
 * every open) and migrates. A file that is not a database, or is damaged, is moved aside with its
 * -wal/-shm files and a fresh database is created: history is lost but the app starts, and the
 * old file is kept for the user to inspect.
 */
export function openDatabase(file: string, options: { now?: () => Date } = {}): OpenedDatabase {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  try {
    return { db: openAndCheck(file), recoveredFrom: null };
  } catch (error) {
    if (!isCorruption(error)) throw error;
    const stamp = (options.now?.() ?? new Date()).toISOString().replace(/[:.]/g, '-');
    const movedTo = `${file}.corrupt-${stamp}`;
    for (const suffix of ['', '-wal', '-shm']) {
      if (fs.existsSync(file + suffix)) fs.renameSync(file + suffix, movedTo + suffix);
    }
    const reason = error instanceof Error ? error.message : String(error);
    return { db: openAndCheck(file), recoveredFrom: { movedTo, reason } };
  }
}

function openAndCheck(file: string): Database {
  const db = new BetterSqlite3(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new CorruptDatabaseError(`integrity check failed: ${String(check)}`);
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

class CorruptDatabaseError extends Error {}

function isCorruption(error: unknown): boolean {
  if (error instanceof CorruptDatabaseError) return true;
  const code = (error as { code?: unknown })?.code;
  return code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' || code === 'SQLITE_CORRUPT_VTAB';
}
