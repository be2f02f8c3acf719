import { spawn } from 'node:child_process';
import type { ChildProcess, StdioOptions } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

/** Where a binary was found, in the order they are tried. */
export type FfmpegSource = 'override' | 'env' | 'resources' | 'ffmpeg-static' | 'path';

/** A located and validated binary. */
export interface LocatedBinary {
  readonly path: string;
  readonly source: FfmpegSource;
  /** First line of `-version`, e.g. `ffmpeg version 5.1.9-0+deb12u1 ...`. */
  readonly version: string;
}

/** Inputs to {@link locateFfmpeg}; every field is optional. */
export interface FfmpegLocateOptions {
  /** Settings > ffmpeg path. When set and unusable, locating fails instead of falling back. */
  readonly ffmpegPath?: string | null;
  /** Settings > ffprobe path; defaults to an `ffprobe` beside `ffmpegPath` when that is set. */
  readonly ffprobePath?: string | null;
  /** Packaged app's `process.resourcesPath` (Electron); binaries live in `ffmpeg/<platform>-<arch>/`. */
  readonly resourcesPath?: string | null;
  readonly env?: NodeJS.ProcessEnv;
  readonly platform?: NodeJS.Platform;
  readonly arch?: string;
  /** For testing: the ffmpeg-static package's binary path, or null when it is not installed. */
  readonly resolveFfmpegStatic?: () => string | null;
}

/** The ffmpeg binary is missing, can't run, or lacks the encoders recordings need. */
export class FfmpegNotFoundError extends Error {
  constructor(
    message: string,
    readonly tool: 'ffmpeg' | 'ffprobe',
    readonly triedPaths: readonly string[],
  ) {
    super(message);
    this.name = 'FfmpegNotFoundError';
  }
}

/** Exit code (null when killed), signal and captured output of a finished process. */
export interface ProcessResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Kill the process (SIGKILL) after this long; default 120 s. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** One stream of {@link MediaProbe}; fields ffprobe leaves out are null. */
export interface ProbedStream {
  readonly index: number;
  readonly kind: 'video' | 'audio' | 'other';
  readonly codec: string | null;
  readonly width: number | null;
  readonly height: number | null;
  readonly sampleRate: number | null;
  readonly channels: number | null;
  readonly durationSec: number | null;
  /** Packets counted by reading the whole file (`-count_packets`): frames for video. */
  readonly packetCount: number | null;
  /** `avg_frame_rate` as a number, video only. */
  readonly avgFrameRate: number | null;
}

/** What ffprobe says about a media file. */
export interface MediaProbe {
  readonly formatName: string | null;
  readonly durationSec: number | null;
  readonly sizeBytes: number | null;
  readonly streams: readonly ProbedStream[];
}

const REQUIRED_ENCODERS = ['libx264', 'aac'] as const;
const STDERR_CAPTURE_LIMIT = 64 * 1024;
const FIX_HINT = 'set Settings > ffmpeg path or install ffmpeg';

/**
 * Runs ffmpeg and ffprobe at known paths. Built by {@link locateFfmpeg}; tests may construct
 * one directly around any pair of binaries.
 */
export class FfmpegToolchain {
  constructor(
    readonly ffmpeg: LocatedBinary,
    readonly ffprobe: LocatedBinary,
  ) {}

  /** Runs ffmpeg to completion, capturing stdout and stderr. Never rejects on a non-zero exit. */
  runFfmpeg(args: readonly string[], options: RunOptions = {}): Promise<ProcessResult> {
    return runProcess(this.ffmpeg.path, args, options);
  }

  /** Runs ffprobe to completion, capturing stdout and stderr. Never rejects on a non-zero exit. */
  runFfprobe(args: readonly string[], options: RunOptions = {}): Promise<ProcessResult> {
    return runProcess(this.ffprobe.path, args, options);
  }

  /** Starts a long-running ffmpeg with the given stdio layout (extra pipes for raw media). */
  spawnFfmpeg(args: readonly string[], stdio: StdioOptions): ChildProcess {
    return spawn(this.ffmpeg.path, args, { stdio, windowsHide: true });
  }

  /**
   * Probes a file with ffprobe, counting packets so frame counts are real even for fragmented
   * MP4 (whose headers carry none). Rejects when ffprobe can't read the file.
   */
  async probeMedia(filePath: string, options: RunOptions = {}): Promise<MediaProbe> {
    const result = await this.runFfprobe(
      ['-v', 'error', '-count_packets', '-show_format', '-show_streams', '-of', 'json', filePath],
      options,
    );
    if (result.code !== 0) {
      throw new Error(`ffprobe could not read ${filePath}: ${tail(result.stderr, 500)}`);
    }
    return parseProbeJson(result.stdout);
  }

