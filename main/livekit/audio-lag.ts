/**
 * Cumulative inbound-rtp counters of one audio track, as WebRTC reports them (samples at the
 * jitter buffer's output rate; `jitterBufferDelay` in seconds).
 */
export interface AudioPlayoutCounters {
  readonly jitterBufferDelay: number;
  readonly jitterBufferEmittedCount: number;
  /** Samples played out, concealment included. */
  readonly totalSamplesReceived: number;
  readonly concealedSamples: number;
  readonly insertedSamplesForDeceleration: number;
  readonly removedSamplesForAcceleration: number;
  readonly packetsReceived: number;
  readonly packetsDiscarded: number;
}

/**
 * The jitter buffer's average delay over the interval between two readings of a track's
 * cumulative counters, in ms; null when nothing was played out in between.
 */
export function jitterBufferDelayMs(
  a: Pick<AudioPlayoutCounters, 'jitterBufferDelay' | 'jitterBufferEmittedCount'>,
  b: Pick<AudioPlayoutCounters, 'jitterBufferDelay' | 'jitterBufferEmittedCount'>,
): number | null {
  const emitted = b.jitterBufferEmittedCount - a.jitterBufferEmittedCount;
  return emitted > 0 ? ((b.jitterBufferDelay - a.jitterBufferDelay) / emitted) * 1000 : null;
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
  /** Audio per RTP packet; 20 ms is what WebRTC stacks send Opus with. */
  readonly packetMs?: number;
  /** Concealment of packets that came late, in one reading, that can start a transient. Default 100 ms. */
  readonly underrunMs?: number;
  /** A transient longer than this is taken to be the new normal. Default 30 s. */
  readonly maxTransientMs?: number;
  /**
   * How long a jitter-buffer reading (moved by the time-stretching since) still counts: the
   * delay is the largest of them, as a reading can come out low but never high. Default 2 s.
   */
  readonly windowMs?: number;
}

/**
 * Turns WebRTC's audio receive counters into the delay to take off arrival times.
 *
 * Normally that is the jitter buffer's own average delay over the interval
 * (`jitterBufferDelay / jitterBufferEmittedCount`), the largest of the last two seconds' readings
 * each moved by the stretching since (a reading can come out low, see followReadings). It
 * misses time audio spent before reaching
 * the jitter buffer, which is all of it after a stall: when this process stops for a second
 * (a starved machine), WebRTC's playout catches up by concealing, then it reads a second of
 * packets at once and plays that old audio out over the next seconds, speeding up. Its delay
 * counter starts those packets at "just arrived" and takes as long as the stall to catch up, so
 * for seconds audio would be placed up to the stall's length late.
 *
 * The lag of the audio played out changes by exactly what the jitter buffer made up or took
 * away: concealment while waiting for packets that then came (late), samples inserted to slow
 * down, minus samples removed to speed up; those counters move at once. Concealment also covers
 * packets that never come (lost, or a muted sender: the SFU resumes its stream with no sequence
 * gap but a later timestamp, and the jitter buffer refills to its target before playing), so
 * it counts only when this process stood still for at least half of it (the caller measures
 * that). Then a transient starts: the delay is the one before plus the lag changes since, until
 * the jitter buffer's own delay agrees (it is right again) or never rose as a stall's must.
 */
export class AudioDelayEstimator {
  private readonly sampleRate: number;
  private readonly packetMs: number;
  private readonly underrunMs: number;
  private readonly maxTransientMs: number;
  private readonly windowMs: number;
  /**
   * The jitter buffer's readings of the last `windowMs`, each moved by what the jitter buffer
   * stretched or shrank the audio since: what each says the delay is now.
   */
  private readings: { atMs: number; delayMs: number }[] = [];
  private previousMs: number | null = null;
  /** Counters start at zero with the track, so the first reading already gives a delay. */
  private previous: AudioPlayoutCounters = {
    jitterBufferDelay: 0,
    jitterBufferEmittedCount: 0,
    totalSamplesReceived: 0,
    concealedSamples: 0,
    insertedSamplesForDeceleration: 0,
    removedSamplesForAcceleration: 0,
    packetsReceived: 0,
    packetsDiscarded: 0,
  };
  private lastDelayMs: number | null = null;
  /** When the jitter buffer last stretched or shrank audio by 5% or more over an interval. */
  private lastFastChangeMs = -Infinity;
  private lastReadingMs = -Infinity;
  /**
   * While recovering: the delay now; when it began; the jitter buffer's delay before it and the
   * lag the stall added; whether the jitter buffer's delay has since risen as a stall's must.
   */
  private transient: {
    delayMs: number;
    sinceMs: number;
    bufferBeforeMs: number;
    addedMs: number;
    confirmed: boolean;
  } | null = null;

  constructor(options: AudioDelayEstimatorOptions = {}) {
    this.sampleRate = options.sampleRate ?? 48_000;
    this.packetMs = options.packetMs ?? 20;
    this.underrunMs = options.underrunMs ?? 100;
    this.maxTransientMs = options.maxTransientMs ?? 30_000;
    this.windowMs = options.windowMs ?? 2_000;
  }

