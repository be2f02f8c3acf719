/**
 * Mp4EncoderProcess with real ffmpeg when ffmpeg falls behind (a loaded machine): audio it could
 * not take in time is made up for with silence, so what follows keeps its place; a stopping
 * encoder waits for an ffmpeg still encoding its backlog, however long past exitIdleTimeoutMs
 * that takes, and kills one that has stopped making progress, keeping what it wrote.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { locateFfmpeg, type FfmpegToolchain } from '../../native/ffmpeg.js';
import { Mp4EncoderProcess, type Mp4EncoderOptions } from '../../main/recording/mp4-encoder-process.js';
import { fileSize } from '../../main/recording/mp4-finalize.js';
import type { I420Image } from '../../main/recording/i420-image.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { findBeepOnsets } from './recording-fixtures.js';

const WIDTH = 640;
const HEIGHT = 360;
const FPS = 30;
const IDLE_MS = 1000;

let toolchain: FfmpegToolchain;
const { dir: folder, cleanup } = makeTempDir('haven-encoder-');

beforeAll(async () => {
  toolchain = await locateFfmpeg();
});

afterAll(cleanup);

/** Random noise: x264's slowest content. */
function noiseFrames(count: number): I420Image[] {
  return Array.from({ length: count }, () => ({ width: WIDTH, height: HEIGHT, data: randomBytes((WIDTH * HEIGHT * 3) / 2) }));
}

/** Queues `frames` as consecutive ticks and as much silent stereo audio. */
function writeAll(encoder: Mp4EncoderProcess, frames: I420Image[]): void {
  frames.forEach((image, index) => expect(encoder.writeVideo({ index, image, kind: 'new' }), `frame ${index} queued`).toBe(true));
  expect(encoder.writeAudio(new Int16Array(Math.round((frames.length / FPS) * 48_000) * 2))).toBe(true);
}

function encoder(name: string, options: Partial<Mp4EncoderOptions>): Mp4EncoderProcess {
  return new Mp4EncoderProcess({ toolchain, outputPath: path.join(folder, name), width: WIDTH, height: HEIGHT, fps: FPS, threads: 1, exitIdleTimeoutMs: IDLE_MS, maxQueuedVideoFrames: 90, ...options });
}

/** 20 ms of stereo audio starting at `atSec`: a loud 1 kHz tone from 7.3 s to 7.4 s, else quiet. */
function audioChunk(atSec: number): Int16Array {
  const pcm = new Int16Array(960 * 2);
  for (let i = 0; i < 960; i++) {
    const t = atSec + i / 48_000;
    const value = t >= 7.3 && t < 7.4 ? Math.round(16_000 * Math.sin(2 * Math.PI * 1000 * t)) : 0;
    pcm[2 * i] = pcm[2 * i + 1] = value;
  }
  return pcm;
}