  /**
   * Writes a JPEG/PNG (by `dst` extension) thumbnail of the video frame at `atSec` (default
   * 1 s, or the first frame for shorter files), scaled to `width` pixels wide.
   */
  async makeThumbnail(
    src: string,
    dst: string,
    options: { atSec?: number; width?: number } = {},
  ): Promise<void> {
    const width = options.width ?? 320;
    const attempt = (atSec: number) =>
      this.runFfmpeg([
        '-hide_banner',
        '-loglevel',
        'error',
        '-y',
        '-ss',
        String(atSec),
        '-i',
        src,
        '-frames:v',
        '1',
        '-vf',
        `scale=${width}:-2`,
        '-update',
        '1',
        dst,
      ]);
    let result = await attempt(options.atSec ?? 1);
    // Seeking past the end of a short file exits 0 but writes nothing: try the first frame.
    if (result.code !== 0 || !(await isNonEmptyFile(dst))) result = await attempt(0);
    if (result.code !== 0 || !(await isNonEmptyFile(dst))) {
      throw new Error(`no thumbnail for ${src}: ${tail(result.stderr, 500) || 'no video frame'}`);
    }
  }
}

// Validation runs the binary, so it is done once per path for the life of the process.
const validationCache = new Map<string, Promise<string>>();

/**
 * Finds ffmpeg and ffprobe and checks that ffmpeg runs and has the libx264 and aac encoders.
 *
 * Order: explicit path (settings) -> `HAVEN_FFMPEG` / `HAVEN_FFPROBE` -> packaged resources
 * (`<resourcesPath>/ffmpeg/<platform>-<arch>/`) -> the optional `ffmpeg-static` package ->
 * `PATH`. An explicit or environment path that doesn't work is an error, not a reason to
 * quietly use another binary. Rejects with {@link FfmpegNotFoundError}.
 */
export async function locateFfmpeg(options: FfmpegLocateOptions = {}): Promise<FfmpegToolchain> {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const arch = options.arch ?? process.arch;
  const exe = platform === 'win32' ? '.exe' : '';
  const resourcesDir = options.resourcesPath
    ? path.join(options.resourcesPath, 'ffmpeg', `${platform}-${arch}`)
    : null;
  const staticFfmpeg = (options.resolveFfmpegStatic ?? resolveFfmpegStatic)();
  const explicitProbe =
    options.ffprobePath ||
    (options.ffmpegPath ? siblingBinary(options.ffmpegPath, 'ffprobe', exe) : null);

  const ffmpeg = await locateOne('ffmpeg', [
    { source: 'override', path: options.ffmpegPath || null, explicit: true },
    { source: 'env', path: env.HAVEN_FFMPEG || null, explicit: true },
    { source: 'resources', path: resourcesDir && path.join(resourcesDir, `ffmpeg${exe}`) },
    { source: 'ffmpeg-static', path: staticFfmpeg },
    { source: 'path', path: await findOnPath(`ffmpeg${exe}`, env) },
  ]);
  const ffprobe = await locateOne('ffprobe', [
    { source: 'override', path: explicitProbe, explicit: true },
    { source: 'env', path: env.HAVEN_FFPROBE || null, explicit: true },
    { source: 'resources', path: resourcesDir && path.join(resourcesDir, `ffprobe${exe}`) },
    // ffmpeg-static ships no ffprobe; one installed beside whatever ffmpeg we chose is the best bet.
    { source: ffmpeg.source, path: siblingBinary(ffmpeg.path, 'ffprobe', exe) },
    { source: 'path', path: await findOnPath(`ffprobe${exe}`, env) },
  ]);
  return new FfmpegToolchain(ffmpeg, ffprobe);
}

interface Candidate {
  readonly source: FfmpegSource;
  readonly path: string | null;
  /** The user asked for this path: fail loudly instead of falling through. */
  readonly explicit?: boolean;
}

async function locateOne(
  tool: 'ffmpeg' | 'ffprobe',
  candidates: Candidate[],
): Promise<LocatedBinary> {
  const tried: string[] = [];
  for (const candidate of candidates) {
    if (!candidate.path) continue;
    tried.push(candidate.path);
    if (!(await isExecutableFile(candidate.path))) {
      if (candidate.explicit) {
        throw new FfmpegNotFoundError(
          `${tool} not found at ${candidate.path}: ${FIX_HINT}`,
          tool,
          tried,
        );
      }
      continue;
    }
    const version = await validateBinary(tool, candidate.path, tried);
    return { path: candidate.path, source: candidate.source, version };
  }
  throw new FfmpegNotFoundError(
    `${tool} not found${tried.length ? ` (looked at ${tried.join(', ')})` : ' on PATH'}: ${FIX_HINT}`,
    tool,
    tried,
  );
}

function validateBinary(
  tool: 'ffmpeg' | 'ffprobe',
  binary: string,
  tried: string[],
): Promise<string> {
  const key = `${tool}\0${binary}`;
  let pending = validationCache.get(key);
  if (!pending) {
    pending = runValidation(tool, binary, tried);
    validationCache.set(key, pending);
    // A failed check is not cached: the user may fix the binary and retry without a restart.
    pending.catch(() => validationCache.delete(key));
  }
  return pending;
}

