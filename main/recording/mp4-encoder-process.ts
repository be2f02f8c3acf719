import type { ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import type { Writable } from 'node:stream';
import type { FfmpegToolchain, MediaProbe } from '../../native/ffmpeg.js';
import { tail } from '../../native/ffmpeg.js';
import { blackI420, i420ByteLength } from './i420-image.js';
import type { I420Image } from './i420-image.js';
import { fileSize, finalizeFragmentedMp4, playableDurationSec } from './mp4-finalize.js';
import type { VideoTick } from './timeline.js';

/** x264 presets worth offering for live recording, fastest first. */
export type X264Preset = 'ultrafast' | 'superfast' | 'veryfast' | 'faster' | 'fast' | 'medium';

/** Options of {@link Mp4EncoderProcess}. */
export interface Mp4EncoderOptions {
  readonly toolchain: Pick<FfmpegToolchain, 'spawnFfmpeg' | 'runFfmpeg' | 'probeMedia'>;
  /** Final file; it holds a fragmented MP4 while recording and a faststart MP4 after stop. */
  readonly outputPath: string;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  /** Default 48000. */
  readonly sampleRate?: number;
  /** Default 2. */
  readonly channels?: number;
  /** Default `veryfast` (measured in tests/integration/recording-encoder-cpu.test.ts: ~28% of one core at 720p30). */
  readonly preset?: X264Preset;
  /** `zerolatency` turns off B-frames and lookahead: less encoder memory, larger files. */
  readonly tune?: 'zerolatency' | null;
  /** Constant quality; default 23. */
  readonly crf?: number;
  /** x264 threads; default ffmpeg's (1.5 per core). See {@link x264ThreadsFor}. */
  readonly threads?: number;
  /** Default 1 s, which is also the longest fragment. */
  readonly keyframeIntervalSec?: number;
  /** Default `128k`. */
  readonly audioBitrate?: string;
  /**
   * Distinct frames allowed to wait for the video pipe before new ones are dropped; this
   * bounds memory at about this many raw frames per recorder. Default 8.
   */
  readonly maxQueuedVideoFrames?: number;
  /**
   * Audio allowed to wait for its pipe before new audio is dropped (and made up for with
   * silence). Default 5000 ms; six times that until ffmpeg has started reading video (it reads
   * no audio before its first video frame: 3-4 s into a file when 4 start at once on 2 cores).
   */
  readonly maxQueuedAudioMs?: number;
  /**
   * A stopping ffmpeg is killed once it has made no progress for this long: nothing taken from
   * its pipes and its file not growing. Default 30 s. Never for time alone: behind on a loaded
   * machine it may need longer than any fixed limit to encode what it was given (12 streams on
   * 2 cores: a 30 s limit cut one file at 5 s of its 17).
   */
  readonly exitIdleTimeoutMs?: number;
}

/** Counters of what reached ffmpeg's pipes. */
export interface Mp4EncoderStats {
  videoFramesWritten: number;
  /** Ticks not written because ffmpeg fell behind (gaps in the file's timestamps). */
  videoFramesDropped: number;
  audioSamplesWritten: number;
  audioSamplesDropped: number;
}

/** Outcome of a recording file, decided by probing it, never by ffmpeg's exit code alone. */
export interface RecordingFileResult {
  /**
   * `complete`: stopped cleanly and the file holds what was written. `interrupted`: playable
   * but ends early (ffmpeg died or was killed; the fragmented file was salvaged). `failed`:
   * nothing playable.
   */
  readonly status: 'complete' | 'interrupted' | 'failed';
  readonly path: string;
  readonly durationSec: number;
  readonly bytes: number;
  /** False when the fragmented file was kept because the faststart remux failed. */
  readonly remuxed: boolean;
  readonly error: string | null;
  readonly probe: MediaProbe | null;
}

/** ffmpeg exited while recording. Carries the end of its stderr, which says why. */
export class EncoderCrashedError extends Error {
  constructor(
    readonly exitCode: number | null,
    readonly signal: NodeJS.Signals | null,
    readonly stderrTail: string,
  ) {
    super(
      `ffmpeg stopped while recording (${signal ? `signal ${signal}` : `exit ${exitCode}`})` +
        (stderrTail ? `: ${stderrTail}` : ''),
    );
    this.name = 'EncoderCrashedError';
  }
}

const VIDEO_FD = 3;
const AAC_PRIMING_SAMPLES = 1024;
const AUDIO_FD = 4;
const STDERR_TAIL_CHARS = 4000;

/** Input options: read no more than the first packet before starting. */
const NO_PROBE = ['-probesize', '32', '-analyzeduration', '0'];

/**
 * The ffmpeg argument list for one recording. Exported for tests and the benchmark.
 *
 * Video arrives as IVF-framed raw I420 on fd 3: a 12-byte header per frame carries its
 * timestamp, so a frame dropped under backpressure leaves a gap in time
 * (`-fps_mode passthrough`) instead of shifting every later frame against the audio.
 * Audio arrives as bare s16le on fd 4, timed by sample count.
 *
 * Fragmented MP4 as ffmpeg writes it carries no edit lists, so anything an edit list would
 * normally hide shifts a stream: B-frame reorder delay (so there are none) and AAC's 1024
 * priming samples (so video timestamps, in audio samples, start 1024 later; see
 * {@link videoTimestamp}).
 */
export function buildMp4EncoderArgs(options: Mp4EncoderOptions): string[] {
  const fps = options.fps;
  const keyframeFrames = Math.max(1, Math.round(fps * (options.keyframeIntervalSec ?? 1)));
  return [
    '-hide_banner',
    '-nostdin',
    '-nostats',
    '-loglevel',
    'warning',
    '-y',
    // Both inputs say all there is to know (IVF header; format, rate and channels), so no
    // probing: by default ffmpeg read 1.07 s of audio, and 5 MB or 20 frames of video, before
    // it opened the other input and the file, while what came meanwhile waited in the pipes.
    ...NO_PROBE,
    '-fpsprobesize',
    '0',
    '-thread_queue_size',
    '128',
    '-f',
    'ivf',
    '-i',
    `pipe:${VIDEO_FD}`,
    ...NO_PROBE,
    '-thread_queue_size',
    '256',
    '-f',
    's16le',
    '-ar',
    String(options.sampleRate ?? 48_000),
    '-ac',
    String(options.channels ?? 2),
    '-i',
    `pipe:${AUDIO_FD}`,
    '-map',
    '0:v:0',
    '-map',
    '1:a:0',
    '-c:v',
    'libx264',
    '-preset',
    options.preset ?? 'veryfast',
    ...(options.tune ? ['-tune', options.tune] : []),
    ...(options.threads ? ['-threads', String(options.threads)] : []),
    '-crf',
    String(options.crf ?? 23),
    '-pix_fmt',
    'yuv420p',
    // No B-frames: their reorder delay would need an edit list too, and would shift video
    // 2 frames late in the fragmented file.
    '-bf',
    '0',
    '-g',
    String(keyframeFrames),
    '-keyint_min',
    String(keyframeFrames),
    '-fps_mode',
    'passthrough',
    // The encoder's time base (the input's frame rate is no longer probed; else 1/25).
    '-r',
    String(fps),
    '-c:a',
    'aac',
    '-b:a',
    options.audioBitrate ?? '128k',
    // Each fragment is self-contained: a crash loses at most the one being written.
    '-movflags',
    '+frag_keyframe+empty_moov+default_base_moof',
    '-frag_duration',
    '1000000',
    // Without this, a fragment can sit in ffmpeg's 32 KiB I/O buffer (quiet, static video
    // compresses that small) and a kill loses it.
    '-flush_packets',
    '1',
    '-f',
    'mp4',
    options.outputPath,
  ];
}

/**
 * x264 threads for an encoder started while `running` others are encoding: the cores shared
 * out, at least one. x264's default (1.5 threads per core, in every encoder) oversubscribes
 * the machine once several record at once, and under that contention the encoders fall
 * behind: 4 streams of 720p30 on 2 cores dropped 3-16% of frames in ffmpeg's queue with the
 * default, 0.1-2.6% with one thread each (tests/bench, 3 runs each). One thread of
 * ultrafast/veryfast x264 still encodes 720p30 at 20-30% of a core.
 */
export function x264ThreadsFor(running: number, cores = availableParallelism()): number {
  return Math.max(1, Math.floor(cores / (running + 1)));
}

/**
 * Timestamp of output tick `index` in the IVF stream, whose time base is one audio sample:
 * the tick's place in audio samples plus AAC's priming, so frame and sound meet in the file.
 */
export function videoTimestamp(index: number, fps: number, sampleRate: number): number {
  return AAC_PRIMING_SAMPLES + Math.round((index * sampleRate) / fps);
}

/** The 32-byte IVF file header for raw I420 frames with a time base of 1/`timeBaseRate`. */
export function ivfFileHeader(width: number, height: number, timeBaseRate: number): Buffer {
  const header = Buffer.alloc(32);
  header.write('DKIF', 0, 'ascii');
  header.writeUInt16LE(0, 4); // version
  header.writeUInt16LE(32, 6); // header size
  header.write('I420', 8, 'ascii'); // fourcc: ffmpeg maps it to rawvideo yuv420p
  header.writeUInt16LE(width, 12);
  header.writeUInt16LE(height, 14);
  header.writeUInt32LE(timeBaseRate, 16); // time base denominator
  header.writeUInt32LE(1, 20); // numerator
  return header;
}

/** The 12-byte IVF frame header: payload size and timestamp. */
export function ivfFrameHeader(byteLength: number, timestamp: number): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt32LE(byteLength, 0);
  header.writeBigUInt64LE(BigInt(timestamp), 4);
  return header;
}

