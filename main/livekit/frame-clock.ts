/**
 * Maps the timestamps WebRTC puts on decoded video frames (libwebrtc's render time: the RTP
 * timestamp carried onto its own monotonic microsecond clock) onto ours, so a frame is placed
 * by when it was due rather than by when a busy event loop, a stalled decoder or a bursty
 * network delivered it. Frames of a 30 fps stream then stay 33 ms apart and each gets its own
 * tick of the file, instead of two sharing one and the next repeating.
 *
 * libwebrtc's clock is the system's monotonic clock (rtc::TimeMicros: CLOCK_MONOTONIC on
 * Linux), the one `process.hrtime` reads, so when our clock is `performance.now()` the offset
 * between the two is known exactly (`knownOffsetMs`, see {@link monotonicOffsetMs}): measured
 * with rtc-node 1.1 here, frames reach JavaScript 3-10 ms before their stamp. A frame that waited
 * behind others in rtc-node's event queue (the JavaScript thread busy: ffmpegs starting, a
 * burst of frames after a stall) is then still placed where it belongs; learning the offset
 * from arrivals instead would take that wait as the offset whenever the first frames are late,
 * and put the next seconds of video late by it (300 ms at three streams on two cores).
 *
 * Only on Linux, where it was measured. Not on Windows, where libwebrtc's clock is timeGetTime()
 * and `process.hrtime` QueryPerformanceCounter: both count from boot, at different resolutions,
 * so they may be apart by more than a frame; nor on macOS until measured there (a clock that
 * counts sleep on one side only would be off by the sleep). Without a known offset (there, or
 * with an injected clock), or if the stamps turn out to be on another clock (a frame more than
 * `maxKnownLateMs` late or `maxKnownEarlyMs` early by it), the offset is learned: the smallest
 * `arrival - timestamp` seen (delivery can be late, never early), over the current and the
 * previous window, so it follows if the clocks drift apart instead of holding on to an old value.
 */
export interface FrameClockOptions {
  /** How long one window of the learned minimum lasts. Default 1 s. */
  readonly windowMs?: number;
  /**
   * With a learned offset, a frame stamped further behind its arrival than this (after the
   * offset) is placed by its arrival: the stamps went wrong, not the delivery. Default 250 ms.
   */
  readonly maxLateMs?: number;
  /** Our clock minus WebRTC's (in ms), when they are the same clock (see monotonicOffsetMs). */
  readonly knownOffsetMs?: number | null;
  /**
   * A frame that arrives this much later than its stamp by the known offset says the stamps are
   * not on that clock (a busy event loop delays frames by seconds at most): learn it instead.
   * Default 10 s.
   */
  readonly maxKnownLateMs?: number;
  /**
   * Likewise for a frame this much early (libwebrtc hands frames over a few ms before their
   * render time: 3-10 ms here). Default 200 ms.
   */
  readonly maxKnownEarlyMs?: number;
}

export class FrameClock {
  private current = Infinity;
  private previous = Infinity;
  private windowStart: number | undefined;
  private knownOffsetMs: number | null;
  private readonly windowMs: number;
  private readonly maxLateMs: number;
  private readonly maxKnownLateMs: number;
  private readonly maxKnownEarlyMs: number;

  constructor(options: FrameClockOptions = {}) {
    this.windowMs = options.windowMs ?? 1_000;
    this.maxLateMs = options.maxLateMs ?? 250;
    this.knownOffsetMs = options.knownOffsetMs ?? null;
    this.maxKnownLateMs = options.maxKnownLateMs ?? 10_000;
    this.maxKnownEarlyMs = options.maxKnownEarlyMs ?? 200;
  }

  /** Whether frames are placed by the known offset (false once it has been given up). */
  get usesKnownOffset(): boolean {
    return this.knownOffsetMs !== null;
  }

  /** Our-clock time for a frame stamped `timestampUs` that arrived at `arrivalMs`. */
  place(timestampUs: bigint | number, arrivalMs: number): number {
    const timestampMs = Number(timestampUs) / 1000;
    if (!Number.isFinite(timestampMs) || timestampMs <= 0) return arrivalMs;
    if (this.knownOffsetMs !== null) {
      const due = timestampMs + this.knownOffsetMs;
      const lateMs = arrivalMs - due;
      if (lateMs <= this.maxKnownLateMs && lateMs >= -this.maxKnownEarlyMs) return due;
      this.knownOffsetMs = null;
    }
    if (this.windowStart === undefined || arrivalMs - this.windowStart >= this.windowMs) {
      this.previous = this.current;
      this.current = Infinity;
      this.windowStart = arrivalMs;
    }
    this.current = Math.min(this.current, arrivalMs - timestampMs);
    const placed = timestampMs + Math.min(this.current, this.previous);
    return arrivalMs - placed > this.maxLateMs ? arrivalMs : placed;
  }
}

/**
 * `performance.now()` minus the monotonic clock `process.hrtime` reads, in ms: the known offset
 * of a {@link FrameClock} whose arrivals are `performance.now()`, on Linux, where libwebrtc stamps
 * frames on that clock (CLOCK_MONOTONIC); null elsewhere (see FrameClock).
 */
export function monotonicOffsetMs(platform: NodeJS.Platform = process.platform): number | null {
  if (platform !== 'linux') return null;
  // Read back to back; the pair that took least time between them is the closest.
  let best = Infinity;
  let offset = 0;
  for (let i = 0; i < 5; i++) {
    const before = performance.now();
    const mono = Number(process.hrtime.bigint()) / 1e6;
    const after = performance.now();
    if (after - before < best) {
      best = after - before;
      offset = (before + after) / 2 - mono;
    }
  }
  return offset;
}
