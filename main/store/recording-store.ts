import type { Database } from 'better-sqlite3';

export type RecordingState = 'recording' | 'complete' | 'interrupted' | 'failed';

export interface RecordingRow {
  id: string;
  sessionId: string;
  identity: string;
  source: string;
  path: string;
  kind: 'mp4' | 'wav';
  status: RecordingState;
  bytes: number;
  durationMs: number | null;
  startedAt: number;
  endedAt: number | null;
  error: string | null;
  thumbnailPath: string | null;
}

const selectColumns = (t = '') =>
  `${t}id, ${t}session_id AS sessionId, ${t}identity, ${t}source, ${t}path, ${t}kind, ${t}status, ${t}bytes,
   ${t}duration_ms AS durationMs, ${t}started_at AS startedAt, ${t}ended_at AS endedAt, ${t}error,
   ${t}thumbnail_path AS thumbnailPath`;

export function insertRecording(db: Database, row: RecordingRow): void {
  db.prepare(
    `INSERT INTO recordings (id, session_id, identity, source, path, kind, status, bytes, duration_ms,
       started_at, ended_at, error, thumbnail_path)
     VALUES (@id, @sessionId, @identity, @source, @path, @kind, @status, @bytes, @durationMs,
       @startedAt, @endedAt, @error, @thumbnailPath)`,
  ).run(row);
}

export function updateRecording(
  db: Database,
  id: string,
  patch: Partial<Omit<RecordingRow, 'id' | 'sessionId'>>,
): void {
  const names: Record<string, string> = {
    identity: 'identity', source: 'source', path: 'path', kind: 'kind', status: 'status', bytes: 'bytes',
    durationMs: 'duration_ms', startedAt: 'started_at', endedAt: 'ended_at', error: 'error',
    thumbnailPath: 'thumbnail_path',
  };
  const keys = Object.keys(patch).filter((key) => key in names);
  if (keys.length === 0) return;
  const sets = keys.map((key) => `${names[key]} = @${key}`).join(', ');
  db.prepare(`UPDATE recordings SET ${sets} WHERE id = @id`).run({ ...patch, id });
}

export function getRecording(db: Database, id: string): RecordingRow | undefined {
  return db.prepare(`SELECT ${selectColumns()} FROM recordings WHERE id = ?`).get(id) as RecordingRow | undefined;
}

export function listRecordings(
  db: Database,
  filter: { sessionIds?: readonly string[]; status?: RecordingState; room?: string; from?: number; to?: number } = {},
): (RecordingRow & { room: string })[] {
  const where: string[] = [];
  const params: Record<string, unknown> = {};
  if (filter.sessionIds) {
    where.push('r.session_id IN (SELECT value FROM json_each(@sessionIds))');
    params.sessionIds = JSON.stringify(filter.sessionIds);
  }
  if (filter.status) {
    where.push('r.status = @status');
    params.status = filter.status;
  }
  if (filter.room !== undefined) {
    where.push('s.room = @room');
    params.room = filter.room;
  }
  if (filter.from !== undefined) {
    where.push('r.started_at >= @from');
    params.from = filter.from;
  }
  if (filter.to !== undefined) {
    where.push('r.started_at < @to');
    params.to = filter.to;
  }
  return db
    .prepare(
      `SELECT ${selectColumns('r.')}, s.room AS room FROM recordings r JOIN sessions s ON s.id = r.session_id
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY r.started_at DESC`,
    )
    .all(params) as (RecordingRow & { room: string })[];
}

export function deleteRecording(db: Database, id: string): boolean {
  return db.prepare('DELETE FROM recordings WHERE id = ?').run(id).changes > 0;
}
