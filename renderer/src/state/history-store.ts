import { create } from 'zustand';
import type { HistoryEntry } from '../../../preload/contract';
import { type HavenError, invoke } from '../api/haven';

interface HistoryState {
  sessions: HistoryEntry[];
  loaded: boolean;
  error: string | null;
  load(): Promise<void>;
}

export const useHistoryStore = create<HistoryState>((set) => ({
  sessions: [],
  loaded: false,
  error: null,
  async load() {
    try {
      set({ sessions: await invoke('history.list', { limit: 500 }), loaded: true, error: null });
    } catch (error) {
      set({ loaded: true, error: (error as HavenError).message });
    }
  },
}));
