import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateFfmpeg } from '../../native/ffmpeg.js';
import type { FfmpegToolchain } from '../../native/ffmpeg.js';
import { Mp4FileRecorder } from '../../main/recording/mp4-file-recorder.js';
import { feedRealTime, findBeepOnsets, findFlashOnsets } from './recording-fixtures.js';

let toolchain: FfmpegToolchain;
let folder: string;

beforeAll(async () => {
  toolchain = await locateFfmpeg();
  folder = await mkdtemp(path.join(tmpdir(), 'haven-mp4-'));
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('Mp4FileRecorder with real ffmpeg', () => {
  it('records 5 s in sync: h264 + aac, right duration and frame count, flash and beep together', async () => {
    const outputPath = path.join(folder, 'sync.mp4');
    const startedAt = performance.now();
    const recorder = new Mp4FileRecorder({ toolchain, outputPath, fps: 30 });
    let crashed = false;
    recorder.onDidCrash(() => (crashed = true));
    await feedRealTime(
      { onVideo: (f) => recorder.pushVideoFrame(f), onAudio: (a) => recorder.pushAudioFrame(a) },
      { durationSec: 5, fps: 30, markersAtSec: [1, 2.5, 4] },
    );
    const wallSec = (performance.now() - startedAt) / 1000;
    const result = await recorder.stop();
    const progress = recorder.progress;
    console.log('sync test', wallSec, JSON.stringify(result), JSON.stringify(progress));

    expect(crashed).toBe(false);
    expect(result.status).toBe('complete');
    expect(result.remuxed).toBe(true);
    const video = result.probe!.streams.find((s) => s.kind === 'video')!;
    const audio = result.probe!.streams.find((s) => s.kind === 'audio')!;
    expect(video.codec).toBe('h264');
    expect(audio.codec).toBe('aac');
    // The file spans the recorder's wall time (construction to stop), a few ms over 5 s.
    expect(Math.abs(result.durationSec - wallSec) / wallSec).toBeLessThanOrEqual(0.01);
    expect(Math.abs(result.durationSec - 5) / 5).toBeLessThanOrEqual(0.02);
    expect(Math.abs(video.packetCount! - wallSec * 30) / (wallSec * 30)).toBeLessThanOrEqual(0.02);
    expect(Math.abs(video.packetCount! - 150) / 150).toBeLessThanOrEqual(0.02);
    expect(progress.encoder!.videoFramesDropped).toBe(0);

    const flashes = await findFlashOnsets(toolchain, outputPath);
    const beeps = await findBeepOnsets(toolchain, outputPath);
    console.log('flash onsets', flashes, 'beep onsets', beeps);
    expect(flashes.length).toBe(3);
    expect(beeps.length).toBe(3);
    for (let i = 0; i < 3; i++) {
      expect(Math.abs(beeps[i]! - flashes[i]!)).toBeLessThanOrEqual(0.04);
    }
  });
});
