import { create } from 'zustand';
import { type HavenError, invoke } from '../api/haven';
import type { ParticipantSnapshot } from './participant-snapshot';
import { type ConnectionState, type ConnectionUpdate, type Listening, WatchConnection } from './watch-connection';
import { WatchHistory } from './watch-history';

/** Where the viewer token comes from: main mints one for a profile, or the user pasted one. */
export type WatchSource = { profileId: string } | { url: string; token: string };

export interface WatchSession {
  id: string;
  room: string;
  source: WatchSource;
  state: ConnectionState;
  error: string | null;
  participants: ParticipantSnapshot[];
  audioBlocked: boolean;
  pinned: string | null;
  page: number;
  listening: Record<string, Listening>;
}

interface WatchState {
  sessions: WatchSession[];
  activeId: string | null;
  /** Opens a tab for the room (or focuses the one already open) and connects. */
  open(room: string, source: WatchSource): string;
  close(id: string): Promise<void>;
  activate(id: string): void;
  retry(id: string): Promise<void>;
  pin(id: string, tileId: string | null): void;
  setPage(id: string, page: number): void;
  setListening(id: string, identity: string, patch: Partial<Listening>): void;
  startAudio(id: string): Promise<void>;
}

export const defaultListening: Listening = { volume: 1, muted: false };

// Room objects and their media stay out of React state; the store holds plain snapshots.
const connections = new Map<string, WatchConnection>();
const histories = new Map<string, WatchHistory>();
let nextId = 1;

function sameSource(a: WatchSource, b: WatchSource): boolean {
  if ('profileId' in a && 'profileId' in b) return a.profileId === b.profileId;
  if ('url' in a && 'url' in b) return a.url === b.url && a.token === b.token;
  return false;
}

export const useWatchStore = create<WatchState>((set, get) => {
  const patch = (id: string, update: Partial<WatchSession>) =>
    set({ sessions: get().sessions.map((s) => (s.id === id ? { ...s, ...update } : s)) });

  const connect = async (id: string) => {
    const session = get().sessions.find((s) => s.id === id);
    if (!session) return;
    await connections.get(id)?.close();
    histories.get(id)?.end();
    const history = new WatchHistory();
    histories.set(id, history);
    const connection = new WatchConnection((update: ConnectionUpdate) => {
      if (connections.get(id) !== connection) return;
      patch(id, update);
      if (update.participants) history.participants(update.participants);
      if (update.state === 'failed') history.end();
    });
    connections.set(id, connection);
    for (const [identity, listening] of Object.entries(session.listening)) connection.setListening(identity, listening);
    patch(id, { state: 'connecting', error: null });
    let url: string;
    let token: string;
    if ('profileId' in session.source) {
      try {
        ({ url, token } = await invoke('rooms.watch', { profileId: session.source.profileId, room: session.room }));
      } catch (error) {
        patch(id, { state: 'failed', error: (error as HavenError).message });
        return;
      }
    } else {
      ({ url, token } = session.source);
    }
    if (connections.get(id) !== connection) return;
    history.start(session.room, url, 'profileId' in session.source ? session.source.profileId : undefined);
    await connection.connect(url, token);
  };

  return {
    sessions: [],
    activeId: null,
    open(room, source) {
      const existing = get().sessions.find((s) => s.room === room && sameSource(s.source, source));
      if (existing) {
        set({ activeId: existing.id });
        if (existing.state === 'failed' || existing.state === 'disconnected') void connect(existing.id);
        return existing.id;
      }
      const id = `watch-${nextId++}`;
      const session: WatchSession = {
        id,
        room,
        source,
        state: 'connecting',
        error: null,
        participants: [],
        audioBlocked: false,
        pinned: null,
        page: 0,
        listening: {},
      };
      set({ sessions: [...get().sessions, session], activeId: id });
      void connect(id);
      return id;
    },
    async close(id) {
      const connection = connections.get(id);
      connections.delete(id);
      histories.get(id)?.end();
      histories.delete(id);
      const sessions = get().sessions;
      const index = sessions.findIndex((s) => s.id === id);
      const rest = sessions.filter((s) => s.id !== id);
      const activeId = get().activeId === id ? (rest[Math.min(index, rest.length - 1)]?.id ?? null) : get().activeId;
      set({ sessions: rest, activeId });
      await connection?.close();
    },
    activate(id) {
      set({ activeId: id });
    },
    retry: (id) => connect(id),
    pin(id, tileId) {
      patch(id, { pinned: tileId });
    },
    setPage(id, page) {
      patch(id, { page });
    },
    setListening(id, identity, change) {
      const session = get().sessions.find((s) => s.id === id);
      if (!session) return;
      const listening = { ...defaultListening, ...session.listening[identity], ...change };
      connections.get(id)?.setListening(identity, listening);
      patch(id, { listening: { ...session.listening, [identity]: listening } });
    },
    async startAudio(id) {
      await connections.get(id)?.startAudio();
    },
  };
});

/**
 * The room a pasted token is for, read from its (unverified) claims, so the tab has a name.
 * The server verifies the token; this only labels it.
 */
export function roomFromToken(token: string): string | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='));
    const claims = JSON.parse(json) as { video?: { room?: unknown } };
    return typeof claims.video?.room === 'string' && claims.video.room ? claims.video.room : null;
  } catch {
    return null;
  }
}
