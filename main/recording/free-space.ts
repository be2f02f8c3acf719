import { statfs } from 'node:fs/promises';

/** Free space is below the configured floor. */
export class InsufficientSpaceError extends Error {
  constructor(
    readonly folder: string,
    readonly freeBytes: number,
    readonly floorBytes: number,
  ) {
    super(
      `only ${formatBytes(freeBytes)} free in ${folder}; recording needs at least ${formatBytes(floorBytes)} ` +
        '(Settings > free-space floor)',
    );
    this.name = 'InsufficientSpaceError';
  }
}

/** Bytes available to this (unprivileged) process on the file system holding `folder`. */
export async function freeBytes(folder: string): Promise<number> {
  const stats = await statfs(folder);
  return stats.bavail * stats.bsize;
}

/**
 * Checks free space against a floor. Call before starting (refuse below it) and every few
 * seconds while recording (stop cleanly below it: the files still need room to finalize,
 * which is why the floor should exceed one remux of the largest file in progress).
 */
export async function checkFreeSpace(
  folder: string,
  floorBytes: number,
): Promise<{ ok: boolean; freeBytes: number }> {
  const free = await freeBytes(folder);
  return { ok: free >= floorBytes, freeBytes: free };
}

/** Throws {@link InsufficientSpaceError} when `folder` has less than `floorBytes` free. */
export async function assertFreeSpace(folder: string, floorBytes: number): Promise<void> {
  const { ok, freeBytes: free } = await checkFreeSpace(folder, floorBytes);
  if (!ok) throw new InsufficientSpaceError(folder, free, floorBytes);
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  return `${Math.round(bytes / 1024 ** 2)} MiB`;
}
