import { create } from 'zustand';

export type ViewName = 'rooms' | 'watch' | 'library' | 'history' | 'settings';

const viewNames: readonly ViewName[] = ['rooms', 'watch', 'library', 'history', 'settings'];

interface NavigationState {
  /** null until the app has decided where to start (Rooms when servers exist, else Settings). */
  view: ViewName | null;
  go(view: ViewName): void;
  /** Picks the first view unless the URL (a reload) already names one. */
  settle(hasProfiles: boolean): void;
}

// The view lives in the URL hash so a reload comes back to the same screen.
function viewFromHash(): ViewName | null {
  const name = location.hash.replace(/^#/, '');
  return (viewNames as readonly string[]).includes(name) ? (name as ViewName) : null;
}

export const useNavigationStore = create<NavigationState>((set, get) => ({
  view: viewFromHash(),
  go(view) {
    if (location.hash !== `#${view}`) history.replaceState(null, '', `#${view}`);
    set({ view });
  },
  settle(hasProfiles) {
    if (get().view === null) get().go(hasProfiles ? 'rooms' : 'settings');
  },
}));
