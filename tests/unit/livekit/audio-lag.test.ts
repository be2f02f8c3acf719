import { describe, expect, it } from 'vitest';
import { AudioDelayEstimator, type AudioPlayoutCounters } from '../../../main/livekit/audio-lag.js';

/**
 * Real readings of a recording's audio track (rtc-node inbound-rtp stats, every 500 ms), from
 * the 50 s sync test with its process stopped for 1.5 s (HAVEN_SYNC_STALL_MS=1500):
 * [ms, longest event-loop stall since the previous reading (ms), jitterBufferDelay (s),
 * jitterBufferEmittedCount, totalSamplesReceived, concealedSamples,
 * insertedSamplesForDeceleration, removedSamplesForAcceleration, packetsReceived,
 * packetsDiscarded]; the comment is what the recorder reported then.
 */
type Row = [number, number, number, number, number, number, number, number, number, number];

/** Around the stall (4th row): 1.46 s concealed while stopped, then the late audio played out. */
const STALL: Row[] = [
  [25331, 22, 28406.4, 920640, 920160, 0, 2183, 1752, 960, 0], // (29, False)
  [25829, 21, 29126.4, 944640, 944160, 0, 2183, 1752, 985, 0], // (30, False)
  [26331, 24, 29846.4, 968640, 968160, 0, 2183, 1752, 1010, 0], // (30, False)
  [27894, 1512, 29942.4, 972480, 1043040, 70177, 2183, 1752, 1088, 0], // (1492, True)
  [28392, 21, 35942.4, 996480, 1067040, 70177, 2183, 1752, 1113, 0], // (1492, True)
  [28892, 24, 55372.8, 1022400, 1091040, 70177, 2183, 3279, 1138, 0], // (1460, True)
  [29391, 21, 88809.6, 1049280, 1115040, 70177, 2183, 5478, 1163, 0], // (1414, True)
  [29892, 21, 129475.2, 1079040, 1139040, 70177, 2183, 10713, 1188, 0], // (1305, True)
  [30391, 21, 169334.4, 1112640, 1163040, 70177, 2183, 20531, 1213, 0], // (1101, True)
  [30893, 22, 202963.2, 1147200, 1187040, 70177, 2183, 31704, 1238, 0], // (868, True)
  [31391, 21, 228835.2, 1181760, 1211040, 70177, 2183, 42176, 1263, 0], // (650, True)
  [31893, 23, 245107.2, 1208640, 1235040, 70177, 2183, 45449, 1288, 0], // (605, False)
  [32391, 22, 259584.0, 1234560, 1259040, 70177, 2183, 47851, 1313, 0], // (559, False)
  [32892, 21, 273580.8, 1262400, 1283040, 70177, 2183, 50489, 1338, 0], // (503, False)
  [33391, 21, 284880.0, 1287360, 1307040, 70177, 2183, 52450, 1363, 0], // (453, False)
  [33892, 23, 295516.8, 1313280, 1331040, 70177, 2183, 54413, 1388, 0], // (410, False)
  [34391, 21, 305414.4, 1340160, 1355040, 70177, 2183, 56610, 1413, 0], // (368, False)
];

/** Around the microphone muted from the server for 4 s: nothing arrives, then it resumes. */
const MUTE: Row[] = [
  [35894, 25, 327340.8, 1419840, 1427040, 70177, 2183, 63811, 1488, 0], // (222, False)
  [36419, 38, 332227.2, 1446720, 1452480, 70177, 2183, 65751, 1515, 0], // (182, False)
  [36922, 27, 333648.0, 1456320, 1476480, 84589, 2183, 66189, 1517, 0], // (148, False)
  [37420, 20, 333648.0, 1456320, 1500480, 108511, 2183, 66189, 1517, 0], // None
  [37920, 21, 333648.0, 1456320, 1524480, 132511, 2183, 66189, 1517, 0], // None
  [38418, 25, 333648.0, 1456320, 1548480, 156511, 2183, 66189, 1517, 0], // None
  [38919, 21, 333648.0, 1456320, 1572480, 180511, 2183, 66189, 1517, 0], // None
  [39420, 22, 333648.0, 1456320, 1596480, 204511, 2183, 66189, 1517, 0], // None
  [39920, 21, 333648.0, 1456320, 1620480, 228511, 2183, 66189, 1517, 0], // None
  [40421, 22, 333648.0, 1456320, 1644480, 252511, 2183, 66189, 1517, 0], // None
  [40925, 21, 334944.0, 1474560, 1668480, 260719, 2183, 67496, 1539, 0], // (71, False)
  [41422, 21, 336364.8, 1498560, 1692480, 260719, 2183, 67715, 1563, 0], // (59, False)
  [41920, 21, 337737.6, 1522560, 1716480, 260719, 2183, 67715, 1589, 0], // (57, False)
  [42421, 24, 339177.6, 1546560, 1740480, 260719, 2183, 67715, 1613, 0], // (60, False)
  [42920, 24, 340550.4, 1570560, 1764480, 260719, 2183, 67715, 1638, 0], // (57, False)
];

