/**
 * The floor: what recording one stream costs when ffmpeg alone does it, one process per stream:
 * decode the replay's own VP8 (and Opus), encode with exactly the app's x264/AAC arguments
 * (taken from buildMp4EncoderArgs, so they can't drift apart), real-time paced with `-re`.
 * `-threads` too: the i-th stream's encoder gets what the app would give it (x264ThreadsFor).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildMp4EncoderArgs, x264ThreadsFor, type X264Preset } from '../../main/recording/mp4-encoder-process';
import { cpuDelta, readProc, type ProcSample } from './proc';

export interface FloorOptions {
  ffmpeg: string;
  streams: number;
  files: { video: string; audio: string };
  width: number;
  height: number;
  fps: number;
  preset: X264Preset;
  seconds: number;
  /** Seconds left out of the measurement at the start (process and x264 start-up). */
  warmupSec: number;
}

export interface FloorResult {
  streams: number;
  windowSec: number;
  cpuSecTotal: number;
  /** % of one core per stream. */
  cpuPctPerStream: number;
  /**
   * The slowest process's own speed (ffmpeg's -progress: output time over its time since it began
   * transcoding): ~1 when it kept up. Timed from spawn to exit, as before, it read 0.96-0.98 for a
   * single stream on an idle machine: process start and the file's close counted as falling behind.
   */
  speed: number;
  framesWritten: number;
  args: string[];
}

const children = new Set<ChildProcess>();

export function killFloor(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
}

/** The app's encoder arguments with its two raw pipes replaced by the replay's files. */
export function floorArgs(options: Omit<FloorOptions, 'streams' | 'warmupSec'>, output: string, threads?: number): string[] {
  const app = buildMp4EncoderArgs({
    threads,
    toolchain: undefined as never,
    outputPath: output,
    width: options.width,
    height: options.height,
    fps: options.fps,
    preset: options.preset,
  });
  const encode = app.slice(app.indexOf('-map'), -1); // mapping, codecs, muxer options
  return [
    ...app.slice(0, app.indexOf('-y') + 1), // -hide_banner ... -y (the pipes' input options are not for files)
    '-re',
    '-stream_loop',
    '-1',
    '-i',
    options.files.video,
    '-re',
    '-stream_loop',
    '-1',
    '-i',
    options.files.audio,
    '-t',
    String(options.seconds),
    ...encode,
    // The recorder hands ffmpeg 48 kHz stereo (AudioStream's output); the clip is mono.
    '-ac',
    '2',
    '-ar',
    '48000',
    output,
  ];
}

export async function runFloor(options: FloorOptions): Promise<FloorResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-bench-floor-'));
  try {
    const procs = Array.from({ length: options.streams }, (_, i) => {
      // Threads as the app gives the i-th of several encoders.
      const args = floorArgs(options, path.join(dir, `floor-${i}.mp4`), x264ThreadsFor(i));
      const child = spawn(options.ffmpeg, [...args.slice(0, -1), '-progress', 'pipe:1', '-stats_period', '1', args.at(-1)!], { stdio: ['ignore', 'pipe', 'pipe'] });
      children.add(child);
      let speed = NaN;
      child.stdout!.on('data', (c: Buffer) => {
        for (const m of c.toString().matchAll(/^speed=\s*([\d.]+)x/gm)) speed = Number(m[1]);
      });
      let stderr = '';
      child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
      const done = new Promise<void>((resolve) =>
        child.once('close', (code) => {
          children.delete(child);
          if (code !== 0) console.error(`floor ffmpeg exited ${code}: ${stderr}`);
          resolve();
        }),
      );
      return { child, args, done, speed: () => speed };
    });
    const started = performance.now();
    await new Promise((r) => setTimeout(r, options.warmupSec * 1000));
    const sample = () => procs.map((p) => readProc(p.child.pid!)).filter((s): s is ProcSample => s !== null);
    const before = sample();
    const beforeAt = performance.now();
    // Measure until a little before the end, while every process is still alive.
    await new Promise((r) => setTimeout(r, Math.max(1, options.seconds - options.warmupSec - 1) * 1000));
    const after = sample();
    const windowSec = (performance.now() - beforeAt) / 1000;
    // Bounded: `-t` ends them; anything still running 30 s later is killed.
    const killer = setTimeout(() => procs.forEach((p) => p.child.kill('SIGKILL')), (options.seconds + 30) * 1000);
    await Promise.all(procs.map((p) => p.done));
    clearTimeout(killer);
    const speeds = procs.map((p) => p.speed());
    const wallSec = (performance.now() - started) / 1000;
    const cpuSecTotal = cpuDelta(before, after).reduce((sum, s) => sum + s.cpuSec, 0);
    let framesWritten = 0;
    for (let i = 0; i < options.streams; i++) {
      framesWritten += await countVideoPackets(options.ffmpeg, path.join(dir, `floor-${i}.mp4`));
    }
    return {
      streams: options.streams,
      windowSec,
      cpuSecTotal,
      cpuPctPerStream: (cpuSecTotal / windowSec / options.streams) * 100,
      speed: speeds.every(Number.isFinite) ? Math.min(...speeds) : options.seconds / wallSec,
      framesWritten,
      args: procs[0]!.args,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function countVideoPackets(ffmpeg: string, file: string): Promise<number> {
  const ffprobe = path.join(path.dirname(ffmpeg), 'ffprobe');
  return new Promise((resolve) => {
    const child = spawn(ffprobe, ['-v', 'error', '-select_streams', 'v:0', '-count_packets', '-show_entries', 'stream=nb_read_packets', '-of', 'csv=p=0', file]);
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('close', () => resolve(Number(out.trim()) || 0));
    child.on('error', () => resolve(0));
  });
}
