import { open, rename, rm, stat } from 'node:fs/promises';
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
    before = await probeTrimmingTail(toolchain, path);
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

/**
 * Probes a fragmented MP4; when ffmpeg refuses it, cuts off a box left incomplete (see
 * {@link trimIncompleteBoxes}) and probes again. Files that probe fine are never walked.
 */
async function probeTrimmingTail(toolchain: Pick<FfmpegToolchain, 'probeMedia'>, path: string): Promise<MediaProbe> {
  try {
    return await toolchain.probeMedia(path);
  } catch (error) {
    if ((await trimIncompleteBoxes(path)) === 0) throw error;
    return toolchain.probeMedia(path);
  }
}

/**
 * Cuts a fragmented MP4 back to its last complete box when a full disk or a crash stopped
 * ffmpeg mid-write. ffmpeg's own reader refuses the whole file ("error reading header") when
 * it ends inside a `moof`, though every fragment before it is intact; an `mdat` cut short is
 * kept (its complete samples still play). Truncating needs no free space, so this works on the
 * disk that filled up. Returns the bytes removed; files that end cleanly are left alone.
 */
export async function trimIncompleteBoxes(path: string): Promise<number> {
  const handle = await open(path, 'r+');
  try {
    const size = (await handle.stat()).size;
    const header = Buffer.alloc(16);
    let offset = 0;
    let sawMoov = false;
    while (offset < size) {
      const { bytesRead } = await handle.read(header, 0, 16, offset);
      const size32 = bytesRead >= 8 ? header.readUInt32BE(0) : -1;
      const type = bytesRead >= 8 ? header.toString('latin1', 4, 8) : '';
      const headerSize = size32 === 1 ? 16 : 8;
      let boxSize = size32;
      if (size32 === 1) boxSize = bytesRead >= 16 ? Number(header.readBigUInt64BE(8)) : -1;
      else if (size32 === 0) boxSize = size - offset; // runs to the end of the file
      if (boxSize < headerSize || offset + boxSize > size) {
        // Without a whole moov nothing here is playable: leave the file as it is.
        if (!sawMoov || (type === 'mdat' && boxSize >= headerSize)) return 0;
        await handle.truncate(offset);
        return size - offset;
      }
      if (type === 'moov') sawMoov = true;
      offset += boxSize;
    }
    return 0;
  } finally {
    await handle.close();
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
