import { evenSize, fitI420 } from './i420-image.js';
import type { I420Image } from './i420-image.js';

// Audio chunks arriving closer together than this are treated as one burst.
const BURST_GAP_MS = 3;

/** How far output trails the wall clock unless configured otherwise (see `latencyMs`). */
export const DEFAULT_LATENCY_MS = 300;

// Output trails an audio delay by at least this much more, for delivery jitter.
const DELAY_MARGIN_MS = 100;

/**
 * How long a new track's audio waits for its delay (see `awaitAudioDelay`, and `settling` in
 * TrackDelayOptions) before it is placed with the delay known then, if any.
 */
export const AUDIO_DELAY_WAIT_MS = 1000;

/** Monotonic milliseconds. Injected so tests can drive time by hand. */
export interface Clock {
  now(): number;
}

/** `performance.now()`: monotonic, unaffected by wall-clock adjustments. */
export const monotonicClock: Clock = { now: () => performance.now() };

/**
 * Interleaved signed 16-bit PCM. An rtc-node `AudioFrame` satisfies this as is; open the
 * `AudioStream` with `{ sampleRate: 48000, numChannels: 2 }` so it already matches the file.
 */
export interface PcmFrame {
  readonly data: Int16Array;
  readonly sampleRate: number;
  readonly channels: number;
  readonly samplesPerChannel: number;
}

/** One output video frame slot. `image` null means black (nothing received yet). */
export interface VideoTick {
  /** Output frame number since t0; time in the file is `index / fps`. */
  readonly index: number;
  readonly image: I420Image | null;
  readonly kind: 'new' | 'repeat' | 'black';
}

/** Output due since the previous drain. Audio and video cover the same span of time. */
export interface TimelineOutput {
  readonly video: VideoTick[];
  /** Interleaved PCM at the timeline's rate and channel count; may be empty. */
  readonly audio: Int16Array;
}

/** Running totals, for progress events and tests. */
export interface TimelineCounters {
  videoFramesIn: number;
  /** Output ticks written, all kinds. */
  videoFramesOut: number;
  /** Ticks that showed the previous frame again (gap, mute, or sender slower than fps). */
  videoFramesRepeated: number;
  /** Ticks before the first frame arrived. */
  videoFramesBlack: number;
  /** Received frames never shown: replaced by a newer one within a tick, or over the cap. */
  videoFramesDropped: number;
  audioSamplesIn: number;
  audioSamplesOut: number;
  /** Silence inserted for gaps and underruns, in samples per channel. */
  audioSilenceInserted: number;
  /** Samples discarded because more audio arrived than time passed, or over the cap. */
  audioSamplesTrimmed: number;
}

/** A track's delay as it was at a time (the clock's, as arrival times are). */
export interface DelayPoint {
  readonly atMs: number;
  readonly delayMs: number;
}

/** Options of {@link RecordingTimeline.setTrackDelay}. */
export interface TrackDelayOptions {
  /** The delay of a stall being recovered from: honoured beyond `maxLatencyMs` (audio only). */
  readonly transient?: boolean;
  /**
   * Audio only: the delay is still moving, as a new track's jitter buffer fills, and a later
   * reading will say where it was (`history`): audio not yet placed is held until then (see
   * `awaitAudioDelay`).
   */
  readonly settling?: boolean;
  /**
   * Audio only: the delay as it was at earlier times, to place held audio by (each burst by the
   * delay at its arrival, between the points in a straight line).
   */
  readonly history?: readonly DelayPoint[];
}

