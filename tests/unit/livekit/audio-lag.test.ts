import { describe, expect, it } from 'vitest';
import { AudioDelayEstimator, type AudioPlayoutCounters } from '../../../main/livekit/audio-lag.js';

/**
 * Readings of a real recording's audio track (inbound-rtp via rtc-node, every 500 ms) around a
 * 1.5 s SIGSTOP of the recorder's process: [time ms, jitter-buffer delay over the interval ms,
 * totalSamplesReceived, concealedSamples, insertedSamplesForDeceleration,
 * removedSamplesForAcceleration]. The stall is in the 4th row: 1.46 s concealed; then WebRTC
 * plays the stall's packets out, its delay reading climbing to 1.4 s a second *later*, and
 * speeds up (removed samples) until it is back near 130 ms.
 */
const STALL: [number, number, number, number, number, number][] = [
  [26062, 60, 924960, 0, 217, 2181],
  [26567, 60, 948960, 0, 217, 2181],
  [27067, 60, 972960, 0, 217, 2181],
  [28604, 50, 1046880, 69930, 217, 2181],
  [29084, 260, 1069920, 69930, 217, 2181],
  [29600, 759, 1094400, 69930, 874, 2181],
  [30083, 1240, 1117440, 69930, 874, 4556],
  [30579, 1440, 1141440, 69930, 874, 10008],
  [31082, 1251, 1165440, 69930, 874, 20259],
  [31598, 1030, 1190400, 69930, 874, 30782],
  [32082, 816, 1213920, 69930, 874, 40814],
  [32586, 617, 1237920, 69930, 874, 49544],
  [33082, 519, 1261920, 69930, 874, 51523],
  [33586, 483, 1285920, 69930, 874, 53706],
  [34097, 436, 1309920, 69930, 874, 55667],
  [34588, 387, 1333920, 69930, 874, 58286],
  [35086, 338, 1357920, 69930, 874, 60048],
  [35587, 299, 1381920, 69930, 874, 62228],
  [36090, 251, 1405920, 69930, 874, 64848],
  [36594, 200, 1429920, 69930, 874, 66787],
  [37109, 158, 1454880, 69930, 874, 68750],
  [37592, 130, 1477920, 69930, 874, 69843],
  [38116, 130, 1502880, 69930, 874, 69843],
  [38596, 126, 1526400, 69930, 874, 69843],
];

/** Cumulative counters from the rows (the jitter-buffer delay sum rebuilt from its per-interval averages). */
function* counters(rows: typeof STALL, extra: (i: number) => Partial<AudioPlayoutCounters> = () => ({})) {
  let delay = 0;
  let previousCount = rows[0]![2] - 24_000;
  for (const [i, [now, jbMs, count, concealed, inserted, removed]] of rows.entries()) {
    delay += (jbMs / 1000) * (count - previousCount);
    previousCount = count;
    const c: AudioPlayoutCounters = {
      jitterBufferDelay: delay,
      jitterBufferEmittedCount: count,
      concealedSamples: concealed,
      insertedSamplesForDeceleration: inserted,
      removedSamplesForAcceleration: removed,
      packetsLost: 0,
      packetsDiscarded: 0,
      ...extra(i),
    };
    yield { now, jbMs, counters: c };
  }
}

function run(rows: typeof STALL, extra?: (i: number) => Partial<AudioPlayoutCounters>, estimator = new AudioDelayEstimator()) {
  const readings = [];
  for (const r of counters(rows, extra)) readings.push({ ...r, reading: estimator.update(r.counters, r.now) });
  return readings.slice(1); // the first reading spans the track's whole life up to then
}

describe('AudioDelayEstimator', () => {
  it('reports the jitter buffer delay while nothing stalls', () => {
    const readings = run(STALL.slice(0, 3));
    for (const r of readings) expect(r.reading).toEqual({ delayMs: expect.closeTo(60, 6) as number, transient: false });
  });

  it('after a stall reports the whole lag at once, follows it down as WebRTC speeds up, and hands back to the jitter buffer below the latency', () => {
    const readings = run(STALL);
    const stall = readings.findIndex((r) => r.now === 28604);
    // 60 ms before, plus the 1457 ms concealed while the packets waited: the audio played out
    // next is that late, though the jitter buffer's own reading says 50 ms (and 260 ms next).
    expect(readings[stall]!.reading).toEqual({ delayMs: expect.closeTo(60 + 69930 / 48, 1) as number, transient: true });
    expect(readings[stall + 1]!.reading!.delayMs).toBeCloseTo(60 + 69930 / 48, 0);
    // Then down by what WebRTC removed to catch up (and up by what it inserted).
    const r = readings.find((x) => x.now === 31598)!;
    expect(r.reading).toEqual({ delayMs: expect.closeTo(60 + (69930 + 874 - 217 - (30782 - 2181)) / 48, 1) as number, transient: true });
    const delays = readings.slice(stall + 3).map((x) => x.reading!.delayMs);
    for (let i = 1; i < delays.length; i++) expect(delays[i]!).toBeLessThanOrEqual(delays[i - 1]! + 1);
    // Over once the jitter buffer agrees and the delay is under 300 ms; from then on its reading.
    const end = readings.findIndex((x) => x.reading?.transient === false && x.now > 28604);
    expect(readings[end - 1]!.reading!.delayMs).toBeGreaterThan(250);
    for (const x of readings.slice(end)) expect(x.reading).toEqual({ delayMs: expect.closeTo(x.jbMs, 6) as number, transient: false });
  });

  it('does not take concealment for lost packets, or a stall of only the event loop, for a stall', () => {
    // The same 1.46 s of concealment, standing in for 73 packets that never came: nothing waits.
    const lost = run(STALL.slice(0, 8), (i) => ({ packetsLost: i >= 3 ? 73 : 0 }));
    for (const r of lost) expect(r.reading?.transient).toBe(false);
    // An event loop that stopped while WebRTC went on: no concealment, readings 1.5 s apart.
    const rows: typeof STALL = [...STALL.slice(0, 3), [28604, 60, 1046880, 0, 217, 2181]];
    for (const r of run(rows)) expect(r.reading).toEqual({ delayMs: expect.closeTo(60, 6) as number, transient: false });
  });

  it('gives a transient up after maxTransientMs: a delay that stays is the new normal', () => {
    const readings = run(STALL, undefined, new AudioDelayEstimator({ maxTransientMs: 2000 }));
    const after = readings.filter((r) => r.now >= 28604 + 2000);
    expect(after.length).toBeGreaterThan(5);
    for (const r of after) expect(r.reading!.transient).toBe(false);
  });
});
