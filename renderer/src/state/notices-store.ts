import { create } from 'zustand';
import type { Notice } from '../../../preload/contract';
import { haven, invoke } from '../api/haven';

interface NoticesState {
  notices: Notice[];
  dismiss(at: number): void;
  start(): () => void;
}

/** Messages from main meant for the user (a database moved aside, a recording that failed). */
export const useNoticesStore = create<NoticesState>((set, get) => ({
  notices: [],
  dismiss(at) {
    set({ notices: get().notices.filter((n) => n.at !== at) });
  },
  start() {
    void invoke('app.info', {}).then(
      (info) => set({ notices: [...info.notices, ...get().notices] }),
      () => undefined,
    );
    return haven.on('app.notice', (notice) => set({ notices: [...get().notices, notice] }));
  },
}));
