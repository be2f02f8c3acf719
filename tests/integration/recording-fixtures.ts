// Synthetic media for the recording integration tests: a gray picture with a white flash and
// a 1 kHz beep at the same instant, fed at real-time pace (audio is the master clock).
import type { FfmpegToolchain } from '../../native/ffmpeg.js';
import { blackI420 } from '../../main/recording/i420-image.js';
import type { I420Image } from '../../main/recording/i420-image.js';
import type { PcmFrame } from '../../main/recording/timeline.js';

export const SAMPLE_RATE = 48_000;

export function solidI420(width: number, height: number, luma: number): I420Image {
  const image = blackI420(width, height);
  image.data.fill(luma, 0, width * height);
  return image;
}

export interface SyntheticSource {
  /** Receives each video frame as it "arrives". */
  onVideo(frame: I420Image): void;
  onAudio(frame: PcmFrame): void;
}

export interface FeedOptions {
  durationSec: number;
  fps: number;
  /** Seconds at which a white flash and a beep both start. */
  markersAtSec: number[];
  markerLengthSec?: number;
  /** Frame size as a function of time, for resolution changes. */
  sizeAt?: (sec: number) => { width: number; height: number };
  /** Stop early (e.g. when the encoder was killed). */
  shouldStop?: () => boolean;
}

/** Feeds 10 ms audio chunks and frames in real time until `durationSec`. */
export async function feedRealTime(source: SyntheticSource, options: FeedOptions): Promise<void> {
  const markerLength = options.markerLengthSec ?? 0.1;
  const frameCache = new Map<string, I420Image>();
  const frameFor = (sec: number) => {
    const size = options.sizeAt?.(sec) ?? { width: 640, height: 360 };
    const white = options.markersAtSec.some((m) => sec >= m && sec < m + markerLength);
    const key = `${size.width}x${size.height}:${white}`;
    let frame = frameCache.get(key);
    if (!frame) {
      frame = solidI420(size.width, size.height, white ? 235 : 60);
      frameCache.set(key, frame);
    }
    return frame;
  };
  const chunkSamples = SAMPLE_RATE / 100;
  const totalChunks = Math.round(options.durationSec * 100);
  const start = performance.now();
  let chunk = 0;
  let frame = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsedSec = (performance.now() - start) / 1000;
      while (chunk < totalChunks && (chunk + 1) / 100 <= elapsedSec) {
        const data = new Int16Array(chunkSamples * 2);
        for (let i = 0; i < chunkSamples; i++) {
          const t = (chunk * chunkSamples + i) / SAMPLE_RATE;
          const beeping = options.markersAtSec.some((m) => t >= m && t < m + markerLength);
          const value = beeping ? Math.round(12_000 * Math.sin(2 * Math.PI * 1000 * t)) : 0;
          data[2 * i] = value;
          data[2 * i + 1] = value;
        }
        source.onAudio({
          data,
          sampleRate: SAMPLE_RATE,
          channels: 2,
          samplesPerChannel: chunkSamples,
        });
        chunk++;
      }
      // Audio is the master clock: a frame goes out once the audio up to its time has.
      while (frame / options.fps <= chunk / 100 && frame / options.fps < options.durationSec) {
        source.onVideo(frameFor(frame / options.fps));
        frame++;
      }
      if (chunk >= totalChunks || options.shouldStop?.()) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
}

/** Onsets (seconds) of white frames in a file's video: first frame of each run above mid-gray. */
export async function findFlashOnsets(toolchain: FfmpegToolchain, file: string): Promise<number[]> {
  return (await findFlashes(toolchain, file)).map((f) => f.at);
}

/**
 * The white flashes' onsets, each with the time since the file's frame before it. A gap longer
 * than a frame means ticks were dropped there (a file keeps their timestamps free): the flash
 * may have begun in them, and its onset is then late by whole frames, which says nothing of sync.
 */
