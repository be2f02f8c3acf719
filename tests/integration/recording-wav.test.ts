import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateFfmpeg } from '../../native/ffmpeg.js';
import type { FfmpegToolchain } from '../../native/ffmpeg.js';
import { WavFileRecorder } from '../../main/recording/wav-file-recorder.js';
import { parseWavHeader, repairWav } from '../../main/recording/wav-writer.js';
import { repairRecording } from '../../main/recording/repair.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { feedRealTime, findBeepOnsets } from './recording-fixtures.js';

let toolchain: FfmpegToolchain;
const { dir: folder, cleanup } = makeTempDir('haven-wav-');

beforeAll(async () => {
  toolchain = await locateFfmpeg();
});

afterAll(cleanup);

describe('WavFileRecorder with real files', () => {
  it('records audio with a gap as silence, ffprobe agrees on the duration', async () => {
    const outputPath = path.join(folder, 'gap.wav');
    const startedAt = performance.now();
    const recorder = await WavFileRecorder.start({ outputPath });
    let paused = false;
    await feedRealTime(
      { onVideo: () => {}, onAudio: (a) => !paused && recorder.pushAudioFrame(a) },
      {
        durationSec: 3,
        fps: 30,
        markersAtSec: [0.5, 2.5],
        shouldStop: () => {
          const t = (performance.now() - startedAt) / 1000;
          paused = t > 1 && t < 2; // the participant's audio stops for a second
          return false;
        },
      },
    );
    const wallSec = (performance.now() - startedAt) / 1000;
    const result = await recorder.stop();
    expect(result.status).toBe('complete');
    expect(Math.abs(result.durationSec - wallSec)).toBeLessThan(0.05);
    const probe = await toolchain.probeMedia(outputPath);
    expect(probe.streams[0]).toMatchObject({ codec: 'pcm_s16le', sampleRate: 48_000, channels: 2 });
    expect(Math.abs(probe.durationSec! - result.durationSec)).toBeLessThan(0.01);
    // The beep after the gap is still at its wall-clock time.
    const beeps = await findBeepOnsets(toolchain, outputPath);
    expect(beeps).toHaveLength(2);
    expect(beeps[1]! - beeps[0]!).toBeCloseTo(2, 1);
    expect(recorder.progress.timeline.audioSilenceInserted).toBeGreaterThan(0.9 * 48_000);
  });

  it('after an abrupt kill of the recording process, repairWav restores the full duration', async () => {
    const outputPath = path.join(folder, 'killed.wav');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(import.meta.dirname, 'recording-wav-writer-child.ts'),
        outputPath,
      ],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let lastDurationSec = 0;
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines)
        lastDurationSec = (JSON.parse(line) as { durationSec: number }).durationSec;
    });
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (lastDurationSec >= 2.5) {
          clearInterval(timer);
          child.kill('SIGKILL');
          resolve();
        }
      }, 20);
    });
    await new Promise((resolve) => child.once('close', resolve));

    const stale = parseWavHeader(await readFile(outputPath))!;
    const staleSec = stale.declaredDataBytes / 192_000;
    const repaired = await repairWav(outputPath);
    console.log(
      'killed WAV: header said',
      staleSec,
      's; repaired',
      repaired.durationSec,
      's; last progress',
      lastDurationSec,
    );
    // The header lags by at most about a second; the data itself is all there.
    expect(lastDurationSec - staleSec).toBeLessThanOrEqual(1.1);
    expect(repaired.durationSec).toBeGreaterThanOrEqual(lastDurationSec - 0.001);
    expect(repaired.durationSec - lastDurationSec).toBeLessThan(0.2);
    const probe = await toolchain.probeMedia(outputPath);
    expect(Math.abs(probe.durationSec! - repaired.durationSec)).toBeLessThan(0.01);
    expect(await repairRecording(toolchain, outputPath)).toMatchObject({
      kind: 'wav',
      outcome: 'repaired',
    });
  });
});