/**
 * One ffmpeg process encoding one participant's video and audio into a fragmented MP4,
 * fed through two extra pipes, with bounded queues in front of them.
 */
export class Mp4EncoderProcess {
  readonly stats: Mp4EncoderStats = {
    videoFramesWritten: 0,
    videoFramesDropped: 0,
    audioSamplesWritten: 0,
    audioSamplesDropped: 0,
  };

  private readonly child: ChildProcess;
  private readonly videoPipe: Writable;
  private readonly audioPipe: Writable;
  private readonly frameBytes: number;
  private readonly black: I420Image;
  private readonly maxAudioBytes: number;
  private readonly bytesPerSample: number;
  private readonly sampleRate: number;
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly crashListeners = new Set<(error: EncoderCrashedError) => void>();
  private readonly videoQueue: { index: number; image: I420Image; distinct: boolean }[] = [];
  private readonly maxDistinctQueued: number;
  private readonly maxQueuedTicks: number;
  private distinctQueued = 0;
  private lastQueuedImage: I420Image | null = null;
  private videoIdleWaiters: (() => void)[] = [];
  private stderr = '';
  private stopping = false;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private crash: EncoderCrashedError | null = null;
  /** Bytes of PCM dropped and not yet made up for with silence (see writeAudio). */
  private audioBytesOwed = 0;
  /** Why a stopping ffmpeg was killed (killWhenIdle), if it was. */
  private killedIdle: string | null = null;
  private finishing: Promise<RecordingFileResult> | null = null;