describe('Mp4EncoderProcess behind', () => {
  it('makes up for audio it dropped with silence: what follows keeps its place', async () => {
    const outputPath = path.join(folder, 'audio-drop.mp4');
    const behind = encoder('audio-drop.mp4', { preset: 'ultrafast', maxQueuedAudioMs: 200 });
    let ticks = 0;
    let dropped = 0;
    /** Audio chunks [from, to) with the video ticks for the same time; paced or all at once. */
    const feed = async (from: number, to: number, pace: boolean) => {
      for (let k = from; k < to; k++) {
        for (; ticks < Math.floor((k + 1) * 0.02 * FPS); ticks++) behind.writeVideo({ index: ticks, image: null, kind: 'black' });
        if (!behind.writeAudio(audioChunk(k * 0.02))) dropped++;
        if (pace) await sleep(10);
      }
    };
    // Two seconds in step, until ffmpeg reads video (before that, audio may wait far longer).
    await feed(0, 100, true);
    await vi.waitFor(() => expect(behind.stats.videoFramesWritten, 'video ffmpeg read').toBeGreaterThanOrEqual(FPS), { timeout: 10_000, interval: 50 });
    expect(dropped, 'audio dropped while ffmpeg kept up').toBe(0);
    // Then ffmpeg stopped (a starved machine) while 5 s comes: most of it can't be queued.
    process.kill(behind.pid!, 'SIGSTOP');
    await feed(100, 350, false);
    process.kill(behind.pid!, 'SIGCONT');
    expect(dropped, 'audio dropped while ffmpeg was stopped').toBeGreaterThan(50);
    // Then it catches up, and the rest (a beep at 7.3 s) comes at a pace it keeps up with.
    await sleep(1000);
    const droppedBefore = dropped;
    await feed(350, 385, true);
    expect(dropped, 'audio dropped after ffmpeg caught up').toBe(droppedBefore);
    const result = await behind.finish();
    const beeps = await findBeepOnsets(toolchain, outputPath);
    const audio = result.probe!.streams.find((s) => s.kind === 'audio')!;
    console.log(`dropped ${dropped} of 250 chunks while stopped; file audio ${audio.durationSec} s, beep at ${beeps.join(', ')} s`);
    expect(result.status).toBe('complete');
    // Dropped outright, the beep came (dropped x 20 ms) early and the audio as much short.
    expect(audio.durationSec).toBeGreaterThan(7.65);
    expect(beeps).toHaveLength(1);
    // 21 ms late in the decoded file: the AAC encoder's 1024 priming samples.
    expect(Math.abs(beeps[0]! - 7.3)).toBeLessThan(0.05);
  });

  it('starts the file from the first video frame and the first 100 ms of audio: no probing', async () => {
    // By default ffmpeg read 1.07 s of audio, and 5 MB or 20 frames of video, before it opened
    // the file: all that time at every file's start, frames waiting in the pipes.
    const outputPath = path.join(folder, 'no-probe.mp4');
    const prompt = encoder('no-probe.mp4', { preset: 'ultrafast' });
    prompt.writeVideo({ index: 0, image: null, kind: 'black' });
    for (let k = 0; k < 5; k++) prompt.writeAudio(audioChunk(k * 0.02));
    const startedAt = performance.now();
    await vi.waitFor(async () => expect(await fileSize(outputPath), 'ffmpeg opened the file').toBeGreaterThan(0), { timeout: 5000, interval: 20 });
    console.log(`file opened ${Math.round(performance.now() - startedAt)} ms after one frame and 100 ms of audio`);
    await prompt.finish();
  });

  it('lets audio wait longer before ffmpeg reads its first video frame (it reads no audio before)', async () => {
    // (Finishing starts while ffmpeg is still loading: no progress to see for a while.)
    const early = encoder('audio-early.mp4', { preset: 'ultrafast', maxQueuedAudioMs: 400, exitIdleTimeoutMs: 30_000 });
    process.kill(early.pid!, 'SIGSTOP');
    // 2.5 s of audio, six times the limit, with no video yet (more than the limit and the
    // kernel's pipe buffer hold): none of it dropped.
    for (let k = 0; k < 125; k++) expect(early.writeAudio(audioChunk(k * 0.02)), `chunk ${k}`).toBe(true);
    process.kill(early.pid!, 'SIGCONT');
    for (let index = 0; index < 75; index++) early.writeVideo({ index, image: null, kind: 'black' });
    const result = await early.finish();
    expect(result.error).toBeNull();
    expect(result.status).toBe('complete');
    expect(result.probe!.streams.find((s) => s.kind === 'audio')!.durationSec).toBeGreaterThan(2.45);
    expect(early.stats.audioSamplesDropped).toBe(0);
  });
});

describe('Mp4EncoderProcess.finish', () => {
  it('waits for an ffmpeg still encoding its backlog, long past the idle limit: every frame in the file', async () => {
    // 90 frames of noise at x264 medium on one thread: about 15 fps here, so 6 s of work queued.
    const slow = encoder('slow.mp4', { preset: 'medium' });
    writeAll(slow, noiseFrames(90));
    const startedAt = performance.now();
    const result = await slow.finish();
    const tookMs = performance.now() - startedAt;
    console.log(`finishing took ${Math.round(tookMs)} ms (idle limit ${IDLE_MS} ms): ${result.status}, ${result.durationSec} s, ${result.error ?? 'no error'}`);
    expect(tookMs, 'finishing outlasted the idle limit several times (else this shows nothing)').toBeGreaterThan(3 * IDLE_MS);
    expect(result.error).toBeNull();
    expect(result.status).toBe('complete');
    expect(result.probe!.streams.find((s) => s.kind === 'video')!.packetCount).toBe(90);
    expect(result.durationSec).toBeCloseTo(3, 1);
  });

  it('kills an ffmpeg that makes no progress while finishing, and keeps the fragments it wrote', async () => {
    const hung = encoder('hung.mp4', { preset: 'ultrafast' });
    const outputPath = path.join(folder, 'hung.mp4');
    writeAll(hung, noiseFrames(90));
    // Until ffmpeg has taken every frame and written what it will before more input comes.
    let last = -1;
    for (let quietSince = performance.now(); performance.now() - quietSince < 500; await sleep(100)) {
      const bytes = await fileSize(outputPath);
      if (bytes !== last || hung.stats.videoFramesWritten < 90) [last, quietSince] = [bytes, performance.now()];
    }
    process.kill(hung.pid!, 'SIGSTOP');
    const startedAt = performance.now();
    const result = await hung.finish();
    const tookMs = performance.now() - startedAt;
    console.log(`killed after ${Math.round(tookMs)} ms: ${result.status}, ${result.durationSec} s, ${result.error}`);
    expect(tookMs).toBeGreaterThanOrEqual(IDLE_MS);
    expect(tookMs, 'killed soon after the idle limit').toBeLessThan(IDLE_MS + 3000);
    expect(result.status).toBe('interrupted');
    expect(result.error).toMatch(/made no progress for 1 s while finishing the file and was stopped; the file keeps what it had written/);
    // Its 1 s fragments up to the last one, which ffmpeg keeps until more comes.
    expect(result.durationSec).toBeGreaterThanOrEqual(1.9);
  });
});