/**
 * Through 80 ms of network jitter and 1% loss (recording-network.test.ts), 10 s to 25 s into
 * the track; the event loop did not stall. The jitter buffer's own delay swings from 43 to 121 ms
 * between readings while WebRTC inserted 9 and 18 ms and removed nothing.
 */
const JITTER: Row[] = [
  [9294, 20, 9676.8, 170880, 173760, 1986, 1092, 0, 182, 0],
  [9799, 20, 11539.2, 194880, 197760, 1986, 1092, 0, 206, 0],
  [10302, 20, 12883.2, 219840, 222240, 1986, 1092, 0, 231, 0],
  [10805, 20, 14659.2, 243840, 246240, 1986, 1527, 0, 258, 0],
  [11308, 20, 16684.8, 267840, 270240, 1986, 1527, 0, 282, 0],
  [11811, 20, 17731.2, 291840, 294720, 1986, 1527, 0, 306, 0],
  [12313, 20, 18892.8, 314880, 318720, 2904, 1527, 0, 332, 0],
  [12818, 20, 21062.4, 338880, 342720, 2904, 1527, 0, 356, 0],
  [13322, 20, 22502.4, 361920, 367200, 4887, 1527, 0, 379, 0],
  [13825, 20, 23520, 384000, 391200, 5562, 2400, 0, 402, 0],
  [14330, 20, 24988.8, 408000, 415680, 5562, 2400, 0, 431, 0],
  [14833, 20, 27676.8, 432000, 439680, 5562, 2400, 0, 454, 0],
  [15335, 20, 30278.4, 455040, 463680, 6449, 2400, 0, 477, 0],
  [15838, 20, 32102.4, 478080, 487680, 7564, 2400, 0, 502, 0],
  [16343, 20, 34003.2, 503040, 512160, 7564, 2400, 0, 527, 0],
  [16846, 20, 35952, 527040, 536160, 7564, 2400, 0, 554, 0],
  [17349, 20, 37728, 550080, 560160, 8450, 2400, 0, 579, 0],
  [17852, 20, 40560, 574080, 584640, 8450, 2400, 0, 603, 0],
  [18357, 20, 43228.8, 598080, 608640, 8450, 2400, 0, 626, 0],
  [18864, 20, 45062.4, 623040, 633120, 8450, 2400, 0, 652, 0],
  [19368, 20, 46944, 647040, 657120, 8450, 2400, 0, 677, 0],
  [19871, 20, 48969.6, 671040, 681600, 8450, 2400, 0, 702, 0],
  [20375, 20, 50649.6, 695040, 705600, 8450, 2400, 0, 728, 0],
  [20880, 20, 52752, 719040, 729600, 8450, 2400, 0, 754, 0],
  [21382, 20, 55161.6, 744000, 754080, 8450, 2400, 0, 779, 0],
  [21888, 20, 57340.8, 768000, 778080, 8450, 2400, 0, 804, 0],
  [22398, 20, 59222.4, 792000, 802560, 8450, 2400, 0, 828, 0],
  [22902, 20, 60950.4, 816000, 827040, 9760, 2400, 0, 855, 0],
  [23407, 20, 63244.8, 840000, 851040, 9760, 2400, 0, 877, 0],
  [23912, 20, 64454.4, 864000, 875520, 9760, 2400, 0, 902, 0],
  [24415, 20, 65683.2, 888000, 899520, 9760, 2400, 0, 928, 0],
];

/** The counters in a row's columns 2 on, in this order. */
const COLUMNS = [
  'jitterBufferDelay',
  'jitterBufferEmittedCount',
  'totalSamplesReceived',
  'concealedSamples',
  'insertedSamplesForDeceleration',
  'removedSamplesForAcceleration',
  'packetsReceived',
  'packetsDiscarded',
] as const satisfies readonly (keyof AudioPlayoutCounters)[];

function counters(row: Row): AudioPlayoutCounters {
  return Object.fromEntries(COLUMNS.map((name, i) => [name, row[i + 2]])) as Record<
    (typeof COLUMNS)[number],
    number
  >;
}

/** The jitter buffer's own delay between two rows, ms. */
function bufferDelay(a: Row, b: Row): number {
  return ((b[2] - a[2]) / (b[3] - a[3])) * 1000;
}