/** Options of {@link RecordingTimeline}. */
export interface RecordingTimelineOptions {
  readonly clock: Clock;
  /** Output frame rate; default 30. */
  readonly fps?: number;
  /** Whether this timeline produces video at all (false for WAV recordings). Default true. */
  readonly video?: boolean;
  /** Output size; default: the first frame's size, rounded down to even. */
  readonly videoSize?: { width: number; height: number } | null;
  /** Default 48000. Incoming audio must have this rate. */
  readonly sampleRate?: number;
  /** Default 2. Mono input is duplicated to both channels. */
  readonly channels?: number;
  /**
   * How far output trails the wall clock at least, so that late frames and per-track delay
   * correction still land in the right slot: video delays are held to it (audio delays make
   * output wait longer, see `maxLatencyMs`). Default {@link DEFAULT_LATENCY_MS}.
   */
  readonly latencyMs?: number;
  /**
   * Output trails by more than `latencyMs` when the audio delay needs it (a jitter buffer holding
   * more, or audio played out late after a stall), up to this much, so that audio still lands
   * in its place. Default 2000 ms: a 1.5 s stall in a track's first seconds left WebRTC's audio
   * jitter buffer holding 1.5 s for 8 s; held to 1000 ms then, audio came out 500-700 ms late.
   */
  readonly maxLatencyMs?: number;
  /** Audio offsets smaller than this are left alone (each correction is a tiny click). Default 10 ms. */
  readonly audioToleranceMs?: number;
  /** Offsets beyond this are corrected at once instead of after a measuring window. Default 200 ms. */
  readonly audioJumpMs?: number;
  /** Window over which the audio offset is measured before a small correction. Default 500 ms. */
  readonly audioWindowMs?: number;
  /** Cap on audio held between drains. Default 5000 ms. */
  readonly maxAudioBacklogMs?: number;
  /**
   * Cap on received video frames held between drains. Default: 60 fps for `latencyMs` + 0.5 s,
   * or 30 fps for `maxLatencyMs` + 0.5 s if more, so a 30 fps stream keeps its frames while
   * output trails by `maxLatencyMs` (a faster one loses its oldest frames then, rather than
   * memory growing with the wait).
   */
  readonly maxPendingVideoFrames?: number;
  /** t0; default `clock.now()` at construction. */
  readonly startMs?: number;
}

interface PendingFrame {
  ptsMs: number;
  readonly image: I420Image;
}

/**
 * Puts arriving frames on a fixed-rate, wall-clock driven timeline shared by audio and video.
 *
 * Times are arrival times (the injected clock at push) minus a per-track delay, so the
 * jitter-buffer delay each track spent in WebRTC can be taken out and video shifted against
 * audio. The file's frame `n` shows the newest frame whose time is before
 * `t0 + (n + 0.5) / fps` (nearest tick); audio sample `k` belongs at `t0 + k / sampleRate`. Both start at t0, so
 * the encoder's sample and frame counts line up without timestamps.
 *
 * Video: each tick takes the latest frame (the last one repeats through gaps and mutes,
 * black before the first); when jitter puts two frames in one tick and none in the next, the
 * newer one moves to the next tick. Audio: chunks are appended contiguously; when the measured
 * offset between where a chunk belongs and where the queue ends drifts past a tolerance,
 * silence is inserted or samples trimmed, so audio stays locked to the clock without
 * clicking on every late packet. Everything held is bounded.
 */
export class RecordingTimeline {
  readonly fps: number;
  readonly sampleRate: number;
  readonly channels: number;
  readonly latencyMs: number;
  readonly maxLatencyMs: number;
  readonly t0: number;
  readonly counters: TimelineCounters = {
    videoFramesIn: 0,
    videoFramesOut: 0,
    videoFramesRepeated: 0,
    videoFramesBlack: 0,
    videoFramesDropped: 0,
    audioSamplesIn: 0,
    audioSamplesOut: 0,
    audioSilenceInserted: 0,
    audioSamplesTrimmed: 0,
  };

  private readonly clock: Clock;
  private readonly hasVideo: boolean;
  private size: { width: number; height: number } | null;
  private videoDelayMs = 0;
  private videoDelayKnown = false;
  private audioDelayMs = 0;
  /** The audio delay that queued audio was placed with. */
  private placedAudioDelayMs = 0;
  private audioDelayKnown = false;
  /** Whether queued audio was placed before the first audio delay came (with none). */
  private placedBlind = true;
  /**
   * Set when audio arrived for a place already written (after a stall): the queue's end is then
   * where output stands, not where the last delay put it, so the next burst is placed by its
   * own offset.
   */
  private audioResync = false;
  /** Set by awaitAudioDelay until the next audio delay: audio is held, not placed. */
  private awaitingAudioDelay = false;
  private readonly heldAudio: { pcm: Int16Array; samples: number; arrivalMs: number }[] = [];

  private readonly pendingFrames: PendingFrame[] = [];
  private readonly maxPendingFrames: number;
  private lastPtsMs = -Infinity;
  private current: I420Image | null = null;
  private currentShown = true;
  private nextTick = 0;

