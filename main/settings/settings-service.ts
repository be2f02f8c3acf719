import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { Settings } from '../../preload/contract';
import { AppError } from '../api/app-error';
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
    if (patch.recordingsFolder !== undefined) assertWritableFolder(patch.recordingsFolder);
    writeSettings(this.db, patch);
    return next;
  }
}

/** The recordings folder must be absolute and writable; it is created if missing. */
export function assertWritableFolder(folder: string): void {
  if (!path.isAbsolute(folder)) {
    throw new AppError('folder_unwritable', `Use a full path for the recordings folder (got "${folder}").`);
  }
  try {
    fs.mkdirSync(folder, { recursive: true });
    fs.accessSync(folder, fs.constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new AppError(
      'folder_unwritable',
      `Can't write to the recordings folder ${folder} (${code}). Choose a folder you can write to.`,
      { cause: error },
    );
  }
}
