import type { Database } from 'better-sqlite3';

export interface ProfileRow {
  id: string;
  name: string;
  url: string;
  apiKey: string;
  /** Encrypted by the shell's SecretStore; never leaves main. */
  secret: Buffer | null;
  createdAt: number;
  updatedAt: number;
}

const columns = 'id, name, url, api_key AS apiKey, secret, created_at AS createdAt, updated_at AS updatedAt';

export function listProfiles(db: Database): ProfileRow[] {
  return db.prepare(`SELECT ${columns} FROM profiles ORDER BY name COLLATE NOCASE, created_at`).all() as ProfileRow[];
}

export function getProfile(db: Database, id: string): ProfileRow | undefined {
  return db.prepare(`SELECT ${columns} FROM profiles WHERE id = ?`).get(id) as ProfileRow | undefined;
}

export function upsertProfile(db: Database, row: ProfileRow): void {
  db.prepare(
    `INSERT INTO profiles (id, name, url, api_key, secret, created_at, updated_at)
     VALUES (@id, @name, @url, @apiKey, @secret, @createdAt, @updatedAt)
     ON CONFLICT(id) DO UPDATE SET name = excluded.name, url = excluded.url, api_key = excluded.api_key,
       secret = excluded.secret, updated_at = excluded.updated_at`,
  ).run(row);
}

export function deleteProfile(db: Database, id: string): boolean {
  return db.prepare('DELETE FROM profiles WHERE id = ?').run(id).changes > 0;
}