/** Feeds the rows (the first only primes the counters); returns each later row's reading. */
function run(rows: Row[], estimator = new AudioDelayEstimator(), stalled = (row: Row) => row[1]) {
  estimator.update(counters(rows[0]!), rows[0]![0], rows[0]![1]);
  return rows.slice(1).map((row, i) => ({
    row,
    jbMs: bufferDelay(rows[i]!, row),
    reading: estimator.update(counters(row), row[0], stalled(row)),
  }));
}

/**
 * Each reading is the jitter buffer's delay or an average of its delays: never outside what it
 * reported from the first of `readings` on.
 */
function expectFollowedSmoothly(readings: { jbMs: number; reading: { delayMs: number } | null }[]): void {
  let low = Infinity;
  let high = -Infinity;
  for (const { jbMs, reading } of readings) {
    low = Math.min(low, jbMs);
    high = Math.max(high, jbMs);
    expect(reading!.delayMs).toBeGreaterThanOrEqual(low - 1e-9);
    expect(reading!.delayMs).toBeLessThanOrEqual(high + 1e-9);
  }
}

describe('AudioDelayEstimator', () => {
  it('reports the jitter buffer delay while nothing stalls', () => {
    for (const r of run(STALL.slice(0, 3)))
      expect(r.reading).toEqual({ delayMs: r.jbMs, transient: false });
  });

  it('after a stall reports the whole lag at once, follows it down as WebRTC speeds up, then hands back to the jitter buffer', () => {
    const readings = run(STALL);
    const stall = readings[2]!;
    // 30 ms before, plus the 1462 ms concealed while stopped: the audio played out next is
    // that late, though the jitter buffer's own reading says 4 ms (and 250 ms next).
    expect(stall.jbMs).toBeLessThan(30);
    expect(stall.reading!.transient).toBe(true);
    expect(stall.reading!.delayMs).toBeCloseTo(bufferDelay(STALL[1]!, STALL[2]!) + 70177 / 48, 6);
    expect(readings[3]!.reading!.delayMs).toBeCloseTo(stall.reading!.delayMs, 6);
    expect(readings[3]!.jbMs).toBeLessThan(300);
    // Then down by exactly what WebRTC removed to catch up.
    for (let i = 4; readings[i]!.reading!.transient; i++) {
      const removedMs = (readings[i]!.row[7] - readings[i - 1]!.row[7]) / 48;
      expect(readings[i]!.reading!.delayMs).toBeCloseTo(
        readings[i - 1]!.reading!.delayMs - removedMs,
        6,
      );
    }
    // Over once the jitter buffer's delay agrees; from then on its reading, as before the stall
    // (smoothed from there on: see the jitter test).
    const end = readings.findIndex((r, i) => i > 2 && !r.reading!.transient);
    expect(end).toBeGreaterThan(6);
    expect(Math.abs(readings[end - 1]!.reading!.delayMs - readings[end]!.jbMs)).toBeLessThan(60);
    expect(readings[end]!.reading).toEqual({ delayMs: readings[end]!.jbMs, transient: false });
    expectFollowedSmoothly(readings.slice(end));
  });

  it('takes a stall before the first reading from that reading on', () => {
    // The track's first reading (its counters from zero) has the 1.46 s of concealment in it:
    // seen when a file's first half second fell on a 243 ms stall (a marker 46 ms off).
    const first = new AudioDelayEstimator().update(counters(STALL[3]!), STALL[3]![0], STALL[3]![1]);
    expect(first!.transient).toBe(true);
    expect(first!.delayMs).toBeGreaterThan(1400);
  });

  it("does not take the concealment of a track's start on a loaded machine for a stall", () => {
    // A replayed track's first reading, 900 ms after it started while the recorder started two
    // files and the event loop was busy for most of that: 101 ms concealed, 41 ms stretched.
    // Taken for a stall's lag (delay 224 ms), the file's audio came out 70 ms early for
    // seconds; the jitter buffer's own delay (82 ms, then 148 ms) was right.
    const start: Row = [11017, 900, 4512, 54720, 60960, 4840, 1963, 0, 64, 0];
    const reading = new AudioDelayEstimator().update(counters(start), start[0], start[1]);
    expect(reading).toEqual({ delayMs: (4512 / 54720) * 1000, transient: false });
  });

  it('does not take concealment while this process ran for a stall (the network, not us)', () => {
    const readings = run(STALL, undefined, () => 20);
    for (const r of readings) expect(r.reading!.transient).toBe(false);
    // The jitter buffer's reading as it is while the track settles, smoothed after.
    for (const r of readings.filter((r) => r.row[0] - STALL[1]![0] < 2000)) expect(r.reading!.delayMs).toBe(r.jbMs);
    expectFollowedSmoothly(readings);
  });

  it('smooths the swings network jitter puts in the jitter buffer delay', () => {
    // (Taken here as the track's first readings: as they are while it settles, 2 s.)
    const all = run(JITTER);
    const settled = all.findIndex((r) => r.row[0] - JITTER[0]![0] >= 2000);
    for (const r of all.slice(0, settled)) expect(r.reading!.delayMs).toBe(r.jbMs);
    const readings = all.slice(settled);
    const jb = readings.map((r) => r.jbMs);
    const delays = readings.map((r) => r.reading!.delayMs);
    expect(Math.max(...jb) - Math.min(...jb)).toBeGreaterThan(70);
    // Taken as read, the file's audio moved 20-50 ms at most readings; now a few ms at each.
    for (let i = 1; i < delays.length; i++) expect(Math.abs(delays[i]! - delays[i - 1]!)).toBeLessThan(8);
    expect(Math.max(...delays) - Math.min(...delays)).toBeLessThan(40);
    // And it follows the jitter buffer's level: its mean over the readings, within 15 ms at the end.
    const mean = jb.reduce((a, b) => a + b, 0) / jb.length;
    expect(Math.abs(delays.at(-1)! - mean)).toBeLessThan(15);
  });

  it('follows a lasting change of the jitter buffer delay within seconds', () => {
    const estimator = new AudioDelayEstimator();
    // 40 ms for 5 s, then 100 ms: cumulative counters, each 500 ms adding 24000 samples played
    // at that delay, 25 packets received, nothing concealed or stretched.
    let delaySum = 0;
    let emitted = 0;
    let last = 0;
    for (let ms = 500; ms <= 15_000; ms += 500) {
      emitted += 24_000;
      delaySum += ((ms <= 5000 ? 40 : 100) / 1000) * 24_000;
      const counters: AudioPlayoutCounters = {
        jitterBufferDelay: delaySum,
        jitterBufferEmittedCount: emitted,
        totalSamplesReceived: emitted,
        concealedSamples: 0,
        insertedSamplesForDeceleration: 0,
        removedSamplesForAcceleration: 0,
        packetsReceived: ms / 20,
        packetsDiscarded: 0,
      };
      last = estimator.update(counters, ms)!.delayMs;
      if (ms === 5000) expect(last).toBeCloseTo(40, 6);
      if (ms === 8000) expect(last).toBeGreaterThan(75);
    }
    expect(last).toBeGreaterThan(97);
  });

  it('does not take a muted microphone for a stall: nothing arrived, so nothing is late', () => {
    const readings = run(MUTE);
    for (const r of readings) expect(r.reading?.transient ?? false).toBe(false);
    // After the unmute the delay is the jitter buffer's at once.
    for (const r of readings.slice(-5))
      expect(r.reading).toEqual({ delayMs: r.jbMs, transient: false });
    // Had this process also stood still as it resumed, the refill's concealment (beyond what
    // the missing packets explain) would look like a stall's; the jitter buffer's delay then
    // doesn't rise, and the transient is given up within a second and a half.
    const unlucky = run(MUTE, undefined, () => 600);
    const started = unlucky.findIndex((r) => r.reading?.transient);
    expect(started).toBeGreaterThanOrEqual(0);
    const ended = unlucky.findIndex((r, i) => i > started && r.reading?.transient === false);
    expect(ended).toBeGreaterThan(started);
    expect(unlucky[ended]!.row[0] - unlucky[started]!.row[0]).toBeLessThanOrEqual(1600);
  });

  it('gives a transient up when the jitter buffer delay never rises as a stall makes it', () => {
    // The stall's counters, but the audio after it arriving on time (its delay staying ~30 ms).
    const flat: Row[] = STALL.map((row, i) => {
      if (i < 4) return row;
      const copy = [...row] as Row;
      copy[2] = STALL[3]![2] + ((row[3] - STALL[3]![3]) * 30) / 1000;
      return copy;
    });
    const readings = run(flat);
    expect(readings[2]!.reading!.transient).toBe(true);
    const given = readings.findIndex((r, i) => i > 2 && !r.reading!.transient);
    expect(readings[given]!.row[0] - readings[2]!.row[0]).toBeLessThanOrEqual(1000 + 1462 + 500);
  });

  it('gives a transient up after maxTransientMs: a delay that stays is the new normal', () => {
    const readings = run(STALL, new AudioDelayEstimator({ maxTransientMs: 1000 }));
    expect(readings[2]!.reading!.transient).toBe(true);
    for (const r of readings.slice(5)) expect(r.reading!.transient).toBe(false);
  });
});
