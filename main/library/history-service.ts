import type { Database } from 'better-sqlite3';
import type { HistoryEntry, LibraryItem } from '../../preload/contract';
import { listRecordings } from '../store/recording-store';
import crypto from 'node:crypto';
import { AppError } from '../api/app-error';
import {
  endSession,
  getSession,
  insertSession,
  listOpenSessions,
  listParticipants,
  listSessions,
  participantJoined,
  participantLeft,
} from '../store/session-store';

/** Sessions with who was there and the files they produced; watch sessions are written here. */
export class HistoryService {
  private readonly present = new Map<string, Set<string>>();

  constructor(
    private readonly db: Database,
    private readonly now: () => number = Date.now,
  ) {}

  watchStarted(input: { room: string; serverUrl: string; profileId?: string }): { sessionId: string } {
    const sessionId = crypto.randomUUID();
    insertSession(this.db, {
      id: sessionId,
      kind: 'watch',
      origin: 'app',
      profileId: input.profileId ?? null,
      serverUrl: input.serverUrl,
      room: input.room,
      startedAt: this.now(),
      endedAt: null,
    });
    this.present.set(sessionId, new Set());
    return { sessionId };
  }

  /** The renderer reports who is in the room; joins and leaves are derived here. */
  watchParticipants(sessionId: string, present: { identity: string; name: string }[]): void {
    const before = this.openWatch(sessionId);
    const now = this.now();
    const after = new Set(present.map((p) => p.identity));
    for (const p of present) {
      if (!before.has(p.identity)) participantJoined(this.db, { sessionId, identity: p.identity, name: p.name, joinedAt: now });
    }
    for (const identity of before) {
      if (!after.has(identity)) participantLeft(this.db, sessionId, identity, now);
    }
    this.present.set(sessionId, after);
  }

  watchEnded(sessionId: string): void {
    this.openWatch(sessionId);
    endSession(this.db, sessionId, this.now());
    this.present.delete(sessionId);
  }

  /** Watch sessions a crash or a closed window left open are closed at start-up. */
  closeAbandonedWatches(): void {
    for (const session of listOpenSessions(this.db)) {
      if (session.kind === 'watch' && !this.present.has(session.id)) endSession(this.db, session.id, this.now());
    }
  }

  private openWatch(sessionId: string): Set<string> {
    const session = getSession(this.db, sessionId);
    if (!session || session.kind !== 'watch' || session.endedAt !== null) {
      throw new AppError('not_found', 'That watch session is not open.');
    }
    return this.present.get(sessionId) ?? new Set();
  }

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
