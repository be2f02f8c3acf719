import { open } from 'node:fs/promises';
import type { FfmpegToolchain } from '../../native/ffmpeg.js';
import { finalizeFragmentedMp4, playableDurationSec } from './mp4-finalize.js';
import { repairWav } from './wav-writer.js';

/** Result of {@link repairRecording}. */
export interface RecordingRepairResult {
  readonly kind: 'mp4' | 'wav' | 'unknown';
  /** `repaired`: playable now (remuxed, or header rewritten). `kept`: the fragmented MP4 plays but could not be remuxed. `unreadable`: nothing to recover. */
  readonly outcome: 'repaired' | 'kept' | 'unreadable';
  readonly durationSec: number;
  readonly error: string | null;
}

/**
 * Makes a recording interrupted by a crash (app, ffmpeg, or machine) as playable as it can
 * be and reports how much survived: a fragmented MP4 is remuxed to faststart in place (or
 * kept fragmented if that fails); a WAV gets its header rewritten from the file size.
 * Meant for start-up, on every file whose row still says `recording`.
 */
export async function repairRecording(
  toolchain: Pick<FfmpegToolchain, 'runFfmpeg' | 'probeMedia'>,
  path: string,
): Promise<RecordingRepairResult> {
  let magic: Buffer;
  try {
    magic = await readHead(path, 12);
  } catch (error) {
    return {
      kind: 'unknown',
      outcome: 'unreadable',
      durationSec: 0,
      error: (error as Error).message,
    };
  }
  const riff = magic.toString('ascii', 0, 4);
  if (riff === 'RIFF' || riff === 'RF64') {
    try {
      const wav = await repairWav(path);
      return {
        kind: 'wav',
        outcome: wav.dataBytes > 0 ? 'repaired' : 'unreadable',
        durationSec: wav.durationSec,
        error: wav.dataBytes > 0 ? null : 'no audio data',
      };
    } catch (error) {
      return {
        kind: 'wav',
        outcome: 'unreadable',
        durationSec: 0,
        error: (error as Error).message,
      };
    }
  }
  if (magic.toString('ascii', 4, 8) === 'ftyp') {
    const result = await finalizeFragmentedMp4(toolchain, path);
    const durationSec = playableDurationSec(result.probe);
    const playable = result.probe !== null && durationSec > 0;
    return {
      kind: 'mp4',
      outcome: result.remuxed ? 'repaired' : playable ? 'kept' : 'unreadable',
      durationSec,
      error: result.error,
    };
  }
  return {
    kind: 'unknown',
    outcome: 'unreadable',
    durationSec: 0,
    error: magic.length === 0 ? 'file is empty' : 'not an MP4 or WAV file',
  };
}

async function readHead(path: string, bytes: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
