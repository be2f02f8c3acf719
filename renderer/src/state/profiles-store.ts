import { create } from 'zustand';
import type { MethodInput, MethodOutput, ProfileView } from '../../../preload/contract';
import { type HavenError, invoke } from '../api/haven';

export type ConnectionTest =
  | { state: 'running' }
  | { state: 'ok'; rooms: number; latencyMs: number }
  | { state: 'failed'; code: string; message: string };

interface ProfilesState {
  profiles: ProfileView[];
  loaded: boolean;
  loadError: string | null;
  tests: Record<string, ConnectionTest>;
  load(): Promise<void>;
  save(input: MethodInput<'profiles.save'>): Promise<ProfileView>;
  remove(id: string): Promise<void>;
  test(key: string, target: MethodInput<'profiles.test'>): Promise<void>;
}

export const useProfilesStore = create<ProfilesState>((set, get) => ({
  profiles: [],
  loaded: false,
  loadError: null,
  tests: {},
  async load() {
    try {
      set({ profiles: await invoke('profiles.list', {}), loaded: true, loadError: null });
    } catch (error) {
      set({ loaded: true, loadError: (error as Error).message });
    }
  },
  async save(input) {
    const saved = await invoke('profiles.save', input);
    await get().load();
    return saved;
  },
  async remove(id) {
    await invoke('profiles.remove', { id });
    const { [id]: _removed, ...tests } = get().tests;
    set({ tests });
    await get().load();
  },
  async test(key, target) {
    set({ tests: { ...get().tests, [key]: { state: 'running' } } });
    let outcome: ConnectionTest;
    try {
      const value: MethodOutput<'profiles.test'> = await invoke('profiles.test', target);
      outcome = { state: 'ok', ...value };
    } catch (error) {
      const e = error as HavenError;
      outcome = { state: 'failed', code: e.code ?? 'internal', message: e.message };
    }
    set({ tests: { ...get().tests, [key]: outcome } });
  },
}));
