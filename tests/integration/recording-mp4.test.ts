import { copyFile, mkdtemp, readFile, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FfmpegNotFoundError, locateFfmpeg } from '../../native/ffmpeg.js';
import type { FfmpegToolchain } from '../../native/ffmpeg.js';
import { Mp4FileRecorder } from '../../main/recording/mp4-file-recorder.js';
import type { EncoderCrashedError } from '../../main/recording/mp4-encoder-process.js';
import { repairRecording } from '../../main/recording/repair.js';
import { finalizeFragmentedMp4 } from '../../main/recording/mp4-finalize.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { feedRealTime, findBeepOnsets, findFlashOnsets } from './recording-fixtures.js';

let toolchain: FfmpegToolchain;
const { dir: folder, cleanup } = makeTempDir('haven-mp4-');

beforeAll(async () => {
  toolchain = await locateFfmpeg();
});

afterAll(cleanup);

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

  it('survives ffmpeg being killed mid-way: error event, playable fragmented file, repair', async () => {
    const outputPath = path.join(folder, 'killed.mp4');
    const recorder = new Mp4FileRecorder({ toolchain, outputPath, fps: 30 });
    const crashes: EncoderCrashedError[] = [];
    recorder.onDidCrash((error) => crashes.push(error));
    let killed = false;
    await feedRealTime(
      { onVideo: (f) => recorder.pushVideoFrame(f), onAudio: (a) => recorder.pushAudioFrame(a) },
      {
        durationSec: 3.5,
        fps: 30,
        markersAtSec: [1],
        shouldStop: () => {
          if (!killed && recorder.progress.elapsedSec >= 3.2) {
            recorder.killEncoderForTesting(); // kill -9 of ffmpeg
            killed = true;
          }
          return false;
        },
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(crashes).toHaveLength(1);
    expect(crashes[0]!.signal).toBe('SIGKILL');
    expect(crashes[0]!.message).toMatch(/ffmpeg stopped while recording \(signal SIGKILL\)/);

    // As a crash leaves it: fragmented, and playable up to the last complete fragment.
    const leftBehind = path.join(folder, 'left-behind.mp4');
    await copyFile(outputPath, leftBehind);
    const fragmented = await toolchain.probeMedia(leftBehind);
    console.log(
      'fragmented after kill -9',
      fragmented.durationSec,
      fragmented.streams.map((s) => s.packetCount),
    );
    expect(fragmented.durationSec!).toBeGreaterThanOrEqual(2);
    const decode = await toolchain.runFfmpeg(['-v', 'error', '-i', leftBehind, '-f', 'null', '-']);
    expect(decode.code).toBe(0);

    const repaired = await repairRecording(toolchain, leftBehind);
    console.log('repairRecording', repaired);
    expect(repaired).toMatchObject({ kind: 'mp4', outcome: 'repaired' });
    expect(repaired.durationSec).toBeGreaterThanOrEqual(2);

    // stop() after the crash salvages the file itself and says it ended early.
    const result = await recorder.stop();
    expect(result.status).toBe('interrupted');
    expect(result.error).toMatch(/SIGKILL/);
    expect(result.durationSec).toBeGreaterThanOrEqual(2);
  });

  it('recovers a fragmented file that a full disk cut inside a fragment header', async () => {
    // What ffmpeg leaves when the disk fills: its fragmented output (the recorder's flags),
    // ending part-way into a moof.
    const file = path.join(folder, 'cut.mp4');
    const made = await toolchain.runFfmpeg(['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=30', '-f', 'lavfi', '-i', 'sine=f=440:sample_rate=48000', '-t', '4', '-c:v', 'libx264', '-preset', 'ultrafast', '-bf', '0', '-g', '30', '-c:a', 'aac', '-ac', '2', '-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-frag_duration', '1000000', '-f', 'mp4', file]);
    expect(made.code).toBe(0);
    const bytes = await readFile(file);
    const moofs: number[] = [];
    for (let at = bytes.indexOf('moof'); at >= 0; at = bytes.indexOf('moof', at + 4)) moofs.push(at - 4);
    expect(moofs.length).toBeGreaterThanOrEqual(4);
    await truncate(file, moofs[3]! + bytes.readUInt32BE(moofs[3]!) - 20);
    // ffmpeg's own reader gives up on the whole file...
    await expect(toolchain.probeMedia(file)).rejects.toThrow(/reading header|End of file/);
    // ...finishing it cuts the partial fragment off and keeps the three before it.
    const result = await finalizeFragmentedMp4(toolchain, file);
    expect(result).toMatchObject({ remuxed: true, error: null });
    expect(result.probe!.durationSec!).toBeGreaterThanOrEqual(2.9);
  });

  it('keeps the first size when the resolution changes mid-stream', async () => {
    const outputPath = path.join(folder, 'resize.mp4');
    const recorder = new Mp4FileRecorder({ toolchain, outputPath, fps: 30 });
    await feedRealTime(
      { onVideo: (f) => recorder.pushVideoFrame(f), onAudio: (a) => recorder.pushAudioFrame(a) },
      {
        durationSec: 3,
        fps: 30,
        markersAtSec: [2.5],
        // 640x360, then a simulcast drop to 320x180, then a 4:3 camera with odd sizes.
        sizeAt: (sec) =>
          sec < 1
            ? { width: 640, height: 360 }
            : sec < 2
              ? { width: 320, height: 180 }
              : { width: 481, height: 361 },
      },
    );
    const result = await recorder.stop();
    expect(result.status).toBe('complete');
    const video = result.probe!.streams.find((s) => s.kind === 'video')!;
    expect([video.width, video.height]).toEqual([640, 360]);
    const decode = await toolchain.runFfmpeg(['-v', 'error', '-i', outputPath, '-f', 'null', '-']);
    expect(decode.code).toBe(0);
    expect(decode.stderr).toBe('');
    // Every decoded frame has the file's size (showinfo reports each).
    const info = await toolchain.runFfmpeg([
      '-hide_banner',
      '-nostats',
      '-i',
      outputPath,
      '-vf',
      'showinfo',
      '-f',
      'null',
      '-',
    ]);
    const sizes = new Set([...info.stderr.matchAll(/ s:(\d+x\d+) /g)].map((m) => m[1]));
    expect([...sizes]).toEqual(['640x360']);
    const flashes = await findFlashOnsets(toolchain, outputPath);
    expect(flashes).toHaveLength(1);
  });

  it('starts at the fallback size with black video when no frame ever comes', async () => {
    const outputPath = path.join(folder, 'no-video.mp4');
    const recorder = new Mp4FileRecorder({
      toolchain,
      outputPath,
      fallbackVideoSize: { width: 320, height: 240 },
      sizeWaitMs: 500,
    });
    await feedRealTime(
      { onVideo: () => {}, onAudio: (a) => recorder.pushAudioFrame(a) },
      { durationSec: 1.5, fps: 30, markersAtSec: [] },
    );
    const result = await recorder.stop();
    expect(result.status).toBe('complete');
    const video = result.probe!.streams.find((s) => s.kind === 'video')!;
    expect([video.width, video.height]).toEqual([320, 240]);
    expect(result.durationSec).toBeGreaterThan(1.4);
  });
});

