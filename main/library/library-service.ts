import fs from 'node:fs/promises';
import type { Database } from 'better-sqlite3';
import { AppError } from '../api/app-error';
import { deleteRecording, getRecording } from '../store/recording-store';

/** Acting on recorded files: where they are, and removing them (file, thumbnail and row). */
export class LibraryService {
  constructor(
    private readonly db: Database,
    private readonly isRecording: (recordingId: string) => boolean,
  ) {}

  /** The file on disk for a library item; null when unknown. */
  filePath(kind: 'file' | 'thumbnail', id: string): string | null {
    const row = getRecording(this.db, id);
    if (!row) return null;
    return kind === 'file' ? row.path : row.thumbnailPath;
  }

  reveal(id: string): { path: string } {
    const row = getRecording(this.db, id);
    if (!row) throw new AppError('not_found', 'That recording is no longer in the library.');
    return { path: row.path };
  }

  async remove(id: string): Promise<void> {
    const row = getRecording(this.db, id);
    if (!row) throw new AppError('not_found', 'That recording is no longer in the library.');
    if (this.isRecording(id)) throw new AppError('busy', 'This file is still being recorded. Stop it first.');
    for (const file of [row.path, row.thumbnailPath]) {
      if (!file) continue;
      try {
        await fs.rm(file, { force: true });
      } catch (error) {
        throw new AppError('folder_unwritable', `Could not delete ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'}). Check its permissions.`, { cause: error });
      }
    }
    deleteRecording(this.db, id);
  }
}