  /**
   * Whether the delay is moving fast (recovering from a stall, or WebRTC stretching or
   * shrinking audio by 5% or more within the last 2 s: it does so in bursts): readings should
   * then come more often, as audio between two is placed with the delay of the later one.
   */
  get changing(): boolean {
    return this.transient !== null || this.lastReadingMs - this.lastFastChangeMs < 2000;
  }

  /**
   * Feeds one reading of the counters taken at `nowMs`, with the longest this process stood
   * still since the previous one (its event loop's delay); null until there is a delay to report.
   */
  update(counters: AudioPlayoutCounters, nowMs: number, stalledMs = 0): AudioDelayReading | null {
    const previous = this.previous;
    this.previous = counters;
    const bufferDelayMs = jitterBufferDelayMs(previous, counters);
    const { underrunMs, stretchedMs } = this.interval(previous, counters);
    const previousMs = this.previousMs;
    this.previousMs = nowMs;
    this.lastReadingMs = nowMs;
    if (previousMs !== null && Math.abs(stretchedMs) * 20 >= nowMs - previousMs)
      this.lastFastChangeMs = nowMs;
    this.followReadings(nowMs, bufferDelayMs, stretchedMs);
    const stallMs = underrunMs >= this.underrunMs && stalledMs >= underrunMs / 2 ? underrunMs : 0;
    const lagChangeMs = stallMs + stretchedMs;

    // A stall before the first reading starts from the jitter buffer's delay in that reading
    // (it comes mostly from before the stall: the late packets are still arriving).
    const before = this.lastDelayMs ?? bufferDelayMs;
    if (!this.transient && stallMs > 0 && before !== null) {
      this.transient = {
        delayMs: before,
        sinceMs: nowMs,
        bufferBeforeMs: before,
        addedMs: lagChangeMs,
        confirmed: false,
      };
    }
    if (this.transient) {
      const t = this.transient;
      t.delayMs += lagChangeMs;
      // Audio that waited outside the jitter buffer then waits in it: its delay reading climbs
      // by about the lag added within about that long. If it doesn't, this was no stall's lag.
      if (bufferDelayMs !== null && bufferDelayMs - t.bufferBeforeMs >= t.addedMs / 2)
        t.confirmed = true;
      const elapsedMs = nowMs - t.sinceMs;
      const agrees =
        bufferDelayMs !== null && Math.abs(t.delayMs - bufferDelayMs) <= 2 * this.packetMs;
      const over =
        agrees ||
        (!t.confirmed && elapsedMs > 1000 + t.addedMs) ||
        elapsedMs >= this.maxTransientMs;
      if (!over) return { delayMs: t.delayMs, transient: true };
      this.transient = null;
    }
    if (bufferDelayMs === null) return null;
    const delayMs = Math.max(...this.readings.map((r) => r.delayMs));
    this.lastDelayMs = delayMs;
    return { delayMs, transient: false };
  }

  /**
   * Keeps the window of readings. A reading counts the time audio waited in the jitter buffer
   * only: when WebRTC's network thread is starved but its playout isn't (a loaded machine),
   * packets wait in the socket and then go through a drained buffer quickly, and the reading
   * drops for a second although the audio played out is as late as before (seen: 560 ms, then
   * 177, then 520). The lag of what is played out only changes by what the jitter buffer
   * stretches or shrinks, or by running empty; so each reading, moved by the stretching since,
   * stays a lower bound of the delay until it runs empty (nothing played out from packets over
   * an interval: a mute, an outage; what plays after it is a new stream), and the largest bound
   * of the window is the delay.
   */
  private followReadings(nowMs: number, bufferDelayMs: number | null, stretchedMs: number): void {
    if (bufferDelayMs === null) this.readings = [];
    for (const r of this.readings) r.delayMs += stretchedMs;
    this.readings = this.readings.filter((r) => nowMs - r.atMs < this.windowMs);
    // The reading is the interval's average: at its end, half the interval's stretching later.
    if (bufferDelayMs !== null)
      this.readings.push({ atMs: nowMs, delayMs: bufferDelayMs + stretchedMs / 2 });
  }

  /**
   * Between two readings: concealment that stood in for packets which came (not for packets
   * that never did: fewer received than the interval's length of audio; nor for ones that came
   * too late and were discarded), and the samples inserted minus removed to change speed.
   */
  private interval(
    a: AudioPlayoutCounters,
    b: AudioPlayoutCounters,
  ): { underrunMs: number; stretchedMs: number } {
    const ms = (samples: number) => (samples * 1000) / this.sampleRate;
    const playedMs = ms(b.totalSamplesReceived - a.totalSamplesReceived);
    const missingMs = Math.max(
      0,
      playedMs - (b.packetsReceived - a.packetsReceived) * this.packetMs,
    );
    const concealedMs = ms(b.concealedSamples - a.concealedSamples);
    const discardedMs = (b.packetsDiscarded - a.packetsDiscarded) * this.packetMs;
    const stretchedMs = ms(
      b.insertedSamplesForDeceleration -
        a.insertedSamplesForDeceleration -
        (b.removedSamplesForAcceleration - a.removedSamplesForAcceleration),
    );
    return { underrunMs: Math.max(0, concealedMs - missingMs - discardedMs), stretchedMs };
  }
}
