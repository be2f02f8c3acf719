import type { FfmpegToolchain } from '../../native/ffmpeg';
import type { I420Image } from './i420-image';
import { Mp4FileRecorder } from './mp4-file-recorder';
import { stat } from 'node:fs/promises';
import { WavFileRecorder } from './wav-file-recorder';
import { repairWav } from './wav-writer';
import type { X264Preset } from './mp4-encoder-process';
import type { PcmFrame, TrackDelayOptions } from './timeline';

/** What the RecordingService needs of one file being recorded, whatever its format. */
export interface FileRecorder {
  pushVideoFrame?(frame: I420Image, arrivalMs?: number): void;
  pushAudioFrame(frame: PcmFrame, arrivalMs?: number): void;
  setTrackDelay?(kind: 'audio' | 'video', delayMs: number, options?: TrackDelayOptions): void;
  /** Audio from a track whose delay is not known yet is coming (RecordingTimeline.awaitAudioDelay). */
  awaitAudioDelay?(): void;
  readonly progress: FileProgress;
  onDidCrash(listener: (error: Error) => void): () => void;
  /** Finalizes and verifies the file. Idempotent. */
  stop(): Promise<FileResult>;
}

export interface FileProgress {
  elapsedSec: number;
  /** Video frames received (audio-only files: audio frames received). */
  framesIn: number;
  /** Frames written to the file. */
  framesOut: number;
  droppedFrames: number;
  /** Of those, frames ffmpeg could not take in time (the rest were superseded in the timeline). */
  encoderDroppedFrames: number;
  /** Audio ffmpeg could not take in time, made up for with silence in the file (ms). */
  audioDroppedMs: number;
  /** Audio position minus video position in the file, ms; null without video. */
  avDriftMs: number | null;
  /** When the first received video frame went to the encoder (`performance.now()`); null before, and for WAV. */
  firstFrameWrittenAt: number | null;
}

export interface FileResult {
  status: 'complete' | 'interrupted' | 'failed';
  path: string;
  durationSec: number;
  bytes: number;
  error: string | null;
}

export interface FileRecorderSpec {
  kind: 'mp4' | 'wav';
  path: string;
  toolchain: FfmpegToolchain;
  fps: number;
  preset: X264Preset;
  /** x264 threads (MP4); default ffmpeg's. */
  encoderThreads?: number;
}

/** Both recorders' audio rate (their encoders' and writers' default). */
const SAMPLE_RATE = 48_000;

export type FileRecorderFactory = (spec: FileRecorderSpec) => Promise<FileRecorder>;

/** The recorders the app uses: MP4 through ffmpeg, WAV written directly. */
export const createFileRecorder: FileRecorderFactory = async (spec) =>
  spec.kind === 'mp4' ? createMp4Recorder(spec) : createWavRecorder(spec);

/** MP4 through ffmpeg (H.264 + AAC), behind the FileRecorder interface. */
export function createMp4Recorder(spec: FileRecorderSpec): FileRecorder {
  const recorder = new Mp4FileRecorder({
    toolchain: spec.toolchain,
    outputPath: spec.path,
    fps: spec.fps,
    preset: spec.preset,
    threads: spec.encoderThreads,
    // Up to one second of distinct frames may wait for a busy ffmpeg before frames are dropped:
    // enough to ride out a scheduling hiccup on a loaded machine, still a hard memory bound.
    maxQueuedVideoFrames: spec.fps,
  });
  return {
    pushVideoFrame: (frame, arrival) => recorder.pushVideoFrame(frame, arrival),
    pushAudioFrame: (frame, arrival) => recorder.pushAudioFrame(frame, arrival),
    setTrackDelay: (kind, delay, options) => recorder.setTrackDelay(kind, delay, options),
    awaitAudioDelay: () => recorder.awaitAudioDelay(),
    get progress(): FileProgress {
      const p = recorder.progress;
      return {
        elapsedSec: p.elapsedSec,
        framesIn: p.timeline.videoFramesIn,
        framesOut: p.encoder?.videoFramesWritten ?? 0,
        droppedFrames: p.timeline.videoFramesDropped + (p.encoder?.videoFramesDropped ?? 0),
        encoderDroppedFrames: p.encoder?.videoFramesDropped ?? 0,
        audioDroppedMs: Math.round(((p.encoder?.audioSamplesDropped ?? 0) * 1000) / SAMPLE_RATE),
        avDriftMs: Math.round(p.audioOffsetMs),
        firstFrameWrittenAt: p.firstFrameWrittenAt,
      };
    },
    onDidCrash: (listener) => recorder.onDidCrash(listener),
    stop: async () => {
      const r = await recorder.stop();
      return { status: r.status, path: r.path, durationSec: r.durationSec, bytes: r.bytes, error: r.error };
    },
  };
}

/** WAV (RF64 past 4 GiB) for audio-only participants; no encoder process involved. */
export async function createWavRecorder(spec: Pick<FileRecorderSpec, 'path'>): Promise<FileRecorder> {
  const recorder = await WavFileRecorder.start({ outputPath: spec.path });
  const watchers = new Set<NodeJS.Timeout>();
  return {
    pushAudioFrame: (frame, arrival) => recorder.pushAudioFrame(frame, arrival),
    setTrackDelay: (kind, delay, options) => {
      if (kind === 'audio') recorder.setTrackDelay(delay, options);
    },
    awaitAudioDelay: () => recorder.awaitAudioDelay(),
    get progress(): FileProgress {
      const p = recorder.progress;
      // Audio-only: count 10 ms frames so "fps" reads as audio frames per second (100 when healthy).
      return {
        elapsedSec: p.durationSec,
        framesIn: Math.floor(p.timeline.audioSamplesIn / (SAMPLE_RATE / 100)),
        framesOut: Math.floor(p.timeline.audioSamplesOut / (SAMPLE_RATE / 100)),
        droppedFrames: Math.floor((p.droppedSamples + p.timeline.audioSamplesTrimmed) / (SAMPLE_RATE / 100)),
        encoderDroppedFrames: 0,
        audioDroppedMs: 0,
        avDriftMs: null,
        firstFrameWrittenAt: null,
      };
    },
    onDidCrash: (listener) => {
      // The WAV is written from this process: a failed write (disk full) is the "crash".
      const timer = setInterval(() => {
        if (!recorder.error) return;
        clearInterval(timer);
        listener(recorder.error);
      }, 250);
      watchers.add(timer);
      return () => clearInterval(timer);
    },
    stop: async () => {
      for (const timer of watchers) clearInterval(timer);
      const result = await recorder.stop();
      if (result.status !== 'failed') return result;
      // A write failed (disk full): what reached the disk is still audio. Salvage it.
      const salvaged = await repairWav(spec.path).catch(() => null);
      if (!salvaged || salvaged.dataBytes === 0) return result;
      const bytes = await stat(spec.path).then((s) => s.size, () => salvaged.dataBytes);
      return { status: 'interrupted', path: spec.path, durationSec: salvaged.durationSec, bytes, error: result.error };
    },
  };
}
