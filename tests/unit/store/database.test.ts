import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../main/store/database';
import { latestVersion, migrate, migrations } from '../../../main/store/migrations';
import { insertRecording, listRecordings } from '../../../main/store/recording-store';
import { insertSession, listSessions } from '../../../main/store/session-store';
import { makeTempDir } from '../../helpers/temp-dir';

let temp: ReturnType<typeof makeTempDir>;
let file: string;
beforeEach(() => {
  temp = makeTempDir();
  file = path.join(temp.dir, 'haven.db');
});
afterEach(() => temp.cleanup());

function tableNames(db: BetterSqlite3.Database): string[] {
  return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
}

describe('openDatabase', () => {
  it('creates the schema at the latest version with WAL and synchronous=NORMAL', () => {
    const { db, recoveredFrom } = openDatabase(file);
    expect(recoveredFrom).toBeNull();
    expect(db.pragma('user_version', { simple: true })).toBe(latestVersion);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(1); // 1 = NORMAL
    expect(tableNames(db)).toEqual(expect.arrayContaining(['participants', 'profiles', 'recordings', 'sessions', 'settings']));
    db.close();
  });

  it('sets WAL and synchronous=NORMAL again on every open (they are per connection)', () => {
    openDatabase(file).db.close();
    const plain = new BetterSqlite3(file);
    plain.pragma('synchronous = FULL');
    plain.close();
    const { db } = openDatabase(file);
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  for (let from = 0; from < latestVersion; from++) {
    it(`migrates a file at user_version ${from} to ${latestVersion}, keeping its data`, () => {
      const old = new BetterSqlite3(file);
      migrate(old, from);
      expect(old.pragma('user_version', { simple: true })).toBe(from);
      if (from >= 1) {
        old.prepare("INSERT INTO sessions (id, kind, server_url, room, started_at) VALUES ('s1', 'record', 'ws://x', 'demo', 1)").run();
        old.prepare(
          "INSERT INTO recordings (id, session_id, identity, source, path, kind, status, started_at) VALUES ('r1', 's1', 'alice', 'camera', '/tmp/a.mp4', 'mp4', 'complete', 2)",
        ).run();
      }
      old.close();

      const { db } = openDatabase(file);
      expect(db.pragma('user_version', { simple: true })).toBe(latestVersion);
      if (from >= 1) {
        expect(listSessions(db).map((s) => s.id)).toEqual(['s1']);
        expect(listRecordings(db)[0]).toMatchObject({ id: 'r1', room: 'demo', thumbnailPath: null });
      }
      // The migrated schema is the same as a fresh one.
      const fresh = new BetterSqlite3(':memory:');
      migrate(fresh);
      expect(tableNames(db)).toEqual(tableNames(fresh));
      fresh.close();
      db.close();
    });
  }

  it('rolls a failing migration back as a whole', () => {
    const db = new BetterSqlite3(file);
    migrate(db, 1);
    db.exec('CREATE TABLE recordings_by_started_blocker (x)');
    db.exec('CREATE INDEX recordings_by_started ON recordings_by_started_blocker(x)'); // makes migration 2 fail
    expect(() => migrate(db)).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    const columns = (db.prepare('PRAGMA table_info(recordings)').all() as { name: string }[]).map((c) => c.name);
    expect(columns).not.toContain('thumbnail_path');
    db.close();
  });

  it('refuses a database written by a newer app instead of damaging it', () => {
    const db = new BetterSqlite3(file);
    db.pragma(`user_version = ${migrations.length + 5}`);
    db.close();
    expect(() => openDatabase(file)).toThrow(/newer Haven Player/);
  });

  it('moves a garbage file aside and starts a fresh database', () => {
    fs.writeFileSync(file, Buffer.alloc(8192, 'not a database '));
    const { db, recoveredFrom } = openDatabase(file);
    expect(recoveredFrom).not.toBeNull();
    expect(fs.readFileSync(recoveredFrom!.movedTo, 'utf8')).toContain('not a database');
    expect(db.pragma('user_version', { simple: true })).toBe(latestVersion);
    insertSession(db, { id: 'x', kind: 'watch', origin: 'app', profileId: null, serverUrl: 'ws://h', room: 'r', startedAt: 1, endedAt: null });
    expect(listSessions(db)).toHaveLength(1);
    db.close();
  });

  it('moves a truncated database aside and starts a fresh one', () => {
    const { db: first } = openDatabase(file);
    insertSession(first, { id: 's', kind: 'record', origin: 'app', profileId: null, serverUrl: 'ws://h', room: 'r', startedAt: 1, endedAt: null });
    const insert = first.prepare(
      "INSERT INTO recordings (id, session_id, identity, source, path, kind, status, started_at) VALUES (?, 's', 'a', 'camera', ?, 'mp4', 'complete', 1)",
    );
    first.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run(`r${i}`, `/recordings/${'x'.repeat(100)}-${i}.mp4`);
    })();
    first.pragma('wal_checkpoint(TRUNCATE)');
    first.close();
    const size = fs.statSync(file).size;
    expect(size).toBeGreaterThan(100_000);
    fs.truncateSync(file, Math.floor(size / 3));

    const { db, recoveredFrom } = openDatabase(file);
    expect(recoveredFrom?.movedTo).toMatch(/haven\.db\.corrupt-/);
    expect(fs.existsSync(recoveredFrom!.movedTo)).toBe(true);
    expect(listRecordings(db)).toEqual([]);
    insertSession(db, { id: 'y', kind: 'watch', origin: 'app', profileId: null, serverUrl: 'ws://h', room: 'r', startedAt: 1, endedAt: null });
    db.close();
  });

  it('uses an index to list the library newest first', () => {
    const { db } = openDatabase(file);
    const plan = db.prepare('EXPLAIN QUERY PLAN SELECT * FROM recordings ORDER BY started_at DESC').all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/recordings_by_started/);
    db.close();
  });
});

describe('recording rows', () => {
  it('are written with every field and read back', () => {
    const { db } = openDatabase(file);
    insertSession(db, { id: 's', kind: 'record', origin: 'cli', profileId: null, serverUrl: 'ws://h', room: 'demo', startedAt: 10, endedAt: null });
    insertRecording(db, {
      id: 'r', sessionId: 's', identity: 'alice', source: 'camera', path: '/x/alice.mp4', kind: 'mp4', status: 'recording',
      bytes: 5, durationMs: null, startedAt: 11, endedAt: null, error: null, thumbnailPath: null,
    });
    expect(listRecordings(db, { room: 'demo' })).toHaveLength(1);
    expect(listRecordings(db, { room: 'other' })).toHaveLength(0);
    expect(listRecordings(db, { status: 'recording' })[0]).toMatchObject({ identity: 'alice', bytes: 5 });
    db.close();
  });
});
