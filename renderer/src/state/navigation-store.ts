import { create } from 'zustand';

export type ViewName = 'rooms' | 'library' | 'history' | 'settings';

interface NavigationState {
  view: ViewName;
  go(view: ViewName): void;
}

export const useNavigationStore = create<NavigationState>((set) => ({
  view: 'settings',
  go: (view) => set({ view }),
}));
