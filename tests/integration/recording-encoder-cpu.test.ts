// Measures ffmpeg's CPU for 720p30 x264 at a few presets, fed in real time, to choose the
// default. Slow (about 45 s), so it runs only with HAVEN_ENCODER_BENCH=1.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { locateFfmpeg } from '../../native/ffmpeg.js';
import type { FfmpegToolchain } from '../../native/ffmpeg.js';
import { Mp4EncoderProcess } from '../../main/recording/mp4-encoder-process.js';
import type { X264Preset } from '../../main/recording/mp4-encoder-process.js';
import type { I420Image } from '../../main/recording/i420-image.js';
import { processCpuSeconds } from './recording-fixtures.js';

const WIDTH = 1280;
const HEIGHT = 720;
const FPS = 30;
const SECONDS = 10;

/** Moving test pattern with sensor-like temporal noise, so x264 has real work to do. */
async function cameraLikeFrames(toolchain: FfmpegToolchain, count: number): Promise<I420Image[]> {
  const child = spawn(toolchain.ffmpeg.path, [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=s=${WIDTH}x${HEIGHT}:r=${FPS}`,
    '-vf',
    'noise=alls=2:allf=t',
    '-frames:v',
    String(count),
    '-pix_fmt',
    'yuv420p',
    '-f',
    'rawvideo',
    '-',
  ]);
  const chunks: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => chunks.push(c));
  await new Promise((resolve) => child.once('close', resolve));
  const all = Buffer.concat(chunks);
  const size = (WIDTH * HEIGHT * 3) / 2;
  return Array.from({ length: count }, (_, i) => ({
    width: WIDTH,
    height: HEIGHT,
    data: all.subarray(i * size, (i + 1) * size),
  }));
}

describe.skipIf(!process.env.HAVEN_ENCODER_BENCH)('x264 preset CPU at 720p30', () => {
  it('measures ffmpeg CPU per preset', async () => {
    const toolchain = await locateFfmpeg();
    const folder = await mkdtemp(path.join(tmpdir(), 'haven-bench-'));
    const frames = await cameraLikeFrames(toolchain, 60);
    const rows: string[] = [];
    const configs: { preset: X264Preset; tune: 'zerolatency' | null }[] = [
      { preset: 'ultrafast', tune: null },
      { preset: 'superfast', tune: null },
      { preset: 'veryfast', tune: null },
      { preset: 'veryfast', tune: 'zerolatency' },
    ];
    for (const { preset, tune } of configs) {
      const outputPath = path.join(folder, `${preset}-${tune ?? 'default'}.mp4`);
      const encoder = new Mp4EncoderProcess({
        toolchain,
        outputPath,
        width: WIDTH,
        height: HEIGHT,
        fps: FPS,
        preset,
        tune,
      });
      const audio = new Int16Array((48_000 / FPS) * 2);
      const start = performance.now();
      let written = 0;
      let cpuAtWarm = 0;
      let warmAt = 0;
      await new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          void (async () => {
            const due = Math.floor(((performance.now() - start) / 1000) * FPS);
            while (written < due && written < SECONDS * FPS) {
              encoder.writeVideo({
                index: written,
                image: frames[written % frames.length]!,
                kind: 'new',
              });
              encoder.writeAudio(audio);
              written++;
              if (written === 2 * FPS) {
                cpuAtWarm = await processCpuSeconds(encoder.pid!);
                warmAt = performance.now();
              }
            }
            if (written >= SECONDS * FPS) {
              clearInterval(timer);
              resolve();
            }
          })();
        }, 5);
      });
      const cpu = (await processCpuSeconds(encoder.pid!)) - cpuAtWarm;
      const wall = (performance.now() - warmAt) / 1000;
      const result = await encoder.finish();
      const kbps = ((await stat(outputPath)).size * 8) / 1000 / SECONDS;
      rows.push(
        `${preset}${tune ? `+${tune}` : ''}: ffmpeg ${((cpu / wall) * 100).toFixed(0)}% of one core, ` +
          `${Math.round(kbps)} kb/s, dropped ${encoder.stats.videoFramesDropped}, status ${result.status}`,
      );
      expect(result.status).toBe('complete');
    }
    console.log(`720p30 x264 CPU (2-core ${process.arch}):\n${rows.join('\n')}`);
    await rm(folder, { recursive: true, force: true });
  });
});
