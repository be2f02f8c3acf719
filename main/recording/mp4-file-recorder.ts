import { Mp4EncoderProcess } from './mp4-encoder-process.js';
import type {
  EncoderCrashedError,
  Mp4EncoderOptions,
  Mp4EncoderStats,
  RecordingFileResult,
} from './mp4-encoder-process.js';
import type { I420Image } from './i420-image.js';
import { DEFAULT_LATENCY_MS, RecordingTimeline, monotonicClock } from './timeline.js';
import type { Clock, PcmFrame, TimelineCounters, TimelineOutput, TrackDelayOptions } from './timeline.js';

/** Options of {@link Mp4FileRecorder}. Encoder options pass through to ffmpeg. */
export interface Mp4FileRecorderOptions extends Pick<
  Mp4EncoderOptions,
  | 'toolchain'
  | 'outputPath'
  | 'preset'
  | 'tune'
  | 'crf'
  | 'threads'
  | 'keyframeIntervalSec'
  | 'audioBitrate'
  | 'maxQueuedVideoFrames'
  | 'maxQueuedAudioMs'
  | 'exitIdleTimeoutMs'
> {
  /** Default: monotonic `performance.now()`. */
  readonly clock?: Clock;
  /** Output frame rate; default 30. */
  readonly fps?: number;
  /** File size; default the first frame's size. */
  readonly videoSize?: { width: number; height: number } | null;
  /** Size used when no frame arrived within `sizeWaitMs` (camera off at start). Default 1280x720. */
  readonly fallbackVideoSize?: { width: number; height: number };
  /** How long to wait for a first frame before starting at the fallback size. Default 2000 ms. */
  readonly sizeWaitMs?: number;
  /** See {@link RecordingTimeline}; default 300 ms. */
  readonly latencyMs?: number;
  /** How often due output is moved to ffmpeg. Default 20 ms. */
  readonly drainIntervalMs?: number;
}

/** Snapshot for progress events. */
export interface Mp4RecordingProgress {
  readonly elapsedSec: number;
  readonly timeline: Readonly<TimelineCounters>;
  readonly encoder: Readonly<Mp4EncoderStats> | null;
  /** Positive: audio arrives later than the video clock says it should. */
  readonly audioOffsetMs: number;
  readonly videoSize: { width: number; height: number } | null;
  /** When the first received frame went to ffmpeg (this recorder's clock), null before. */
  readonly firstFrameWrittenAt: number | null;
}

/**
 * Records one participant source (camera + microphone, or screen share + its audio) to one
 * MP4: frames in, timeline, ffmpeg. The timeline starts when this is constructed; ffmpeg
 * starts once the file's size is known (first frame, `videoSize`, or the fallback after
 * `sizeWaitMs`), and catches up on the black ticks and audio due by then.
 *
 * Feed it from rtc-node: `pushVideoFrame(event.frame)` for I420 frames (convert others with
 * `frame.convert(VideoBufferType.I420)`), `pushAudioFrame(frame)` from an `AudioStream`
 * opened at 48 kHz stereo.
 */
export class Mp4FileRecorder {
  readonly timeline: RecordingTimeline;
  private encoder: Mp4EncoderProcess | null = null;
  private readonly clock: Clock;
  private readonly timer: NodeJS.Timeout;
  private readonly crashListeners = new Set<(error: EncoderCrashedError) => void>();
  private stopped: Promise<RecordingFileResult> | null = null;
  private firstFrameWrittenAt: number | null = null;

  constructor(private readonly options: Mp4FileRecorderOptions) {
    this.clock = options.clock ?? monotonicClock;
    this.timeline = new RecordingTimeline({
      clock: this.clock,
      fps: options.fps ?? 30,
      videoSize: options.videoSize ?? null,
      latencyMs: options.latencyMs ?? DEFAULT_LATENCY_MS,
    });
    this.timer = setInterval(() => this.pump(), options.drainIntervalMs ?? 20);
  }

