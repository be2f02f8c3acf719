import { create } from 'zustand';
import type { Settings } from '../../../preload/contract';
import { invoke } from '../api/haven';

interface SettingsState {
  settings: Settings | null;
  error: string | null;
  load(): Promise<void>;
  update(patch: Partial<Settings>): Promise<void>;
}

export const useSettingsStore = create<SettingsState>((set) => ({
  settings: null,
  error: null,
  async load() {
    try {
      set({ settings: await invoke('settings.get', {}), error: null });
    } catch (error) {
      set({ error: (error as Error).message });
    }
  },
  async update(patch) {
    set({ settings: await invoke('settings.set', patch), error: null });
  },
}));
