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
    // Over once the jitter buffer's delay agrees; from then on its reading, as before the stall.
    const end = readings.findIndex((r, i) => i > 2 && !r.reading!.transient);
    expect(end).toBeGreaterThan(6);
    expect(Math.abs(readings[end - 1]!.reading!.delayMs - readings[end]!.jbMs)).toBeLessThan(60);
    for (const r of readings.slice(end))
      expect(r.reading).toEqual({ delayMs: r.jbMs, transient: false });
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
    for (const r of run(STALL, undefined, () => 20))
      expect(r.reading).toEqual({ delayMs: r.jbMs, transient: false });
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
