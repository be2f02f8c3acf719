import type { DelayPoint } from '../recording/timeline';
import { DelaySmoother, isStretching, type DelaySmootherOptions } from './delay-smoother';

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
  /**
   * True while a new track's jitter buffer is still growing (WebRTC stretches its first audio to
   * fill it: by 40-60 ms over its first 300 ms here). The delay read then is an average over the
   * interval and trails the audio being played out by up to the interval's stretch; audio placed
   * by it came out 20-40 ms late. Hold the audio until a reading without this comes.
   */
  readonly settling?: boolean;
  /**
   * With the reading that ends a settling: the delay through it, at the times of its readings
   * (and the track's start), to place the audio held meanwhile by (see `settling`).
   */
  readonly history?: readonly DelayPoint[];
}

/** A track's counters before it starts. */
const ZERO_COUNTERS: AudioPlayoutCounters = {
  jitterBufferDelay: 0,
  jitterBufferEmittedCount: 0,
  totalSamplesReceived: 0,
  concealedSamples: 0,
  insertedSamplesForDeceleration: 0,
  removedSamplesForAcceleration: 0,
  packetsReceived: 0,
  packetsDiscarded: 0,
};

/** libwebrtc serves its last stats report again when asked within this long (50 ms, and margin). */
const STATS_CACHE_MS = 60;

/**
 * A new track has settled once WebRTC has added no lag to its audio for this long (see
 * AudioDelayReading.settling): one reading while settling (60 ms apart).
 */
const SETTLED_QUIET_MS = 55;

/**
 * The delay at the end of a new track's settling, from every reading in it: each interval's
 * average is that delay less the lag added after the interval's middle (the delay taken to move
 * evenly within an interval), weighed by the audio it covers. The quiet interval's average
 * alone (3-6 packets) came out 4-13 ms above this, and put the first marker of joiners' files
 * up to 29 ms early; from all of them the first markers were -16..+17 ms (mean 0) in 13 runs.
 */
function settledDelayMs(points: readonly { addedMs: number; counters: AudioPlayoutCounters }[]): number | null {
  const addedMs = points.at(-1)!.addedMs;
  let sum = 0;
  let weight = 0;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    const averageMs = jitterBufferDelayMs(a.counters, b.counters);
    if (averageMs === null) continue;
    const emitted = b.counters.jitterBufferEmittedCount - a.counters.jitterBufferEmittedCount;
    sum += (averageMs + addedMs - (a.addedMs + b.addedMs) / 2) * emitted;
    weight += emitted;
  }
  return weight > 0 ? sum / weight : null;
}

/** Options of {@link AudioDelayEstimator}. */
export interface AudioDelayEstimatorOptions extends DelaySmootherOptions {
  /** Rate of the sample counters; WebRTC decodes Opus at 48 kHz. */
  readonly sampleRate?: number;
  /** Audio per RTP packet; 20 ms is what WebRTC stacks send Opus with. */
  readonly packetMs?: number;
  /** Concealment of packets that came late, in one reading, that can start a transient. Default 100 ms. */
  readonly underrunMs?: number;
  /**
   * The same for a track's first reading, which covers its start. Default 300 ms: as a file
   * starts on a loaded machine the jitter buffer conceals while it fills and grows (~100 ms
   * seen) while this process's event loop is busy starting streams, not stopped; taken for a
   * stall's lag, that put a replayed file's audio 70 ms early for seconds. A real stall there
   * conceals far more (1.46 s seen).
   */
  readonly firstUnderrunMs?: number;
  /** A transient longer than this is taken to be the new normal. Default 30 s. */
  readonly maxTransientMs?: number;
  /** A new track's settling (see AudioDelayReading.settling) ends this long after its start at the latest. Default 600 ms. */
  readonly maxSettlingMs?: number;
}

