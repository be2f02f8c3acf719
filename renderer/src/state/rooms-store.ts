import { create } from 'zustand';
import type { RoomView } from '../../../preload/contract';
import { type HavenError, haven, invoke } from '../api/haven';

const pollMs = 3_000;
const profileKey = 'haven.rooms.profileId';

interface RoomsState {
  profileId: string | null;
  rooms: RoomView[];
  /** True until the first answer for the chosen profile. */
  loading: boolean;
  error: { code: string; message: string } | null;
  updatedAt: number | null;
  choose(profileId: string | null): void;
  refresh(): Promise<void>;
  /** Polls rooms.list (and listens to rooms.changed) while the Rooms view is visible. */
  watch(): () => void;
}

function storedProfile(): string | null {
  try {
    return localStorage.getItem(profileKey);
  } catch {
    return null;
  }
}

export const useRoomsStore = create<RoomsState>((set, get) => ({
  profileId: storedProfile(),
  rooms: [],
  loading: false,
  error: null,
  updatedAt: null,
  choose(profileId) {
    if (profileId === get().profileId) return;
    try {
      if (profileId) localStorage.setItem(profileKey, profileId);
    } catch {
      // Private mode: the choice just isn't remembered.
    }
    set({ profileId, rooms: [], error: null, loading: profileId !== null, updatedAt: null });
    void get().refresh();
  },
  async refresh() {
    const profileId = get().profileId;
    if (!profileId) return;
    try {
      const rooms = await invoke('rooms.list', { profileId });
      // A slow answer for a profile the user has since left must not overwrite the new one.
      if (get().profileId !== profileId) return;
      set({ rooms: sortRooms(rooms), error: null, loading: false, updatedAt: Date.now() });
    } catch (error) {
      if (get().profileId !== profileId) return;
      const e = error as HavenError;
      set({ error: { code: e.code ?? 'internal', message: e.message }, loading: false });
    }
  },
  watch() {
    void get().refresh();
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void get().refresh();
    }, pollMs);
    const off = haven.on('rooms.changed', ({ profileId, rooms }) => {
      if (profileId === get().profileId) set({ rooms: sortRooms(rooms), error: null, loading: false, updatedAt: Date.now() });
    });
    return () => {
      clearInterval(timer);
      off();
    };
  },
}));

function sortRooms(rooms: RoomView[]): RoomView[] {
  return [...rooms].sort((a, b) => Number(b.recording) - Number(a.recording) || a.name.localeCompare(b.name));
}
