import { DEFAULT_LATENCY_MS, RecordingTimeline, monotonicClock } from './timeline.js';
import type { Clock, PcmFrame, TimelineCounters, TrackDelayOptions } from './timeline.js';
import { WavWriter, repairWav } from './wav-writer.js';

/** Options of {@link WavFileRecorder.start}. */
export interface WavFileRecorderOptions {
  readonly outputPath: string;
  /** Default: monotonic `performance.now()`. */
  readonly clock?: Clock;
  /** See {@link RecordingTimeline}; default 300 ms. */
  readonly latencyMs?: number;
  /** How often due audio is written. Default 50 ms. */
  readonly drainIntervalMs?: number;
  /** Header rewrite interval; default 1000 ms. */
  readonly headerIntervalMs?: number;
}

/** Outcome of a WAV recording, read back from the file's header. */
export interface WavFileResult {
  readonly status: 'complete' | 'failed';
  readonly path: string;
  readonly durationSec: number;
  readonly bytes: number;
  readonly error: string | null;
}

/**
 * Records one audio-only participant to a WAV file on the wall-clock timeline: gaps become
 * silence, so the file's length is the time recorded and lines up with the session's MP4s.
 * Feed it from an rtc-node `AudioStream` opened at 48 kHz stereo.
 */
export class WavFileRecorder {
  private readonly timer: NodeJS.Timeout;
  private stopped: Promise<WavFileResult> | null = null;

  private constructor(
    readonly timeline: RecordingTimeline,
    private readonly writer: WavWriter,
    drainIntervalMs: number,
  ) {
    this.timer = setInterval(() => this.writer.write(this.timeline.drain().audio), drainIntervalMs);
  }

  /** Opens the file and starts the timeline (t0 is now). */
  static async start(options: WavFileRecorderOptions): Promise<WavFileRecorder> {
    const writer = await WavWriter.open(options.outputPath, {
      headerIntervalMs: options.headerIntervalMs,
    });
    const timeline = new RecordingTimeline({
      clock: options.clock ?? monotonicClock,
      video: false,
      latencyMs: options.latencyMs ?? DEFAULT_LATENCY_MS,
    });
    return new WavFileRecorder(timeline, writer, options.drainIntervalMs ?? 50);
  }

  /** Adds received 48 kHz PCM (mono or stereo). */
  pushAudioFrame(frame: PcmFrame, arrivalMs?: number): void {
    if (!this.stopped) this.timeline.pushAudio(frame, arrivalMs);
  }

  setTrackDelay(delayMs: number, options?: TrackDelayOptions): void {
    this.timeline.setTrackDelay('audio', delayMs, options);
  }

  /** See {@link RecordingTimeline.awaitAudioDelay}. */
  awaitAudioDelay(): void {
    this.timeline.awaitAudioDelay();
  }

  get progress(): {
    bytes: number;
    durationSec: number;
    droppedSamples: number;
    timeline: Readonly<TimelineCounters>;
  } {
    return {
      bytes: this.writer.bytes,
      durationSec: this.writer.durationSec,
      droppedSamples: this.writer.droppedSamples,
      timeline: { ...this.timeline.counters },
    };
  }

  /** The first write error (disk full, file removed); after it, audio is dropped. */
  get error(): Error | null {
    return this.writer.error;
  }

  /** Writes what is due, closes the file and checks its header against its size. Idempotent. */
  stop(): Promise<WavFileResult> {
    this.stopped ??= this.runStop();
    return this.stopped;
  }

  private async runStop(): Promise<WavFileResult> {
    clearInterval(this.timer);
    this.writer.write(this.timeline.flush().audio);
    try {
      await this.writer.close();
      // Read back rather than trust our own bookkeeping.
      const check = await repairWav(this.writer.path);
      return {
        status: check.dataBytes > 0 ? 'complete' : 'failed',
        path: this.writer.path,
        durationSec: check.durationSec,
        bytes: check.dataBytes,
        error: check.dataBytes > 0 ? null : 'no audio was recorded',
      };
    } catch (error) {
      return {
        status: 'failed',
        path: this.writer.path,
        durationSec: 0,
        bytes: 0,
        error: (error as Error).message,
      };
    }
  }
}