  private burst: Int16Array[] = [];
  private burstSamples = 0;
  private burstArrivalMs = 0;
  private readonly audioChunks: Int16Array[] = [];
  private audioQueued = 0; // samples per channel
  /** Of those, silence at the head of the queue: audio after it can still move earlier. */
  private leadingSilence = 0;
  private audioEmitted = 0; // samples per channel
  private audioStarted = false;
  private readonly toleranceSamples: number;
  private readonly jumpSamples: number;
  private readonly windowMs: number;
  private readonly maxAudioSamples: number;
  private readonly maxAudioBacklogMs: number;
  private windowStartMs = 0;
  private windowMinOffset = Infinity;
  private lastOffsetSamples = 0;

  constructor(options: RecordingTimelineOptions) {
    this.clock = options.clock;
    this.fps = options.fps ?? 30;
    this.hasVideo = options.video ?? true;
    this.size = options.videoSize
      ? evenSize(options.videoSize.width, options.videoSize.height)
      : null;
    this.sampleRate = options.sampleRate ?? 48_000;
    this.channels = options.channels ?? 2;
    this.latencyMs = options.latencyMs ?? DEFAULT_LATENCY_MS;
    this.maxLatencyMs = Math.max(this.latencyMs, options.maxLatencyMs ?? 2000);
    this.t0 = options.startMs ?? this.clock.now();
    this.maxPendingFrames =
      options.maxPendingVideoFrames ??
      Math.ceil(Math.max(60 * (0.5 + this.latencyMs / 1000), 30 * (0.5 + this.maxLatencyMs / 1000)));
    this.toleranceSamples = this.msToSamples(options.audioToleranceMs ?? 10);
    this.jumpSamples = this.msToSamples(options.audioJumpMs ?? 200);
    this.windowMs = options.audioWindowMs ?? 500;
    this.maxAudioBacklogMs = options.maxAudioBacklogMs ?? 5000;
    this.maxAudioSamples = this.msToSamples(this.maxAudioBacklogMs);
  }

  /** Size of output frames; null until the first frame when none was configured. */
  get videoSize(): { width: number; height: number } | null {
    return this.size;
  }

  /**
   * Fixes the output size before any frame has arrived (the encoder had to start without
   * one). Later frames of other sizes are fitted into it.
   */
  fixVideoSize(width: number, height: number): void {
    const size = evenSize(width, height);
    if (this.size && (this.size.width !== size.width || this.size.height !== size.height)) {
      throw new Error(`timeline size is already ${this.size.width}x${this.size.height}`);
    }
    this.size = size;
  }

  /**
   * Current audio offset estimate in ms (positive: audio is arriving later than its place
   * on the timeline), the "A/V drift" of progress events.
   */
  get audioOffsetMs(): number {
    return (this.lastOffsetSamples * 1000) / this.sampleRate;
  }

  /**
   * Per-track delay correction: the time a track's media spent buffered before arrival
   * (e.g. WebRTC `jitterBufferDelay / jitterBufferEmittedCount`), subtracted from arrival
   * times. May change while recording. Output trails the larger of the audio and video delays
   * by a margin, up to `maxLatencyMs` (so media always lands where it belongs and output waits
   * for it); a larger delay is held to that (media late rather than none) unless it is an audio
   * delay that is `transient`: the recovery from a stall, when audio that waited outside the
   * jitter buffer is played out late. That audio is placed where it belongs; where that place
   * has already been written it is dropped, so the file keeps sync and has a gap there, as it
   * has for the stall itself. The first video delay also moves the frames not yet written.
   */
  setTrackDelay(kind: 'audio' | 'video', delayMs: number, options: TrackDelayOptions = {}): void {
    if (kind === 'video') {
      const delay = Math.max(0, Math.min(delayMs, this.maxLatencyMs - DELAY_MARGIN_MS));
      if (!this.videoDelayKnown) {
        // Frames that came before the first reading were timed without it; those not yet
        // written move with it (later changes apply to frames arriving after them).
        this.videoDelayKnown = true;
        for (const frame of this.pendingFrames) frame.ptsMs -= delay - this.videoDelayMs;
        this.lastPtsMs -= delay - this.videoDelayMs;
      }
      this.videoDelayMs = delay;
      return;
    }
    const cap = options.transient ? this.maxAudioBacklogMs : this.maxLatencyMs - DELAY_MARGIN_MS;
    const clamp = (ms: number) => Math.max(0, Math.min(ms, cap));
    // Takes effect at the next placed burst (see placeBurst).
    this.audioDelayMs = clamp(delayMs);
    this.audioDelayKnown = true;
    if (options.settling) {
      if (!this.audioStarted) this.awaitAudioDelay();
      return;
    }
    if (this.awaitingAudioDelay) {
      const history = options.history;
      this.releaseHeldAudio(history?.length ? (atMs) => clamp(delayAt(history, atMs)) : undefined);
    }
  }

