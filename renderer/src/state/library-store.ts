import { create } from 'zustand';
import type { LibraryItem } from '../../../preload/contract';
import { type HavenError, invoke } from '../api/haven';
import { dateInputToEpoch } from '../format/time';

export interface LibraryFilter {
  room: string;
  /** `<input type="date">` values, '' when unset. */
  from: string;
  to: string;
}

interface LibraryState {
  items: LibraryItem[];
  /** Every room that has recordings, for the filter's choices (from the unfiltered list). */
  rooms: string[];
  filter: LibraryFilter;
  loaded: boolean;
  error: string | null;
  /** Per item: the failure of its last action (delete, reveal). */
  itemErrors: Record<string, string>;
  setFilter(patch: Partial<LibraryFilter>): void;
  load(): Promise<void>;
  remove(id: string): Promise<boolean>;
  reveal(id: string): Promise<string | null>;
}

export const useLibraryStore = create<LibraryState>((set, get) => ({
  items: [],
  rooms: [],
  filter: { room: '', from: '', to: '' },
  loaded: false,
  error: null,
  itemErrors: {},
  setFilter(patch) {
    set({ filter: { ...get().filter, ...patch } });
    void get().load();
  },
  async load() {
    const { room, from, to } = get().filter;
    const query = {
      ...(room ? { room } : {}),
      ...(dateInputToEpoch(from, 'start') !== undefined ? { from: dateInputToEpoch(from, 'start') } : {}),
      ...(dateInputToEpoch(to, 'end') !== undefined ? { to: dateInputToEpoch(to, 'end') } : {}),
    };
    try {
      const filtered = Object.keys(query).length > 0;
      const [items, all] = await Promise.all([invoke('library.list', query), filtered ? invoke('library.list', {}) : null]);
      const rooms = [...new Set((all ?? items).map((i) => i.room))].sort((a, b) => a.localeCompare(b));
      set({ items: [...items].sort((a, b) => b.startedAt - a.startedAt), rooms, loaded: true, error: null });
    } catch (error) {
      set({ loaded: true, error: (error as HavenError).message });
    }
  },
  async remove(id) {
    try {
      await invoke('library.remove', { id });
      const { [id]: _gone, ...itemErrors } = get().itemErrors;
      set({ items: get().items.filter((i) => i.id !== id), itemErrors });
      return true;
    } catch (error) {
      set({ itemErrors: { ...get().itemErrors, [id]: (error as HavenError).message } });
      return false;
    }
  },
  async reveal(id) {
    try {
      return (await invoke('library.reveal', { id })).path;
    } catch (error) {
      set({ itemErrors: { ...get().itemErrors, [id]: (error as HavenError).message } });
      return null;
    }
  },
}));

/**
 * The URL a <video>/<img> can load. `haven-media://` is the Electron app's protocol; in a browser
 * the web shell serves the same files under `/media/`.
 */
export function mediaSrc(url: string | null): string | null {
  if (!url) return null;
  if (!window.haven && url.startsWith('haven-media://')) return `/media/${url.slice('haven-media://'.length)}`;
  return url;
}
