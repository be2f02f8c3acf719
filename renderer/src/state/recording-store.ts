import { create } from 'zustand';
import type { MethodInput, MethodOutput, RecordingStatus } from '../../../preload/contract';
import { type HavenError, haven, invoke } from '../api/haven';

export type RecordingSession = MethodOutput<'recording.start'>;
export type RecordingTarget = MethodInput<'recording.start'>['target'];

export interface RecordingProblem {
  code: string;
  message: string;
}

interface RecordingState {
  sessions: RecordingSession[];
  /** The last failure per room (start or stop), shown where the user pressed the button. */
  problems: Record<string, RecordingProblem>;
  /** Rooms with a start or stop in flight. */
  busy: Record<string, boolean>;
  start(room: string, target: RecordingTarget, participants: 'all' | string[]): Promise<void>;
  stop(room: string, which: { recordingId: string } | { sessionId: string }): Promise<void>;
  dismiss(room: string): void;
  refresh(): Promise<void>;
  /** Loads recording.status and follows recording.progress; returns the unsubscribe. */
  listen(): () => void;
}

function problemOf(error: unknown): RecordingProblem {
  const e = error as HavenError;
  return { code: e.code ?? 'internal', message: e.message };
}

/** Sessions of a room that still have a file being written. */
export function activeSessions(sessions: readonly RecordingSession[], room: string): RecordingSession[] {
  return sessions.filter((s) => s.room === room && s.files.some((f) => f.state === 'recording'));
}

export const useRecordingStore = create<RecordingState>((set, get) => {
  const setBusy = (room: string, busy: boolean) => set({ busy: { ...get().busy, [room]: busy } });
  const setProblem = (room: string, problem: RecordingProblem | null) => {
    const { [room]: _old, ...rest } = get().problems;
    set({ problems: problem ? { ...rest, [room]: problem } : rest });
  };
  const upsert = (session: RecordingSession) => {
    const others = get().sessions.filter((s) => s.sessionId !== session.sessionId);
    set({ sessions: [...others, session] });
  };
  const applyProgress = (statuses: RecordingStatus[]) => {
    const sessions = get().sessions.map((s) => ({ ...s, files: [...s.files] }));
    let unknown = false;
    for (const status of statuses) {
      const session = sessions.find((s) => s.sessionId === status.sessionId);
      if (!session) {
        unknown = true;
        continue;
      }
      const i = session.files.findIndex((f) => f.recordingId === status.recordingId);
      if (i === -1) session.files.push(status);
      else session.files[i] = status;
    }
    set({ sessions });
    // Progress for a session we never saw (started from the rooms list in another window, or
    // by the CLI): fetch the session itself to learn its room.
    if (unknown) void get().refresh();
  };

  return {
    sessions: [],
    problems: {},
    busy: {},
    async start(room, target, participants) {
      setBusy(room, true);
      setProblem(room, null);
      try {
        upsert(await invoke('recording.start', { target, room, participants }));
      } catch (error) {
        setProblem(room, problemOf(error));
      } finally {
        setBusy(room, false);
      }
    },
    async stop(room, which) {
      setBusy(room, true);
      try {
        await invoke('recording.stop', which);
        setProblem(room, null);
        await get().refresh();
      } catch (error) {
        setProblem(room, problemOf(error));
      } finally {
        setBusy(room, false);
      }
    },
    dismiss(room) {
      setProblem(room, null);
    },
    async refresh() {
      try {
        const current = await invoke('recording.status', {});
        // Keep finished sessions we already know (status may list only live ones) so their
        // final state stays on screen.
        const known = get().sessions.filter((s) => !current.some((c) => c.sessionId === s.sessionId));
        set({ sessions: [...known, ...current] });
      } catch {
        // Status is best effort; start/stop report their own failures.
      }
    },
    listen() {
      void get().refresh();
      return haven.on('recording.progress', applyProgress);
    },
  };
});