  constructor(private readonly options: Mp4EncoderOptions) {
    if (options.width % 2 !== 0 || options.height % 2 !== 0) {
      throw new Error(`video size ${options.width}x${options.height} must be even`);
    }
    const channels = options.channels ?? 2;
    this.sampleRate = options.sampleRate ?? 48_000;
    this.frameBytes = i420ByteLength(options.width, options.height);
    this.black = blackI420(options.width, options.height);
    this.maxDistinctQueued = options.maxQueuedVideoFrames ?? 8;
    this.maxQueuedTicks = Math.ceil(options.fps * 10);
    this.bytesPerSample = 2 * channels;
    this.maxAudioBytes = Math.round(
      (((options.maxQueuedAudioMs ?? 5000) * (options.sampleRate ?? 48_000)) / 1000) *
        this.bytesPerSample,
    );

    this.child = options.toolchain.spawnFfmpeg(buildMp4EncoderArgs(options), [
      'ignore',
      'ignore',
      'pipe',
      'pipe',
      'pipe',
    ]);
    this.videoPipe = this.child.stdio[VIDEO_FD] as Writable;
    this.audioPipe = this.child.stdio[AUDIO_FD] as Writable;
    // EPIPE after ffmpeg dies surfaces as a crash below; the pipes' own errors add nothing.
    this.videoPipe.on('error', () => {});
    this.videoPipe.on('drain', () => this.pumpVideo());
    this.audioPipe.on('error', () => {});
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS);
    });
    this.exited = new Promise((resolve) => {
      this.child.once('error', (error) => {
        this.stderr += `\n${error.message}`;
        this.onExit(null, null);
        resolve({ code: null, signal: null });
      });
      this.child.once('close', (code, signal) => {
        this.onExit(code, signal);
        resolve({ code, signal });
      });
    });
    this.videoPipe.write(ivfFileHeader(options.width, options.height, this.sampleRate));
  }

  /** ffmpeg's process id (for CPU measurements), undefined if it failed to start. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Whether ffmpeg is still accepting media. */
  get running(): boolean {
    return this.exitInfo === null && !this.stopping;
  }

  /** Last lines ffmpeg wrote to stderr. */
  get stderrTail(): string {
    return tail(this.stderr, STDERR_TAIL_CHARS);
  }

  /** Subscribes to ffmpeg exiting on its own while recording. Returns an unsubscribe function. */
  onDidCrash(listener: (error: EncoderCrashedError) => void): () => void {
    this.crashListeners.add(listener);
    return () => this.crashListeners.delete(listener);
  }

  /**
   * Queues one output tick. Returns false (and counts a drop) when ffmpeg isn't running,
   * or is so far behind that `maxQueuedVideoFrames` distinct images (or 10 s of ticks)
   * already wait. Repeats and black ticks share their image, so a long mute costs no memory.
   */
  writeVideo(tick: VideoTick): boolean {
    const image = tick.image ?? this.black;
    if (image.width !== this.options.width || image.height !== this.options.height) {
      throw new Error(
        `frame ${image.width}x${image.height} for a ${this.options.width}x${this.options.height} file: fit it first`,
      );
    }
    const distinct = image !== this.lastQueuedImage;
    if (
      !this.running ||
      (distinct && this.distinctQueued >= this.distinctQueueCap()) ||
      this.videoQueue.length >= this.maxQueuedTicks
    ) {
      this.stats.videoFramesDropped++;
      return false;
    }
    this.videoQueue.push({ index: tick.index, image, distinct });
    if (distinct) this.distinctQueued++;
    this.lastQueuedImage = image;
    this.pumpVideo();
    return true;
  }

  /**
   * Whether ffmpeg has started reading: it reads a few frames, then pauses to set up x264, so it
   * counts as started after a second of video. It takes about half a second to load (longer on
   * a busy machine); what queues meanwhile is not a sign of an encoder falling behind.
   */
  private get started(): boolean {
    return this.stats.videoFramesWritten >= this.options.fps;
  }

  private distinctQueueCap(): number {
    return this.started
      ? this.maxDistinctQueued
      : Math.max(this.maxDistinctQueued, this.options.fps * 2);
  }

  // One frame at a time goes into the pipe's own buffer; the rest wait in `videoQueue`,
  // where repeated ticks don't copy their image.
  private pumpVideo(): void {
    while (
      this.videoQueue.length > 0 &&
      this.videoPipe.writableLength === 0 &&
      this.exitInfo === null
    ) {
      const next = this.videoQueue.shift()!;
      if (next.distinct) this.distinctQueued--;
      if (this.videoQueue.length === 0) this.lastQueuedImage = null;
      this.videoPipe.cork();
      this.videoPipe.write(
        ivfFrameHeader(
          this.frameBytes,
          videoTimestamp(next.index, this.options.fps, this.sampleRate),
        ),
      );
      this.videoPipe.write(next.image.data.subarray(0, this.frameBytes));
      this.videoPipe.uncork();
      this.stats.videoFramesWritten++;
    }
    if (this.videoQueue.length === 0) this.emitVideoIdle();
  }

  /**
   * Queues interleaved PCM. Returns false (and counts a drop) when too far behind: the audio is
   * then owed as silence, written before the next audio that fits (or at finish), since raw PCM
   * has no timestamps and audio dropped outright would move all that follows earlier.
   */
  writeAudio(pcm: Int16Array): boolean {
    if (pcm.length === 0) return true;
    const samples = pcm.length / (this.options.channels ?? 2);
    const maxBytes = this.started ? this.maxAudioBytes : 6 * this.maxAudioBytes;
    if (!this.running || this.audioPipe.writableLength > maxBytes) {
      this.stats.audioSamplesDropped += samples;
      if (this.running) this.audioBytesOwed += pcm.byteLength;
      return false;
    }
    this.payAudioOwed();
    // s16le: Int16Array is little-endian on every platform Electron ships for.
    this.audioPipe.write(Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength));
    this.stats.audioSamplesWritten += samples;
    return true;
  }

  /** The silence standing for audio dropped so far (see writeAudio). */
  private payAudioOwed(): void {
    if (this.audioBytesOwed === 0 || this.exitInfo !== null) return;
    this.audioPipe.write(Buffer.alloc(this.audioBytesOwed));
    this.audioBytesOwed = 0;
  }

  /**
   * Stops: closes both pipes so ffmpeg flushes and exits (killed once it makes no progress: `exitIdleTimeoutMs`),
   * then remuxes the fragmented file to faststart MP4 and probes it to decide the status.
   * Safe to call more than once, and after a crash (then it salvages the file).
   */
  finish(): Promise<RecordingFileResult> {
    this.finishing ??= this.runFinish();
    return this.finishing;
  }

  /** Kills ffmpeg at once (SIGKILL); `finish()` afterwards salvages what was written. */
  kill(): void {
    this.child.kill('SIGKILL');
  }

  private videoIdle(): Promise<void> {
    if (this.videoQueue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.videoIdleWaiters.push(resolve));
  }

  private emitVideoIdle(): void {
    const waiters = this.videoIdleWaiters;
    this.videoIdleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.exitInfo) return;
    this.exitInfo = { code, signal };
    if (this.stopping && code === 0) return;
    this.crash = new EncoderCrashedError(code, signal, tail(this.stderr, 1000));
    if (this.stopping) return;
    for (const listener of this.crashListeners) listener(this.crash);
  }

  /**
   * Kills ffmpeg once it has made no progress for `idleMs` (see exitIdleTimeoutMs): what it
   * took from the pipes and the size of its file, looked at a few times per `idleMs`.
   */
  private killWhenIdle(idleMs: number): () => void {
    let last = '';
    let lastProgressAt = performance.now();
    let looking = false;
    const timer = setInterval(() => {
      if (looking) return;
      looking = true;
      void fileSize(this.options.outputPath).then((bytes) => {
        looking = false;
        const now = performance.now();
        const progress = `${this.stats.videoFramesWritten} ${this.videoPipe.writableLength} ${this.audioPipe.writableLength} ${bytes}`;
        if (progress !== last) {
          last = progress;
          lastProgressAt = now;
        } else if (now - lastProgressAt >= idleMs && this.exitInfo === null) {
          this.killedIdle = `ffmpeg made no progress for ${Math.round(idleMs / 1000)} s while finishing the file and was stopped; the file keeps what it had written`;
          this.child.kill('SIGKILL');
        }
      });
    }, Math.min(1000, idleMs / 4));
    return () => clearInterval(timer);
  }

  private async runFinish(): Promise<RecordingFileResult> {
    this.stopping = true;
    const stopWatching = this.killWhenIdle(this.options.exitIdleTimeoutMs ?? 30_000);
    // Queued frames go out before the pipe closes.
    await Promise.race([this.videoIdle(), this.exited]);
    this.payAudioOwed();
    this.videoPipe.end();
    this.audioPipe.end();
    const exit = await this.exited;
    stopWatching();

    const finalized = await finalizeFragmentedMp4(this.options.toolchain, this.options.outputPath);
    const durationSec = playableDurationSec(finalized.probe);
    const bytes = await fileSize(this.options.outputPath);
    const base = {
      path: this.options.outputPath,
      durationSec,
      bytes,
      remuxed: finalized.remuxed,
      probe: finalized.probe,
    };
    const video = finalized.probe?.streams.find((s) => s.kind === 'video');
    const audio = finalized.probe?.streams.find((s) => s.kind === 'audio');
    if (!finalized.probe || !video || (video.packetCount ?? 0) === 0) {
      return {
        ...base,
        status: 'failed',
        error: this.describeFailure(finalized.error ?? 'no video in the file'),
      };
    }
    // The file must hold what was written, give or take one fragment, and its audio.
    const missingFrames = this.stats.videoFramesWritten - (video.packetCount ?? 0);
    const complete =
      exit.code === 0 &&
      this.crash === null &&
      audio !== undefined &&
      missingFrames <= this.options.fps;
    if (complete) return { ...base, status: 'complete', error: finalized.error };
    return {
      ...base,
      status: 'interrupted',
      error: this.describeFailure(
        this.killedIdle ??
          this.crash?.message ??
          (audio
            ? `file has ${video.packetCount} of ${this.stats.videoFramesWritten} frames`
            : 'file has no audio'),
      ),
    };
  }

  private describeFailure(reason: string): string {
    const cause = this.killedIdle ?? this.crash?.message;
    return cause && !reason.includes(cause) ? `${reason}; ${cause}` : reason;
  }
}