  /**
   * Audio is about to come from a track whose delay is not known yet (a new track: its first
   * reading comes a moment after its first audio). Its audio is held, not placed, until the
   * next `setTrackDelay('audio')` that is not `settling`, or for at most {@link AUDIO_DELAY_WAIT_MS}; output waits for
   * it meanwhile (as far as `maxLatencyMs`). Placed without its delay, a file's first half
   * second of audio came out late by the whole jitter buffer (+100-200 ms seen).
   */
  awaitAudioDelay(): void {
    this.awaitingAudioDelay = true;
  }

  /**
   * How far output trails the wall clock now: `latencyMs`, more for a larger audio or video
   * delay (by a margin, up to `maxLatencyMs`), and `maxLatencyMs` while audio waits for its delay.
   */
  get currentLatencyMs(): number {
    if (this.heldAudio.length > 0) return this.maxLatencyMs;
    if (!this.audioDelayKnown && !this.videoDelayKnown) return this.latencyMs;
    const holdMs = Math.min(this.maxLatencyMs, Math.max(this.audioDelayMs, this.videoDelayMs) + DELAY_MARGIN_MS);
    return Math.max(this.latencyMs, holdMs);
  }

  /** Adds a received video frame. Frames of another size are fitted to the output size. */
  pushVideo(frame: I420Image, arrivalMs = this.clock.now()): void {
    if (!this.hasVideo) return;
    this.counters.videoFramesIn++;
    this.size ??= evenSize(frame.width, frame.height);
    const image = fitI420(frame, this.size.width, this.size.height);
    // Delay changes must not reorder frames.
    const ptsMs = Math.max(arrivalMs - this.videoDelayMs, this.lastPtsMs);
    this.lastPtsMs = ptsMs;
    this.pendingFrames.push({ ptsMs, image });
    // A frame followed by two more that are also due by the next tick can never be shown
    // (one of a pair may still be, a tick late: see emitUntil).
    const nextTickMs = this.t0 + ((this.nextTick + 0.5) * 1000) / this.fps;
    while (this.pendingFrames.length >= 3 && this.pendingFrames[2]!.ptsMs < nextTickMs) {
      this.pendingFrames.shift();
      this.counters.videoFramesDropped++;
    }
    if (this.pendingFrames.length > this.maxPendingFrames) {
      this.pendingFrames.shift();
      this.counters.videoFramesDropped++;
    }
  }

  /** Adds received audio; its last sample is taken to have arrived at `arrivalMs`. */
  pushAudio(frame: PcmFrame, arrivalMs = this.clock.now()): void {
    if (frame.sampleRate !== this.sampleRate) {
      throw new Error(
        `audio at ${frame.sampleRate} Hz on a ${this.sampleRate} Hz timeline: open the AudioStream with sampleRate ${this.sampleRate}`,
      );
    }
    // Chunks arriving back to back are one burst (a stalled event loop or network releasing
    // a backlog). Only the burst's last chunk arrived on time, so the burst is placed as a
    // whole, ending at its last arrival; placing its first chunk by its own (late) arrival
    // would shift everything after it.
    if (this.burst.length > 0 && arrivalMs - this.burstArrivalMs > BURST_GAP_MS) this.placeBurst();
    this.burst.push(this.toOutputChannels(frame));
    this.burstSamples += frame.samplesPerChannel;
    this.burstArrivalMs = arrivalMs;
    this.counters.audioSamplesIn += frame.samplesPerChannel;
    if (this.burstSamples >= this.maxAudioSamples) this.placeBurst();
  }

