import type { Database } from 'better-sqlite3';

export interface SessionRow {
  id: string;
  kind: 'watch' | 'record';
  origin: 'app' | 'cli';
  profileId: string | null;
  serverUrl: string;
  room: string;
  startedAt: number;
  endedAt: number | null;
}

export interface ParticipantRow {
  sessionId: string;
  identity: string;
  name: string;
  joinedAt: number;
  leftAt: number | null;
}

const sessionColumns = `id, kind, origin, profile_id AS profileId, server_url AS serverUrl, room,
  started_at AS startedAt, ended_at AS endedAt`;

export function insertSession(db: Database, row: SessionRow): void {
  db.prepare(
    `INSERT INTO sessions (id, kind, origin, profile_id, server_url, room, started_at, ended_at)
     VALUES (@id, @kind, @origin, @profileId, @serverUrl, @room, @startedAt, @endedAt)`,
  ).run(row);
}

export function endSession(db: Database, id: string, endedAt: number): void {
  db.prepare('UPDATE sessions SET ended_at = ? WHERE id = ? AND ended_at IS NULL').run(endedAt, id);
  db.prepare('UPDATE participants SET left_at = ? WHERE session_id = ? AND left_at IS NULL').run(endedAt, id);
}

export function listSessions(db: Database, limit = 200): SessionRow[] {
  return db.prepare(`SELECT ${sessionColumns} FROM sessions ORDER BY started_at DESC LIMIT ?`).all(limit) as SessionRow[];
}

export function getSession(db: Database, id: string): SessionRow | undefined {
  return db.prepare(`SELECT ${sessionColumns} FROM sessions WHERE id = ?`).get(id) as SessionRow | undefined;
}

/** Sessions a crash left open (no end time). */
export function listOpenSessions(db: Database): SessionRow[] {
  return db.prepare(`SELECT ${sessionColumns} FROM sessions WHERE ended_at IS NULL`).all() as SessionRow[];
}

export function participantJoined(db: Database, row: Omit<ParticipantRow, 'leftAt'>): void {
  const open = db
    .prepare('SELECT 1 FROM participants WHERE session_id = ? AND identity = ? AND left_at IS NULL')
    .get(row.sessionId, row.identity);
  if (open) return;
  db.prepare(
    'INSERT INTO participants (session_id, identity, name, joined_at) VALUES (@sessionId, @identity, @name, @joinedAt)',
  ).run(row);
}

export function participantLeft(db: Database, sessionId: string, identity: string, leftAt: number): void {
  db.prepare('UPDATE participants SET left_at = ? WHERE session_id = ? AND identity = ? AND left_at IS NULL').run(
    leftAt,
    sessionId,
    identity,
  );
}

export function listParticipants(db: Database, sessionIds: readonly string[]): ParticipantRow[] {
  if (sessionIds.length === 0) return [];
  return db
    .prepare(
      `SELECT session_id AS sessionId, identity, name, joined_at AS joinedAt, left_at AS leftAt
       FROM participants WHERE session_id IN (SELECT value FROM json_each(?)) ORDER BY joined_at`,
    )
    .all(JSON.stringify(sessionIds)) as ParticipantRow[];
}
