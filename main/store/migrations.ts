import type { Database } from 'better-sqlite3';

/**
 * Numbered migrations: migration i brings a database from user_version i to i + 1. Each runs in
 * its own transaction together with the user_version bump, so a crash leaves either the old or
 * the new schema, never half of one. Never edit a released migration; append a new one.
 */
export const migrations: readonly ((db: Database) => void)[] = [
  // 0 -> 1: the initial schema.
  (db) => {
    db.exec(`
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
      CREATE TABLE profiles (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        url TEXT NOT NULL,
        api_key TEXT NOT NULL,
        secret BLOB,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('watch', 'record')),
        origin TEXT NOT NULL DEFAULT 'app' CHECK (origin IN ('app', 'cli')),
        profile_id TEXT,
        server_url TEXT NOT NULL,
        room TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        ended_at INTEGER
      );
      CREATE TABLE participants (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        identity TEXT NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        joined_at INTEGER NOT NULL,
        left_at INTEGER
      );
      CREATE TABLE recordings (
        id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        identity TEXT NOT NULL,
        source TEXT NOT NULL,
        path TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ('mp4', 'wav')),
        status TEXT NOT NULL CHECK (status IN ('recording', 'complete', 'interrupted', 'failed')),
        bytes INTEGER NOT NULL DEFAULT 0,
        duration_ms INTEGER,
        started_at INTEGER NOT NULL,
        ended_at INTEGER,
        error TEXT
      );
      CREATE INDEX participants_by_session ON participants(session_id);
      CREATE INDEX recordings_by_session ON recordings(session_id);
    `);
  },
  // 1 -> 2: the library lists newest first and finds interrupted files at start-up.
  (db) => {
    db.exec(`
      CREATE INDEX recordings_by_started ON recordings(started_at DESC);
      CREATE INDEX recordings_by_status ON recordings(status);
      CREATE INDEX sessions_by_started ON sessions(started_at DESC);
      ALTER TABLE recordings ADD COLUMN thumbnail_path TEXT;
    `);
  },
];

export const latestVersion = migrations.length;

/** Brings `db` to `target` (default: latest). Refuses a database newer than this app. */
export function migrate(db: Database, target = latestVersion): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > latestVersion) {
    throw new Error(
      `This database was written by a newer Haven Player (schema ${current}, this app knows ${latestVersion}). Update the app.`,
    );
  }
  for (let version = current; version < target; version++) {
    const step = migrations[version]!;
    db.transaction(() => {
      step(db);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