async function runValidation(
  tool: 'ffmpeg' | 'ffprobe',
  binary: string,
  tried: string[],
): Promise<string> {
  let versionRun: ProcessResult;
  try {
    versionRun = await runProcess(binary, ['-hide_banner', '-version'], { timeoutMs: 15_000 });
  } catch (error) {
    throw new FfmpegNotFoundError(
      `${tool} at ${binary} could not be run (${(error as Error).message}): ${FIX_HINT}`,
      tool,
      tried,
    );
  }
  const version = versionRun.stdout.split('\n')[0]?.trim() ?? '';
  if (versionRun.code !== 0 || !version.startsWith(`${tool} version`)) {
    throw new FfmpegNotFoundError(
      `${binary} is not a working ${tool} (exit ${versionRun.code}): ${FIX_HINT}`,
      tool,
      tried,
    );
  }
  if (tool === 'ffmpeg') {
    const encoders = await runProcess(binary, ['-hide_banner', '-encoders'], { timeoutMs: 15_000 });
    const missing = REQUIRED_ENCODERS.filter(
      (name) => !new RegExp(`^\\s*\\S+\\s+${name}\\s`, 'm').test(encoders.stdout),
    );
    if (missing.length > 0) {
      throw new FfmpegNotFoundError(
        `ffmpeg at ${binary} lacks the ${missing.join(' and ')} encoder${missing.length > 1 ? 's' : ''} ` +
          `needed for H.264/AAC recordings: ${FIX_HINT} (a build with --enable-libx264)`,
        tool,
        tried,
      );
    }
  }
  return version;
}

function resolveFfmpegStatic(): string | null {
  try {
    // Optional dependency whose install script downloads the binary; absent when that failed.
    const require = createRequire(import.meta.url);
    const resolved = require('ffmpeg-static') as unknown;
    if (typeof resolved !== 'string') return null;
    // Inside a packaged app the binary must be asarUnpack'ed; spawn can't run from the archive.
    return resolved.replace(`app.asar${path.sep}`, `app.asar.unpacked${path.sep}`);
  } catch {
    return null;
  }
}

function siblingBinary(binaryPath: string, name: string, exe: string): string {
  return path.join(path.dirname(binaryPath), `${name}${exe}`);
}

async function findOnPath(fileName: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  const dirs = (env.PATH ?? env.Path ?? '').split(path.delimiter).filter(Boolean);
  for (const dir of dirs) {
    const candidate = path.join(dir, fileName);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return null;
}

async function isExecutableFile(filePath: string): Promise<boolean> {
  try {
    const info = await stat(filePath);
    if (!info.isFile()) return false;
    await access(filePath, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function isNonEmptyFile(filePath: string): Promise<boolean> {
  try {
    return (await stat(filePath)).size > 0;
  } catch {
    return false;
  }
}

function runProcess(
  binary: string,
  args: readonly string[],
  options: RunOptions,
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
      signal: options.signal,
    });
    const stdout: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      // Keep the end of stderr: that is where ffmpeg says why it failed.
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_CAPTURE_LIMIT);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(stdout).toString('utf8'), stderr });
    });
  });
}

/** The last `maxChars` characters of a process's stderr, trimmed, for error messages. */
export function tail(text: string, maxChars: number): string {
  return text.slice(-maxChars).trim();
}

/** Parses `ffprobe -of json -show_format -show_streams` output. Exported for tests. */
export function parseProbeJson(json: string): MediaProbe {
  const raw = JSON.parse(json) as {
    format?: Record<string, unknown>;
    streams?: Record<string, unknown>[];
  };
  const streams = (raw.streams ?? []).map((s): ProbedStream => ({
    index: toNumber(s.index) ?? 0,
    kind: s.codec_type === 'video' ? 'video' : s.codec_type === 'audio' ? 'audio' : 'other',
    codec: typeof s.codec_name === 'string' ? s.codec_name : null,
    width: toNumber(s.width),
    height: toNumber(s.height),
    sampleRate: toNumber(s.sample_rate),
    channels: toNumber(s.channels),
    durationSec: toNumber(s.duration),
    packetCount: toNumber(s.nb_read_packets),
    avgFrameRate: s.codec_type === 'video' ? toRate(s.avg_frame_rate) : null,
  }));
  return {
    formatName: typeof raw.format?.format_name === 'string' ? raw.format.format_name : null,
    durationSec: toNumber(raw.format?.duration),
    sizeBytes: toNumber(raw.format?.size),
    streams,
  };
}

function toNumber(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : null;
}

function toRate(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const [num, den] = value.split('/').map(Number);
  return num !== undefined && den ? num / den : null;
}
