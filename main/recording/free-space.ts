import { statfs } from 'node:fs/promises';

/**
 * Bytes available to this (unprivileged) process on the file system holding `folder`.
 * RecordingService compares it with the free-space floor before starting and every second while
 * recording (the floor should exceed one remux of the largest file in progress).
 */
export async function freeBytes(folder: string): Promise<number> {
  const stats = await statfs(folder);
  return stats.bavail * stats.bsize;
}