  /** Adds a received I420 frame (any size; fitted to the file's). */
  pushVideoFrame(frame: I420Image, arrivalMs?: number): void {
    if (this.stopped) return;
    this.timeline.pushVideo(frame, arrivalMs);
    // Start ffmpeg as soon as the size is known rather than on the next timer tick.
    if (!this.encoder) this.pump();
  }

  /** Adds received 48 kHz PCM (mono or stereo). */
  pushAudioFrame(frame: PcmFrame, arrivalMs?: number): void {
    if (this.stopped) return;
    this.timeline.pushAudio(frame, arrivalMs);
  }

  /** Per-track delay correction; see {@link RecordingTimeline.setTrackDelay}. */
  setTrackDelay(kind: 'audio' | 'video', delayMs: number, options?: TrackDelayOptions): void {
    this.timeline.setTrackDelay(kind, delayMs, options);
  }

  /** See {@link RecordingTimeline.awaitAudioDelay}. */
  awaitAudioDelay(): void {
    this.timeline.awaitAudioDelay();
  }

  /** ffmpeg's pid once started (for CPU accounting and tests). */
  get encoderPid(): number | undefined {
    return this.encoder?.pid;
  }

  get progress(): Mp4RecordingProgress {
    return {
      elapsedSec: (this.clock.now() - this.timeline.t0) / 1000,
      timeline: { ...this.timeline.counters },
      encoder: this.encoder ? { ...this.encoder.stats } : null,
      audioOffsetMs: this.timeline.audioOffsetMs,
      videoSize: this.timeline.videoSize,
      firstFrameWrittenAt: this.firstFrameWrittenAt,
    };
  }

  /**
   * Subscribes to ffmpeg dying mid-recording. The recorder stops feeding it; call `stop()`
   * to salvage the file (status `interrupted`). Returns an unsubscribe function.
   */
  onDidCrash(listener: (error: EncoderCrashedError) => void): () => void {
    this.crashListeners.add(listener);
    return () => this.crashListeners.delete(listener);
  }

  /** Writes what is still due, stops ffmpeg, finalizes and verifies the file. Idempotent. */
  stop(): Promise<RecordingFileResult> {
    this.stopped ??= this.runStop();
    return this.stopped;
  }

  /** For testing: kills ffmpeg as a crash would. */
  killEncoderForTesting(): void {
    this.encoder?.kill();
  }

  private async runStop(): Promise<RecordingFileResult> {
    clearInterval(this.timer);
    if (!this.encoder) this.startEncoder(true);
    this.write(this.timeline.flush());
    return this.encoder!.finish();
  }

  private pump(): void {
    if (!this.encoder && !this.startEncoder(false)) return;
    if (!this.encoder!.running) return;
    this.write(this.timeline.drain());
  }

  private startEncoder(force: boolean): boolean {
    let size = this.timeline.videoSize;
    if (!size) {
      const waited = this.clock.now() - this.timeline.t0;
      if (!force && waited < (this.options.sizeWaitMs ?? 2000)) return false;
      const fallback = this.options.fallbackVideoSize ?? { width: 1280, height: 720 };
      this.timeline.fixVideoSize(fallback.width, fallback.height);
      size = this.timeline.videoSize!;
    }
    this.encoder = new Mp4EncoderProcess({ ...this.options, ...size, fps: this.timeline.fps });
    this.encoder.onDidCrash((error) => {
      clearInterval(this.timer);
      for (const listener of this.crashListeners) listener(error);
    });
    return true;
  }

  private write(output: TimelineOutput): void {
    if (this.firstFrameWrittenAt === null && output.video.some((tick) => tick.kind === 'new')) this.firstFrameWrittenAt = this.clock.now();
    for (const tick of output.video) this.encoder!.writeVideo(tick);
    this.encoder!.writeAudio(output.audio);
  }
}