export async function findFlashes(toolchain: FfmpegToolchain, file: string): Promise<{ at: number; gapBefore: number }[]> {
  // showinfo logs each frame's timestamp and mean luma. Its log is read as a stream: a long
  // file's log is far larger than what runFfmpeg keeps of stderr.
  const { spawn } = await import('node:child_process');
  const { createInterface } = await import('node:readline');
  const child = spawn(toolchain.ffmpeg.path, [
    '-hide_banner', '-nostats', '-v', 'info', '-i', file, '-map', '0:v:0',
    '-vf', 'scale=16:16,format=gray,showinfo', '-fps_mode', 'passthrough', '-f', 'null', '-',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  const onsets: { at: number; gapBefore: number }[] = [];
  let wasWhite = false;
  let previousAt = 0;
  for await (const line of createInterface({ input: child.stderr! })) {
    const match = /pts_time:([\d.]+).*?mean:\[(\d+)/.exec(line);
    if (!match) continue;
    const at = Number(match[1]);
    const white = Number(match[2]) > 150;
    if (white && !wasWhite) onsets.push({ at, gapBefore: at - previousAt });
    wasWhite = white;
    previousAt = at;
  }
  const code = await new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', resolve)));
  if (code !== 0) throw new Error(`ffmpeg could not decode ${file} (exit ${code})`);
  return onsets;
}

/** Each white flash paired with the nearest beep within 1 s: offset = beep - flash, in seconds. */
export function matchMarkers(flashes: number[], beeps: number[]): { at: number; offset: number }[] {
  return flashes
    .map((at) => ({ at, offset: beeps.reduce((best, b) => (Math.abs(b - at) < Math.abs(best - at) ? b : best), Infinity) - at }))
    .filter((m) => Math.abs(m.offset) < 1);
}

/** The sync markers of a file of the replay publisher (white flash and beep together). */
export async function findMarkers(toolchain: FfmpegToolchain, file: string): Promise<{ at: number; offset: number }[]> {
  return matchMarkers(await findFlashOnsets(toolchain, file), await findBeepOnsets(toolchain, file));
}

/** `0.19s:14, 2.19s:-3`: where each marker is in the file and its A/V offset in ms, for logs. */
export function formatMarkers(markers: readonly { at: number; offset: number }[]): string {
  return markers.map((m) => `${m.at.toFixed(2)}s:${Math.round(m.offset * 1000)}`).join(', ');
}

/** What the binary frame counter of the synthetic publisher (tests/sfu/sync-pattern.ts) says about a recorded file. */
export interface SyncAnalysis {
  /** Video frames in the file. */
  frames: number;
  /** Publisher frames between the first and last shown that never appear (lost anywhere: sender, network, recorder). */
  missingFrames: number;
  /** Where publisher frames went missing: file time (s) and how many in a row. */
  gaps: { at: number; frames: number }[];
  /** File frames that repeat the previous publisher frame. */
  repeatedFrames: number;
  /** For each beep in the file: its time, and audio minus video (seconds; positive: audio late). */
  offsets: { at: number; offset: number }[];
}

/**
 * Measures A/V offset at every beep by the burned-in frame counter instead of the white flash:
 * a beep that starts at media time M (a multiple of SYNC_PERIOD_S) is compared with the first
 * file frame showing a publisher frame at or past M. Missing white frames can't hide a marker,
 * and frame loss is counted exactly.
 */
export async function analyzeSyncPattern(toolchain: FfmpegToolchain, file: string, publisherFps = 30): Promise<SyncAnalysis> {
  const { readFrameCounter, meanLuma, SYNC_PERIOD_S } = await import('../sfu/sync-pattern.js');
  const probe = await toolchain.probeMedia(file);
  const video = probe.streams.find((s) => s.kind === 'video');
  if (!video?.width || !video.height) throw new Error(`${file} has no video stream`);
  const { width, height } = video;
  const fileFps = video.avgFrameRate ?? 30;
  const { spawn } = await import('node:child_process');
  const child = spawn(toolchain.ffmpeg.path, ['-v', 'error', '-i', file, '-map', '0:v:0', '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const frameBytes = width * height;
  const counters: number[] = [];
  let pending: Buffer = Buffer.alloc(0);
  const period = Math.round(SYNC_PERIOD_S * publisherFps);
  for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= frameBytes) {
      const luma = new Uint8Array(pending.buffer, pending.byteOffset, frameBytes);
      const previous = Math.max(0, counters.at(-1) ?? 0);
      const mean = meanLuma(luma, width, height);
      // Black (darker than the pattern's background): the recorder had no frame yet. White: a
      // marker, the next multiple of the sync period.
      counters.push(mean < 4 ? -1 : mean > 150 ? Math.max(previous, Math.ceil((previous + 1) / period) * period) : readFrameCounter(luma, width, height)!);
      pending = pending.subarray(frameBytes);
    }
  }
  // A counter read that jumps away and straight back is a misread (compression blurred a
  // cell), not a frame: it takes its predecessor's value.
  for (let i = 1; i + 1 < counters.length; i++) {
    const [before, read, after] = [counters[i - 1]!, counters[i]!, counters[i + 1]!];
    if (before < 0 || read < 0) continue;
    const plausible = (from: number, to: number) => to >= from && to <= from + period / 2;
    if (!plausible(before, read) && plausible(before, after)) counters[i] = before;
  }
  const distinct = new Set(counters.filter((c) => c >= 0));
  let repeated = 0;
  const gaps: { at: number; frames: number }[] = [];
  for (let i = 1; i < counters.length; i++) {
    if (counters[i - 1]! < 0) continue;
    if (counters[i] === counters[i - 1]) repeated++;
    else if (counters[i]! > counters[i - 1]! + 1) gaps.push({ at: i / fileFps, frames: counters[i]! - counters[i - 1]! - 1 });
  }
  const sorted = [...distinct].sort((a, b) => a - b);
  const missing = sorted.length ? sorted.at(-1)! - sorted[0]! + 1 - sorted.length : 0;
  const offsets: { at: number; offset: number }[] = [];
  for (const beep of await findBeepOnsets(toolchain, file)) {
    if (beep < 0.15) continue; // the file may start in the middle of a beep: not an onset
    // Which beep this is: the one nearest to the media time the video shows at that moment.
    const i = Math.min(counters.length - 1, Math.round(beep * fileFps));
    if (i < 0 || counters[i]! < 0) continue;
    const mediaFrame = Math.round(counters[i]! / period) * period;
    const shown = counters.findIndex((c) => c >= mediaFrame);
    if (shown < 0) continue;
    // The frame shown at `shown` carries media time counters[shown]; correct for frames skipped past M.
    const flashAt = shown / fileFps - (counters[shown]! - mediaFrame) / publisherFps;
    offsets.push({ at: beep, offset: beep - flashAt });
  }
  return { frames: counters.length, missingFrames: missing, repeatedFrames: repeated, gaps, offsets };
}

/** Onsets (seconds) of beeps in a file's audio. */
export async function findBeepOnsets(toolchain: FfmpegToolchain, file: string): Promise<number[]> {
  const pcm = await decodeMonoPcm(toolchain, file);
  const onsets: number[] = [];
  let lastLoud = -Infinity;
  for (let i = 0; i < pcm.length; i++) {
    if (Math.abs(pcm[i]!) > 3000) {
      if (i - lastLoud > SAMPLE_RATE * 0.3) onsets.push(i / SAMPLE_RATE);
      lastLoud = i;
    }
  }
  return onsets;
}

async function decodeMonoPcm(toolchain: FfmpegToolchain, file: string): Promise<Int16Array> {
  const { spawn } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    const child = spawn(toolchain.ffmpeg.path, [
      '-v',
      'error',
      '-i',
      file,
      '-map',
      '0:a:0',
      '-ac',
      '1',
      '-ar',
      String(SAMPLE_RATE),
      '-f',
      's16le',
      '-',
    ]);
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', reject);
    child.on('close', () => {
      const all = Buffer.concat(chunks);
      resolve(new Int16Array(all.buffer, all.byteOffset, Math.floor(all.length / 2)));
    });
  });
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
export async function processCpuSeconds(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / 100; // USER_HZ is 100 on Linux
}