  private placeBurst(): void {
    if (this.burst.length === 0) return;
    const samples = this.burstSamples;
    const pcm =
      this.burst.length === 1 ? this.burst[0]! : concatInt16(this.burst, samples * this.channels);
    const arrivalMs = this.burstArrivalMs;
    this.burst = [];
    this.burstSamples = 0;
    if (!this.awaitingAudioDelay) {
      this.place(pcm, samples, arrivalMs);
      return;
    }
    this.heldAudio.push({ pcm, samples, arrivalMs });
    if (arrivalMs - this.heldAudio[0]!.arrivalMs >= AUDIO_DELAY_WAIT_MS) this.releaseHeldAudio();
  }

  /**
   * Places the audio held for a delay, in order: each burst with the delay at its arrival where
   * that is known (`delayAtArrival`), else with the delay known now. Where the delay rose between two
   * bursts (the jitter buffer stretched audio there) place() cuts that much from the end of
   * what is queued, so the stretch comes out about where it went in.
   */
  private releaseHeldAudio(delayAtArrival?: (arrivalMs: number) => number): void {
    this.awaitingAudioDelay = false;
    const delayMs = this.audioDelayMs;
    for (const { pcm, samples, arrivalMs } of this.heldAudio.splice(0)) {
      if (delayAtArrival) this.audioDelayMs = delayAtArrival(arrivalMs);
      this.place(pcm, samples, arrivalMs);
    }
    this.audioDelayMs = delayMs;
  }

  /** Puts one burst on the timeline, ending at `arrivalMs` less the audio delay. */
  private place(burst: Int16Array, samples: number, arrivalMs: number): void {
    let pcm = burst;
    const startMs = arrivalMs - this.audioDelayMs - (samples * 1000) / this.sampleRate;
    const expected = this.msToSamples(startMs - this.t0);
    const offset = expected - (this.audioEmitted + this.audioQueued);

    // Audio already queued was placed with the delay known then (zero before the first
    // reading: a whole jitter buffer late). A change is the jitter buffer growing (it
    // stretched audio: the file has that much extra) or shrinking (it dropped some): move
    // audio by exactly the change, at once. Waiting for the measuring window, or re-placing
    // by one burst's arrival, left the first seconds of a file up to 70 ms off.
    const shift = this.msToSamples(this.placedAudioDelayMs - this.audioDelayMs);
    let correction = 0;
    let early = false;
    if (!this.audioStarted || this.audioResync || Math.abs(offset) > this.jumpSamples) {
      correction = offset;
      this.placedAudioDelayMs = this.audioDelayMs;
      // Audio whose place is behind what has been emitted can't be put there: all of it that
      // is queued and the part of the burst before that place go.
      this.audioResync = -correction > samples + this.audioQueued;
    } else if (Math.abs(shift) >= this.toleranceSamples) {
      correction = shift;
      // The first delay after audio placed with none: all of that audio is late by it. (A later
      // change is the jitter buffer stretching or dropping audio from then on.)
      early = this.placedBlind;
      this.placedAudioDelayMs = this.audioDelayMs;
    } else if (-offset > this.toleranceSamples) {
      // Audio arriving before the end of the queue: what is queued was placed by a burst that
      // came late (a busy event loop delivers audio in late bursts, most of all as a file
      // starts). Late delivery can't make an offset negative, so this is certain, and all of
      // the queue is that late: it moves earlier at once, whole (see below).
      correction = offset;
      early = true;
      this.placedAudioDelayMs = this.audioDelayMs;
    } else {
      // Late delivery only ever makes the offset larger, so the window's minimum is the
      // closest estimate of where audio really is.
      if (this.windowMinOffset === Infinity) this.windowStartMs = arrivalMs;
      this.windowMinOffset = Math.min(this.windowMinOffset, offset);
      if (arrivalMs - this.windowStartMs >= this.windowMs) {
        this.lastOffsetSamples = this.windowMinOffset;
        if (Math.abs(this.windowMinOffset) > this.toleranceSamples) {
          correction = this.windowMinOffset;
          this.placedAudioDelayMs = this.audioDelayMs;
        }
        this.windowMinOffset = Infinity;
      }
    }
    this.audioStarted = true;
    this.placedBlind = !this.audioDelayKnown;
    if (correction !== 0) {
      this.windowMinOffset = Infinity;
      this.lastOffsetSamples = 0;
    }
    if (correction > 0) {
      const allSilence = this.leadingSilence === this.audioQueued;
      const before = this.audioQueued;
      this.enqueueAudio(new Int16Array(correction * this.channels));
      this.counters.audioSilenceInserted += this.audioQueued - before;
      if (allSilence) this.leadingSilence += this.audioQueued - before;
    } else if (correction < 0) {
      // Silence queued ahead of the audio goes first: the audio moves earlier whole. Then, for
      // a queue placed late, its oldest audio (its place is written already) and the rest
      // moves earlier whole too; for a delay change, the newest audio queued (what the jitter
      // buffer stretched). Last, the burst's start.
      const fromSilence = Math.min(-correction, this.leadingSilence);
      const fromQueue = Math.min(-correction - fromSilence, this.audioQueued - fromSilence);
      if (early) {
        this.dropQueuedHead(fromSilence + fromQueue);
      } else {
        this.dropQueuedHead(fromSilence);
        this.trimQueuedTail(fromQueue);
      }
      const trim = Math.min(-correction - fromSilence - fromQueue, samples);
      this.counters.audioSamplesTrimmed += trim;
      pcm = pcm.subarray(trim * this.channels);
    }
    if (pcm.length > 0) this.enqueueAudio(pcm);
  }

