import type { Database } from 'better-sqlite3';
import type { HistoryEntry, LibraryItem } from '../../preload/contract';
import { listRecordings } from '../store/recording-store';
import { listParticipants, listSessions } from '../store/session-store';

/** Read side of the store: sessions with who was there, and the files they produced. */
export class HistoryService {
  constructor(private readonly db: Database) {}

  listSessions(limit = 200): HistoryEntry[] {
    const sessions = listSessions(this.db, limit);
    const ids = sessions.map((session) => session.id);
    const participants = listParticipants(this.db, ids);
    const recordings = listRecordings(this.db, { sessionIds: ids });
    return sessions.map((session) => ({
      id: session.id,
      kind: session.kind,
      origin: session.origin,
      room: session.room,
      serverUrl: session.serverUrl,
      startedAt: session.startedAt,
      endedAt: session.endedAt,
      participants: participants
        .filter((p) => p.sessionId === session.id)
        .map(({ identity, name, joinedAt, leftAt }) => ({ identity, name, joinedAt, leftAt })),
      recordings: recordings.filter((r) => r.sessionId === session.id).map((r) => r.id),
    }));
  }

  listFiles(filter: { room?: string; from?: number; to?: number }): LibraryItem[] {
    return listRecordings(this.db, filter).map((row) => ({
      id: row.id,
      sessionId: row.sessionId,
      room: row.room,
      identity: row.identity,
      source: row.source,
      path: row.path,
      kind: row.kind,
      status: row.status,
      bytes: row.bytes,
      durationMs: row.durationMs,
      startedAt: row.startedAt,
      endedAt: row.endedAt,
      error: row.error,
      thumbnailUrl: row.thumbnailPath ? `haven-media://thumbnail/${row.id}` : null,
      mediaUrl: `haven-media://file/${row.id}`,
    }));
  }
}
