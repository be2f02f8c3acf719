import { invoke } from '../api/haven';
import type { ParticipantSnapshot } from './participant-snapshot';

/**
 * Keeps main's History in step with one watch tab: a session when it connects, who is there as
 * that changes, its end when the tab closes. History is a record, not a feature the viewer
 * depends on, so failures here never disturb watching.
 */
export class WatchHistory {
  private sessionId: Promise<string | null> | null = null;
  private lastKey = '';

  start(room: string, serverUrl: string, profileId: string | undefined): void {
    this.sessionId = invoke('history.watchStarted', { room, serverUrl, ...(profileId ? { profileId } : {}) }).then(
      (value) => value.sessionId,
      () => null,
    );
    this.lastKey = '';
  }

  participants(participants: ParticipantSnapshot[]): void {
    const present = participants.map((p) => ({ identity: p.identity, name: p.name }));
    const key = present.map((p) => p.identity).sort().join('\n');
    if (!this.sessionId || key === this.lastKey) return;
    this.lastKey = key;
    void this.sessionId.then((sessionId) => {
      if (sessionId) void invoke('history.watchParticipants', { sessionId, present }).catch(() => undefined);
    });
  }

  end(): void {
    const pending = this.sessionId;
    this.sessionId = null;
    void pending?.then((sessionId) => {
      if (sessionId) void invoke('history.watchEnded', { sessionId }).catch(() => undefined);
    });
  }
}
