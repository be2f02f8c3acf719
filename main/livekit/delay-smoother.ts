/** Stretching at this rate or more (ms of lag a ms) means WebRTC is moving the lag: see `next`. */
const STRETCHING = 0.04;

/**
 * Whether WebRTC stretched or squeezed a track's audio by `stretchedMs` in `intervalMs` on
 * purpose (4% or more; see `next`): it is moving the lag itself, not following the network.
 */
export function isStretching(stretchedMs: number, intervalMs: number): boolean {
  return Math.abs(stretchedMs) >= STRETCHING * intervalMs;
}

/** Options of {@link DelaySmoother}. */
export interface DelaySmootherOptions {
  /**
   * Time constant of the smoothing. Default 3000 ms: over 80 ms of network jitter the audio
   * jitter buffer's reading every 500 ms swung between 43 and 121 ms (video's between 0 and 49)
   * while WebRTC stretched its audio by 18 ms or less; smoothed this far it moves by a few ms a
   * reading.
   */
  readonly smoothingMs?: number;
  /**
   * For this long after a track's first reading (and after `restart`), readings are taken as they
   * are: the jitter buffer fills and grows then (audio's by 40-60 ms over its first half second
   * here), and the file starts meanwhile. Smoothing then starts from the average of the second
   * half of them, not from the last one alone. Default 2000 ms.
   */
  readonly settleMs?: number;
}

/**
 * A track's jitter-buffer delay as the recorder takes it off arrival times: the readings
 * (averages over the interval since the one before), smoothed once the track has settled.
 *
 * Over a network with jitter, media waits in the jitter buffer for as long as it came early, so
 * the interval's average swings with the network's delay while what is played out keeps its
 * pace: audio's lag changes only where WebRTC stretches or squeezes it, video's render times
 * follow a smoothed clock. Taken as read, each swing moved the file's audio (silence inserted or
 * audio cut: 60 times in 40 s, the beeps spread over 58-64 ms) and its video frames (flashes a
 * frame off, 14-23 frames of 1200 dropped).
 */
export class DelaySmoother {
  private readonly smoothingMs: number;
  private readonly settleMs: number;
  private delayMs: number | null = null;
  private settlingSince: number | null = null;
  /** Readings in the second half of the settling time; the first smoothed delay is their mean. */
  private lateSettleSum = 0;
  private lateSettleCount = 0;
  private lastAt = 0;

  constructor(options: DelaySmootherOptions = {}) {
    this.smoothingMs = options.smoothingMs ?? 3000;
    this.settleMs = options.settleMs ?? 2000;
  }

  /** Takes readings as they are again for `settleMs` (media resuming, a stall recovered from). */
  restart(): void {
    this.settlingSince = null;
  }

  /**
   * The delay to use after a reading of `readingMs` at `nowMs`. `moving`: WebRTC changed the
   * delay itself over the interval (audio stretched or squeezed by 4% or more: isStretching;
   * video held past its jitter buffer's target), so the reading is taken as it is: after a stall
   * audio speeds up for seconds, taking away 30-160 ms every 500 ms, and the jitter buffer's delay
   * falls faster still; smoothed, the file's audio came out 50-120 ms early for 6 s after a 0.5 s
   * stall (-24 ms at most taken as read). Over 80 ms of jitter audio stretched 18 ms in a reading
   * at most. `changedMs`: what WebRTC is known to have added to the delay over the interval (audio:
   * stretched less squeezed), which a smoothed delay takes at once:
   * after a new track settled at 67 ms WebRTC took 27 ms away over a second, 2-4% of the time
   * (not `moving`); smoothed, the file's audio came out 18 ms early.
   */
  next(readingMs: number, nowMs: number, moving = false, changedMs = 0): number {
    const sinceLastMs = nowMs - this.lastAt;
    this.lastAt = nowMs;
    if (moving) {
      // Settling readings before it are out of date: smoothing goes on from this one. (Taken up
      // at the end of settling, a mean of 52 ms undid a reading of 36 as WebRTC sped up: a
      // file's audio was placed 12-17 ms early for seconds.)
      this.lateSettleSum = this.lateSettleCount = 0;
      this.delayMs = readingMs;
      return readingMs;
    }
    if (this.settlingSince === null) {
      this.settlingSince = nowMs;
      this.lateSettleSum = this.lateSettleCount = 0;
    }
    const ageMs = nowMs - this.settlingSince;
    if (ageMs < this.settleMs) {
      if (ageMs >= this.settleMs / 2) {
        this.lateSettleSum += readingMs;
        this.lateSettleCount++;
      }
      this.delayMs = readingMs;
      return readingMs;
    }
    if (this.lateSettleCount > 0) {
      this.delayMs = this.lateSettleSum / this.lateSettleCount;
      this.lateSettleSum = this.lateSettleCount = 0;
    }
    if (this.delayMs === null) {
      this.delayMs = readingMs;
    } else {
      this.delayMs += changedMs;
      this.delayMs += (readingMs - this.delayMs) * (1 - Math.exp(-sinceLastMs / this.smoothingMs));
    }
    return this.delayMs;
  }
}
