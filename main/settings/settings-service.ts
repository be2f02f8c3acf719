import os from 'node:os';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { Settings } from '../../preload/contract';
import { ensureWritableFolder } from './writable-folder';
import { readSettings, writeSettings } from '../store/settings-store';

export const defaultFileTemplate = '{room}/{start}/{identity}-{source}.{ext}';

export function defaultSettings(home = os.homedir()): Settings {
  return {
    recordingsFolder: path.join(home, 'Videos', 'Haven Player'),
    frameRate: 30,
    preset: 'ultrafast',
    fileTemplate: defaultFileTemplate,
    ffmpegPath: null,
    freeSpaceFloorMb: 500,
  };
}

/** Settings with defaults filled in; stored values that no longer validate fall back to defaults. */
export class SettingsService {
  constructor(
    private readonly db: Database,
    private readonly defaults: Settings = defaultSettings(),
  ) {}

  get(): Settings {
    const stored = readSettings(this.db);
    const merged: Record<string, unknown> = { ...this.defaults };
    for (const [key, value] of Object.entries(stored)) {
      if (!(key in Settings.shape)) continue;
      const field = Settings.shape[key as keyof Settings];
      if (field.safeParse(value).success) merged[key] = value;
    }
    return Settings.parse(merged);
  }

  set(patch: Partial<Settings>): Settings {
    const next = Settings.parse({ ...this.get(), ...patch });
    if (patch.recordingsFolder !== undefined) ensureWritableFolder(patch.recordingsFolder);
    writeSettings(this.db, patch);
    return next;
  }
}
