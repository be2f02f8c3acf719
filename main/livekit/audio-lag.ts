/**
 * Cumulative inbound-rtp counters of one audio track, as WebRTC reports them (samples at the
 * jitter buffer's output rate; `jitterBufferDelay` in seconds).
 */
export interface AudioPlayoutCounters {
  readonly jitterBufferDelay: number;
  readonly jitterBufferEmittedCount: number;
  readonly concealedSamples: number;
  readonly insertedSamplesForDeceleration: number;
  readonly removedSamplesForAcceleration: number;
  readonly packetsLost: number;
  readonly packetsDiscarded: number;
}

/** How long the audio being played out now has waited since it arrived, as far as we can tell. */
export interface AudioDelayReading {
  readonly delayMs: number;
  /**
   * True while recovering from a stall (a stopped receiver or a network that held packets and
   * then released them): the delay then includes time the audio waited *outside* the jitter
   * buffer and may exceed any latency budget; audio placed by it belongs where it was captured.
   */
  readonly transient: boolean;
}

/** Options of {@link AudioDelayEstimator}. */
export interface AudioDelayEstimatorOptions {
  /** Rate of the sample counters; WebRTC decodes Opus at 48 kHz. */
  readonly sampleRate?: number;
  /** Audio per RTP packet; 20 ms is what every WebRTC stack sends Opus with. */
  readonly packetMs?: number;
  /** Concealment not explained by lost packets that starts a transient. Default 100 ms. */
  readonly underrunMs?: number;
  /**
   * A transient ends once the jitter buffer's own delay agrees with it and is at most this:
   * the latency the delay is used against (the recording timeline's). Default 300 ms.
   */
  readonly settleMs?: number;
  /** A transient longer than this is taken to be the new normal. Default 30 s. */
  readonly maxTransientMs?: number;
}

/**
 * Turns WebRTC's audio receive counters into the delay to take off arrival times.
 *
 * Normally that is the jitter buffer's own average delay over the interval
 * (`jitterBufferDelay / jitterBufferEmittedCount`). It misses time audio spent before reaching
 * the jitter buffer, which is all of it after a stall: when the process (or the network) stops
 * for a second, WebRTC keeps playing out, concealing the gap, then gets a second of packets at
 * once and plays that old audio out over the next seconds, speeding up. Its delay counter
 * starts those packets at "just arrived" and takes as long as the stall to catch up, so for
 * seconds audio would be placed up to the stall's length late.
 *
 * The lag of the audio played out, relative to real time, changes by exactly what the jitter
 * buffer made up or took away: concealment not standing in for lost or discarded packets
 * (waiting for late ones), samples inserted to slow down, minus samples removed to speed up.
 * Those counters move at once. So a concealment of at least `underrunMs` without matching
 * losses starts a transient in which the delay is the delay before it plus that lag change, and
 * it ends when the lag is back where the jitter buffer's own delay says it is.
 */
export class AudioDelayEstimator {
  private readonly sampleRate: number;
  private readonly packetMs: number;
  private readonly underrunMs: number;
  private readonly settleMs: number;
  private readonly maxTransientMs: number;
  /** Counters start at zero with the track, so the first reading already gives a delay. */
  private previous: AudioPlayoutCounters = {
    jitterBufferDelay: 0,
    jitterBufferEmittedCount: 0,
    concealedSamples: 0,
    insertedSamplesForDeceleration: 0,
    removedSamplesForAcceleration: 0,
    packetsLost: 0,
    packetsDiscarded: 0,
  };
  private lastDelayMs: number | null = null;
  /** While recovering: the delay `anchorDelayMs` held when the lag was `anchorLagMs`. */
  private transient: { anchorLagMs: number; anchorDelayMs: number; sinceMs: number } | null = null;

  constructor(options: AudioDelayEstimatorOptions = {}) {
    this.sampleRate = options.sampleRate ?? 48_000;
    this.packetMs = options.packetMs ?? 20;
    this.underrunMs = options.underrunMs ?? 100;
    this.settleMs = options.settleMs ?? 300;
    this.maxTransientMs = options.maxTransientMs ?? 30_000;
  }

  /** Feeds one reading of the counters taken at `nowMs`; null until there is a delay to report. */
  update(counters: AudioPlayoutCounters, nowMs: number): AudioDelayReading | null {
    const previous = this.previous;
    this.previous = counters;
    const emitted = counters.jitterBufferEmittedCount - previous.jitterBufferEmittedCount;
    const bufferDelayMs =
      emitted > 0 ? ((counters.jitterBufferDelay - previous.jitterBufferDelay) / emitted) * 1000 : null;
    const underrunMs = this.concealedMs(counters) - this.concealedMs(previous);

    if (!this.transient && underrunMs >= this.underrunMs && this.lastDelayMs !== null) {
      this.transient = { anchorLagMs: this.lagMs(previous), anchorDelayMs: this.lastDelayMs, sinceMs: nowMs };
    }
    if (this.transient) {
      const t = this.transient;
      let delayMs = t.anchorDelayMs + this.lagMs(counters) - t.anchorLagMs;
      // Once the jitter buffer's delay has caught up, it is the better reading (the counters
      // drift by a packet for every loss FEC repaired): anchor to it.
      const agrees = bufferDelayMs !== null && Math.abs(delayMs - bufferDelayMs) <= this.packetMs;
      if (agrees) {
        delayMs = bufferDelayMs;
        t.anchorDelayMs = bufferDelayMs;
        t.anchorLagMs = this.lagMs(counters);
      }
      const over = (agrees && delayMs <= this.settleMs) || nowMs - t.sinceMs >= this.maxTransientMs;
      if (!over) return { delayMs: Math.max(0, delayMs), transient: true };
      this.transient = null;
    }
    if (bufferDelayMs === null) return null;
    this.lastDelayMs = bufferDelayMs;
    return { delayMs: bufferDelayMs, transient: false };
  }

  /** Concealment that stood in for audio still to come (not for lost or discarded packets), in ms. */
  private concealedMs(c: AudioPlayoutCounters): number {
    return (c.concealedSamples * 1000) / this.sampleRate - (c.packetsLost + c.packetsDiscarded) * this.packetMs;
  }

  /** Lag of the audio played out, up to a constant, in ms. */
  private lagMs(c: AudioPlayoutCounters): number {
    return (
      this.concealedMs(c) +
      ((c.insertedSamplesForDeceleration - c.removedSamplesForAcceleration) * 1000) / this.sampleRate
    );
  }
}