  /** Emits every video tick and audio sample that is due (older than `now - currentLatencyMs`). */
  drain(now = this.clock.now()): TimelineOutput {
    this.placeBurst();
    const held = this.heldAudio[0];
    if (held && now - held.arrivalMs >= AUDIO_DELAY_WAIT_MS) this.releaseHeldAudio();
    return this.emitUntil(now - this.currentLatencyMs);
  }

  /** Emits everything up to `now`, ignoring the latency margin: call once when stopping. */
  flush(now = this.clock.now()): TimelineOutput {
    this.placeBurst();
    this.releaseHeldAudio();
    return this.emitUntil(now);
  }

  /** Callers place the pending burst first (drain, flush). */
  private emitUntil(untilMs: number): TimelineOutput {
    const frameMs = 1000 / this.fps;
    const video: VideoTick[] = [];
    // A tick is due once its whole frame interval has passed, so the file never runs
    // ahead of the wall clock: `endTicks / fps` is at most `untilMs - t0`.
    let endTicks = this.nextTick;
    while (this.t0 + (endTicks + 1) * frameMs <= untilMs) endTicks++;

    if (this.hasVideo) {
      for (; this.nextTick < endTicks; this.nextTick++) {
        // A frame belongs to the tick whose start is nearest its time, so quantizing to the
        // output rate costs at most half a frame of A/V offset, not a whole one.
        const tickMs = this.t0 + this.nextTick * frameMs + frameMs / 2;
        let due = 0;
        while (due < this.pendingFrames.length && this.pendingFrames[due]!.ptsMs < tickMs) due++;
        // Two frames for one tick and none for the next is delivery jitter, not a faster
        // sender: the newer frame waits one tick instead of replacing the older (a lost frame
        // and a repeated one would show as a stutter).
        const next = this.pendingFrames[due];
        if (due >= 2 && !(next && next.ptsMs < tickMs + frameMs)) due--;
        for (; due > 0; due--) {
          if (!this.currentShown) this.counters.videoFramesDropped++;
          this.current = this.pendingFrames.shift()!.image;
          this.currentShown = false;
        }
        const kind = this.current === null ? 'black' : this.currentShown ? 'repeat' : 'new';
        this.currentShown = true;
        video.push({ index: this.nextTick, image: this.current, kind });
        this.counters.videoFramesOut++;
        if (kind === 'repeat') this.counters.videoFramesRepeated++;
        if (kind === 'black') this.counters.videoFramesBlack++;
      }
    }
    // Audio ends exactly where video does (or at `untilMs` for audio-only), so both
    // streams always have the same length.
    const audioEnd = this.hasVideo
      ? Math.round((endTicks * this.sampleRate) / this.fps)
      : Math.max(this.audioEmitted, this.msToSamples(untilMs - this.t0));
    const audio = this.takeAudio(Math.max(0, audioEnd - this.audioEmitted));
    return { video, audio };
  }