/**
 * Turns WebRTC's audio receive counters into the delay to take off arrival times.
 *
 * Normally that is the jitter buffer's own average delay over the interval
 * (`jitterBufferDelay / jitterBufferEmittedCount`). It misses time audio spent before reaching
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
 *
 * Steady, the delay is the jitter buffer's reading smoothed (DelaySmoother): over a network with
 * jitter it swings while the audio played out keeps its pace; it is taken as read while WebRTC
 * stretches or squeezes the audio itself (after a stall's transient, speeding up). The stretch
 * counters alone can't carry the delay: concealment for packets that came late adds lag, and it
 * can't be told apart from concealment for packets lost (see above) except after a stall of our
 * own.
 */
export class AudioDelayEstimator {
  private readonly sampleRate: number;
  private readonly packetMs: number;
  private readonly underrunMs: number;
  private readonly firstUnderrunMs: number;
  private readonly maxTransientMs: number;
  private readonly maxSettlingMs: number;
  private readonly steady: DelaySmoother;
  /** Counters start at zero with the track, so the first reading already gives a delay. */
  private previous = ZERO_COUNTERS;
  private lastDelayMs: number | null = null;
  /**
   * A stall this process stood still for at the last reading, and the counters before it. The
   * reading due while the process is stopped is taken as soon as it resumes, and its counters
   * may come before WebRTC's playout thread has caught up (concealing the stall): under load the
   * stall's concealment came in the next reading, partly or all of it (a 1.5 s stop read as a
   * lag of 871 ms, or of none), when this process no longer stood still.
   */
  private stallSeen: { counters: AudioPlayoutCounters; stalledMs: number } | null = null;
  private previousAt: number | null = null;
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
    /** Concealment of the stall not counted as lag: packets that had not come by its reading. */
    owedMs: number;
  } | null = null;
  /**
   * While a new track settles (see AudioDelayReading.settling): the lag WebRTC has added since
   * the track started (stretching, concealing for late packets) at each reading. 'done' after.
   */
  private settling:
    | {
        /** `addedMs`: the lag added from the track's start to the point. */
        points: { atMs: number; addedMs: number; counters: AudioPlayoutCounters }[];
        /** The point after which no lag was added. */
        quietSince: number;
      }
    | 'done'
    | null = null;

  constructor(options: AudioDelayEstimatorOptions = {}) {
    this.sampleRate = options.sampleRate ?? 48_000;
    this.packetMs = options.packetMs ?? 20;
    this.underrunMs = options.underrunMs ?? 100;
    this.firstUnderrunMs = options.firstUnderrunMs ?? 300;
    this.maxTransientMs = options.maxTransientMs ?? 30_000;
    this.maxSettlingMs = options.maxSettlingMs ?? 600;
    this.steady = new DelaySmoother(options);
  }

  /** Whether a new track is settling (see AudioDelayReading.settling): readings are wanted often. */
  get isSettling(): boolean {
    return this.settling !== null && this.settling !== 'done';
  }

  /**
   * Feeds one reading of the counters taken at `nowMs`, with the longest this process stood
   * still since the previous one (its event loop's delay); null until there is a delay to report.
   */
  update(counters: AudioPlayoutCounters, nowMs: number, stalledMs = 0): AudioDelayReading | null {
    const previous = this.previous;
    // WebRTC serves its last report again when asked within 50 ms (seen 42-48 ms apart): for
    // its counters no time passed.
    if (
      this.previousAt !== null &&
      nowMs - this.previousAt < STATS_CACHE_MS &&
      counters.totalSamplesReceived === previous.totalSamplesReceived &&
      counters.packetsReceived === previous.packetsReceived
    )
      return null;
    this.previous = counters;
    const intervalMs = this.previousAt === null ? null : nowMs - this.previousAt;
    this.previousAt = nowMs;
    const bufferDelayMs = jitterBufferDelayMs(previous, counters);
    const current = this.interval(previous, counters);
    const { playedMs, underrunMs, stretchedMs } = current;
    // A stall the previous reading saw but whose concealment it did not show: judged over both
    // intervals together, with the stall the previous one saw (see `stallSeen`).
    const seen = this.stallSeen;
    this.stallSeen = stalledMs >= this.underrunMs ? { counters: previous, stalledMs } : null;
    const since = seen && !this.transient ? seen.counters : previous;
    const window = since === previous ? current : this.interval(since, counters);
    const stalled = Math.max(stalledMs, seen?.stalledMs ?? 0);
    const first = since.jitterBufferEmittedCount === 0;
    const threshold = first ? Math.max(this.underrunMs, this.firstUnderrunMs) : this.underrunMs;
    // Packets that came after all for concealment counted as none by a stall's reading (see
    // the transient's owedMs); beyond them, packets come in a burst, more than was played.
    const latePaidMs = this.transient ? Math.min(this.transient.owedMs, window.surplusMs) : 0;
    const burstMs = window.surplusMs - latePaidMs;
    // Audio that waited outside the jitter buffer while this process stood still: concealed
    // for until its packets came, or, where WebRTC's playout did not run ahead of them on
    // resuming, queued in the jitter buffer in a burst (then its delay reading climbs to the
    // lag only as that audio is played out: 33, 67, 174, then 1260 ms after a 1.5 s stop).
    const waitedMs = window.underrunMs + burstMs;
    const stallMs = waitedMs >= threshold && stalled >= waitedMs / 2 ? waitedMs : 0;
    // WebRTC moving the lag itself (speeding up after a stall, say): see DelaySmoother.next.
    const stretching = intervalMs !== null && isStretching(stretchedMs, intervalMs);
    const lagChangeMs = stallMs + stretchedMs;

    // A stall before the first reading starts from the jitter buffer's delay in that reading
    // (it comes mostly from before the stall: the late packets are still arriving).
    const before = this.lastDelayMs ?? bufferDelayMs;
    const starts = !this.transient && stallMs > 0 && before !== null;
    if (starts) {
      // A stall in a track's first moments: its transient places the audio.
      this.settling = 'done';
      this.transient = {
        delayMs: before,
        sinceMs: nowMs,
        bufferBeforeMs: before,
        addedMs: lagChangeMs,
        confirmed: false,
        owedMs: window.missingConcealedMs,
      };
    }
    if (this.transient) {
      const t = this.transient;
      if (!starts && stallMs > 0) {
        // The rest of a stall whose concealment came over two readings.
        t.addedMs += stallMs;
        t.owedMs += window.missingConcealedMs;
      }
      // Packets taken for never coming (concealed for, not received by the stall's reading)
      // that come after all, more than is played meanwhile: they were only late, and their
      // concealment is lag too. After a 2.5 s stop 74 of them came 100 ms after the reading:
      // without them the lag was taken for 1.1 s instead of 2.5.
      t.owedMs -= latePaidMs;
      t.addedMs += latePaidMs;
      t.delayMs += lagChangeMs + latePaidMs;
      // Audio that waited outside the jitter buffer then waits in it: its delay reading climbs
      // by about the lag added within about that long. If it doesn't, this was no stall's lag.
      if (bufferDelayMs !== null && bufferDelayMs - t.bufferBeforeMs >= t.addedMs / 2)
        t.confirmed = true;
      const elapsedMs = nowMs - t.sinceMs;
      const agrees =
        bufferDelayMs !== null && Math.abs(t.delayMs - bufferDelayMs) <= 2 * this.packetMs;
      // Not while the stall's lag is still there, nor while WebRTC is still speeding up to take
      // it away. Read often (as the caller does in a transient), the jitter buffer agreed while
      // the lag was still a second; after a stall in a track's first seconds WebRTC held all of
      // it for 8 s. As a steady delay that is held to the latency budget: audio came out
      // 150-700 ms late.
      const lagGone = t.delayMs - t.bufferBeforeMs <= 2 * this.packetMs;
      const over =
        (agrees && lagGone && !stretching) ||
        (!t.confirmed && elapsedMs > 1000 + t.addedMs) ||
        elapsedMs >= this.maxTransientMs;
      if (!over) return { delayMs: t.delayMs, transient: true };
      this.transient = null;
      // It ended where the jitter buffer's reading is right again (or was never wrong).
      this.steady.restart();
    }
    if (bufferDelayMs === null) {
      // Nothing played out (a muted microphone): what resumes fills the jitter buffer afresh.
      this.steady.restart();
      return null;
    }
    // Stretching moves the lag by exactly its length; concealment is lag only after a stall of
    // our own (see above).
    const delayMs = this.steady.next(bufferDelayMs, nowMs, stretching, stretchedMs);
    this.lastDelayMs = delayMs;
    return this.settle(delayMs, nowMs, counters, playedMs, stretchedMs + underrunMs);
  }

  /**
   * A new track's audio delay while its jitter buffer fills (see AudioDelayReading.settling). The
   * interval averages trail the delay then, but the lag WebRTC adds (stretching, concealing for
   * packets that came late) is counted exactly. Once it has added none for
   * {@link SETTLED_QUIET_MS} the delay is worked out from all the readings (settledDelayMs), and
   * the delay at each earlier reading is that less the lag added since.
   */
  private settle(
    delayMs: number,
    nowMs: number,
    counters: AudioPlayoutCounters,
    playedMs: number,
    addedMs: number,
  ): AudioDelayReading {
    // A first reading this late (a loaded machine) has the start averaged in already.
    if (this.settling === null && playedMs >= this.maxSettlingMs) this.settling = 'done';
    if (this.settling === 'done') return { delayMs, transient: false };
    // The first reading covers the track's start: what it played began then.
    const s = this.settling ?? {
      points: [{ atMs: nowMs - playedMs, addedMs: 0, counters: ZERO_COUNTERS }],
      quietSince: 0,
    };
    this.settling = s;
    const totalMs = s.points.at(-1)!.addedMs + addedMs;
    // Stretching comes in steps of 2.5 ms or more (a pitch period); concealment in 10 ms chunks.
    // Quiet from the first reading on at the earliest: WebRTC had not begun stretching by one
    // that covered 60 ms, then stretched by 45 ms.
    if (Math.abs(addedMs) >= 1 || s.points.length === 1) s.quietSince = s.points.length;
    s.points.push({ atMs: nowMs, addedMs: totalMs, counters });
    const quiet = nowMs - s.points[s.quietSince]!.atMs >= SETTLED_QUIET_MS;
    const timedOut = nowMs - s.points[0]!.atMs >= this.maxSettlingMs;
    if (!quiet && !timedOut) return { delayMs, transient: false, settling: true };
    this.settling = 'done';
    const settledMs = settledDelayMs(s.points) ?? delayMs;
    this.lastDelayMs = settledMs;
    const history = s.points.map((p) => ({ atMs: p.atMs, delayMs: settledMs - (totalMs - p.addedMs) }));
    return { delayMs: settledMs, transient: false, history };
  }

  /**
   * Between two readings: concealment that stood in for packets which came (not for packets
   * that never did: fewer received than the interval's length of audio; nor for ones that came
   * too late and were discarded), and the samples inserted minus removed to change speed.
   */
  private interval(
    a: AudioPlayoutCounters,
    b: AudioPlayoutCounters,
  ): { playedMs: number; underrunMs: number; stretchedMs: number; missingConcealedMs: number; surplusMs: number } {
    const ms = (samples: number) => (samples * 1000) / this.sampleRate;
    const playedMs = ms(b.totalSamplesReceived - a.totalSamplesReceived);
    const receivedMs = (b.packetsReceived - a.packetsReceived) * this.packetMs;
    const missingMs = Math.max(0, playedMs - receivedMs);
    const concealedMs = ms(b.concealedSamples - a.concealedSamples);
    const discardedMs = (b.packetsDiscarded - a.packetsDiscarded) * this.packetMs;
    const stretchedMs = ms(
      b.insertedSamplesForDeceleration -
        a.insertedSamplesForDeceleration -
        (b.removedSamplesForAcceleration - a.removedSamplesForAcceleration),
    );
    return {
      playedMs,
      underrunMs: Math.max(0, concealedMs - missingMs - discardedMs),
      stretchedMs,
      missingConcealedMs: Math.min(concealedMs, missingMs),
      surplusMs: Math.max(0, receivedMs - playedMs),
    };
  }
}
