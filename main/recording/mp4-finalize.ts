import { rename, rm, stat } from 'node:fs/promises';
import type { FfmpegToolchain, MediaProbe } from '../../native/ffmpeg.js';
import { tail } from '../../native/ffmpeg.js';

/** What became of a fragmented MP4 after {@link finalizeFragmentedMp4}. */
export interface Mp4FinalizeResult {
  /** True when the file at `path` is now a faststart MP4; false when the fragmented one was kept. */
  readonly remuxed: boolean;
  /** Probe of the file now at `path`; null when not even the fragmented file is readable. */
  readonly probe: MediaProbe | null;
  /** Why the remux or the probe failed, if it did. */
  readonly error: string | null;
}

/** Seconds of playable media according to a probe (longest stream), 0 when none. */
export function playableDurationSec(probe: MediaProbe | null): number {
  if (!probe) return 0;
  const streamDurations = probe.streams.map((s) => s.durationSec ?? 0);
  return Math.max(probe.durationSec ?? 0, ...streamDurations);
}

/**
 * Turns a fragmented MP4 (as written while recording, or left by a crash) into a normal
 * faststart MP4 in place: remux with stream copy to a temporary name beside it, probe that,
 * and rename it over the original. The rename is atomic, so at every moment `path` holds a
 * playable file; if the remux fails or loses media, the fragmented file stays.
 */
export async function finalizeFragmentedMp4(
  toolchain: Pick<FfmpegToolchain, 'runFfmpeg' | 'probeMedia'>,
  path: string,
): Promise<Mp4FinalizeResult> {
  let before: MediaProbe;
  try {
    before = await toolchain.probeMedia(path);
  } catch (error) {
    return { remuxed: false, probe: null, error: (error as Error).message };
  }
  if (!before.streams.some((s) => (s.packetCount ?? 0) > 0)) {
    return { remuxed: false, probe: before, error: 'file holds no media' };
  }
  const temporary = `${path}.remux.tmp`;
  try {
    const result = await toolchain.runFfmpeg([
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-y',
      // A crash can cut the last fragment short; keep everything before it.
      '-err_detect',
      'ignore_err',
      '-i',
      path,
      '-map',
      '0',
      '-c',
      'copy',
      '-movflags',
      '+faststart',
      '-f',
      'mp4',
      temporary,
    ]);
    if (result.code !== 0)
      throw new Error(`remux failed (exit ${result.code}): ${tail(result.stderr, 500)}`);
    const after = await toolchain.probeMedia(temporary);
    // The remux must keep every stream and (nearly) every packet, or the original is better.
    for (const stream of before.streams) {
      const remuxed = after.streams.find((s) => s.index === stream.index);
      const expected = stream.packetCount ?? 0;
      if (!remuxed || (remuxed.packetCount ?? 0) < expected - 1) {
        throw new Error(
          `remux lost packets of stream ${stream.index} (${remuxed?.packetCount ?? 0} of ${expected})`,
        );
      }
    }
    await rename(temporary, path);
    return { remuxed: true, probe: after, error: null };
  } catch (error) {
    await rm(temporary, { force: true });
    return { remuxed: false, probe: before, error: (error as Error).message };
  }
}

/** Size of a file in bytes, 0 when it doesn't exist. */
export async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}
