import { create } from 'zustand';
import type { MethodOutput } from '../../../preload/contract';
import { invoke } from '../api/haven';

interface AppInfoState {
  info: MethodOutput<'app.info'> | null;
  load(): Promise<void>;
}

/** Which shell runs us (Electron can reveal files; a browser downloads them), version, data folder. */
export const useAppInfoStore = create<AppInfoState>((set, get) => ({
  info: null,
  async load() {
    if (get().info) return;
    try {
      set({ info: await invoke('app.info', {}) });
    } catch {
      // Without it the UI assumes a browser, which only means "Download" instead of "Reveal".
    }
  },
}));
