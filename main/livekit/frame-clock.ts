/**
 * Maps the timestamps WebRTC puts on decoded video frames (libwebrtc's render time: the RTP
 * timestamp carried onto its own monotonic microsecond clock) onto ours, so a frame is placed
 * by when it was due rather than by when a busy event loop, a stalled decoder or a bursty
 * network delivered it. Frames of a 30 fps stream then stay 33 ms apart and each gets its own
 * tick of the file, instead of two sharing one and the next repeating.
 *
 * The offset between the clocks is the smallest `arrival - timestamp` seen (delivery can be
 * late, never early), over the current and the previous window, so it follows if the clocks
 * drift apart instead of holding on to an old value.
 */
export class FrameClock {
  private current = Infinity;
  private previous = Infinity;
  private windowStart: number | undefined;

  /**
   * @param windowMs how long one window of the minimum lasts
   * @param maxLateMs a frame stamped further behind its arrival than this (after the offset)
   *   is placed by its arrival: the stamps went wrong, not the delivery
   */
  constructor(
    private readonly windowMs = 1_000,
    private readonly maxLateMs = 250,
  ) {}

  /** Our-clock time for a frame stamped `timestampUs` that arrived at `arrivalMs`. */
  place(timestampUs: bigint | number, arrivalMs: number): number {
    const timestampMs = Number(timestampUs) / 1000;
    if (!Number.isFinite(timestampMs) || timestampMs <= 0) return arrivalMs;
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