  private takeAudio(samples: number): Int16Array {
    const out = new Int16Array(samples * this.channels);
    let filled = 0; // values, not samples
    while (filled < out.length && this.audioChunks.length > 0) {
      const chunk = this.audioChunks[0]!;
      const take = Math.min(chunk.length, out.length - filled);
      out.set(chunk.subarray(0, take), filled);
      filled += take;
      if (take === chunk.length) this.audioChunks.shift();
      else this.audioChunks[0] = chunk.subarray(take);
    }
    const taken = filled / this.channels;
    this.audioQueued -= taken;
    this.leadingSilence = Math.max(0, this.leadingSilence - taken);
    // The rest stays zero: silence for an underrun (nothing arrived in time).
    this.counters.audioSilenceInserted += samples - taken;
    this.audioEmitted += samples;
    this.counters.audioSamplesOut += samples;
    return out;
  }

  private enqueueAudio(pcm: Int16Array): void {
    const samples = pcm.length / this.channels;
    if (this.audioQueued + samples > this.maxAudioSamples) {
      // Nobody is draining; refusing new audio keeps what is queued at its right place.
      this.counters.audioSamplesTrimmed += samples;
      return;
    }
    this.audioChunks.push(pcm);
    this.audioQueued += samples;
  }

  /** Drops the oldest queued samples: leading silence is taken back, audio counts as trimmed. */
  private dropQueuedHead(samples: number): void {
    let left = Math.min(samples, this.audioQueued);
    const silence = Math.min(left, this.leadingSilence);
    this.leadingSilence -= silence;
    this.counters.audioSilenceInserted -= silence;
    this.counters.audioSamplesTrimmed += left - silence;
    this.audioQueued -= left;
    while (left > 0) {
      const first = this.audioChunks[0]!;
      const firstSamples = first.length / this.channels;
      const cut = Math.min(left, firstSamples);
      if (cut === firstSamples) this.audioChunks.shift();
      else this.audioChunks[0] = first.subarray(cut * this.channels);
      left -= cut;
    }
  }

  private trimQueuedTail(samples: number): void {
    let left = Math.min(samples, this.audioQueued);
    while (left > 0 && this.audioChunks.length > 0) {
      const last = this.audioChunks[this.audioChunks.length - 1]!;
      const lastSamples = last.length / this.channels;
      const cut = Math.min(left, lastSamples);
      if (cut === lastSamples) this.audioChunks.pop();
      else
        this.audioChunks[this.audioChunks.length - 1] = last.subarray(
          0,
          (lastSamples - cut) * this.channels,
        );
      this.audioQueued -= cut;
      this.counters.audioSamplesTrimmed += cut;
      left -= cut;
    }
    this.leadingSilence = Math.min(this.leadingSilence, this.audioQueued);
  }

  private toOutputChannels(frame: PcmFrame): Int16Array {
    if (frame.channels === this.channels) {
      return frame.data.subarray(0, frame.samplesPerChannel * this.channels);
    }
    if (frame.channels === 1 && this.channels === 2) {
      const out = new Int16Array(frame.samplesPerChannel * 2);
      for (let i = 0; i < frame.samplesPerChannel; i++)
        out[2 * i] = out[2 * i + 1] = frame.data[i]!;
      return out;
    }
    throw new Error(`${frame.channels}-channel audio on a ${this.channels}-channel timeline`);
  }

  private msToSamples(ms: number): number {
    return Math.round((ms * this.sampleRate) / 1000);
  }
}

/** The delay at `atMs` by a straight line between the points around it (the nearest one's outside them). */
function delayAt(points: readonly DelayPoint[], atMs: number): number {
  const after = points.findIndex((p) => p.atMs >= atMs);
  if (after === -1) return points.at(-1)!.delayMs;
  const b = points[after]!;
  const a = points[after - 1];
  if (!a || b.atMs === a.atMs) return b.delayMs;
  return a.delayMs + ((b.delayMs - a.delayMs) * (atMs - a.atMs)) / (b.atMs - a.atMs);
}

function concatInt16(parts: Int16Array[], length: number): Int16Array {
  const out = new Int16Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