describe('locating ffmpeg', () => {
  it('fails with a clear error for a missing configured path', async () => {
    const error = await locateFfmpeg({ ffmpegPath: '/nonexistent/ffmpeg' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FfmpegNotFoundError);
    expect((error as Error).message).toBe(
      'ffmpeg not found at /nonexistent/ffmpeg: set Settings > ffmpeg path or install ffmpeg',
    );
  });

  it('fails for an environment path that is not ffmpeg, and for an empty PATH', async () => {
    const notFfmpeg = await locateFfmpeg({ env: { HAVEN_FFMPEG: '/bin/true', PATH: '' } }).catch(
      (e: unknown) => e,
    );
    expect((notFfmpeg as Error).message).toMatch(/\/bin\/true is not a working ffmpeg/);
    const none = await locateFfmpeg({ env: { PATH: '' }, resolveFfmpegStatic: () => null }).catch(
      (e: unknown) => e,
    );
    expect((none as Error).message).toBe(
      'ffmpeg not found on PATH: set Settings > ffmpeg path or install ffmpeg',
    );
  });

  it('finds ffmpeg and ffprobe on PATH, with versions', async () => {
    expect(toolchain.ffmpeg.source).toBe('path');
    expect(toolchain.ffmpeg.version).toMatch(/^ffmpeg version /);
    expect(toolchain.ffprobe.version).toMatch(/^ffprobe version /);
  });

  it('prefers the packaged resources binary over PATH', async () => {
    const resources = await mkdtemp(path.join(tmpdir(), 'haven-res-'));
    const dir = path.join(resources, 'ffmpeg', `${process.platform}-${process.arch}`);
    const { mkdir, symlink } = await import('node:fs/promises');
    await mkdir(dir, { recursive: true });
    await symlink(toolchain.ffmpeg.path, path.join(dir, 'ffmpeg'));
    await symlink(toolchain.ffprobe.path, path.join(dir, 'ffprobe'));
    const located = await locateFfmpeg({ resourcesPath: resources });
    expect(located.ffmpeg).toMatchObject({ source: 'resources', path: path.join(dir, 'ffmpeg') });
    expect(located.ffprobe).toMatchObject({ source: 'resources', path: path.join(dir, 'ffprobe') });
    await rm(resources, { recursive: true, force: true });
  });
});
