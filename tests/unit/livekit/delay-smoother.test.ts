import { describe, expect, it } from 'vitest';
import { DelaySmoother, isStretching } from '../../../main/livekit/delay-smoother.js';

/** Readings every `everyMs` from `startMs`: [time, reading]. */
function feed(smoother: DelaySmoother, readings: number[], startMs = 0, everyMs = 100): number[] {
  return readings.map((reading, i) => smoother.next(reading, startMs + i * everyMs));
}

describe('DelaySmoother', () => {
  it('takes readings as they are while the track settles (its jitter buffer filling)', () => {
    const growing = [12, 62, 76, 80, 80, 81, 79, 80];
    expect(feed(new DelaySmoother(), growing)).toEqual(growing);
  });

  it('then starts from the average of the settling readings of its second second, and smooths', () => {
    const smoother = new DelaySmoother({ settleMs: 2000, smoothingMs: 3000 });
    // 0-1 s: 20 ms; 1-2 s: alternating 40 / 80 (jitter), average 60.
    feed(smoother, Array.from({ length: 10 }, () => 20));
    feed(smoother, Array.from({ length: 10 }, (_, i) => (i % 2 ? 80 : 40)), 1000);
    // The first smoothed reading: from 60 toward the reading by 1 - e^(-100/3000).
    const first = smoother.next(120, 2000);
    expect(first).toBeCloseTo(60 + 60 * (1 - Math.exp(-100 / 3000)), 9);
    // Swings of ±40 ms every 500 ms move it by a few ms.
    let last = first;
    for (let i = 1; i <= 20; i++) {
      const next = smoother.next(i % 2 ? 20 : 100, 2000 + i * 500);
      expect(Math.abs(next - last)).toBeLessThan(7);
      last = next;
    }
    expect(Math.abs(last - 60)).toBeLessThan(10);
  });

  it('takes the reading as it is while WebRTC moves the delay itself', () => {
    const smoother = new DelaySmoother();
    feed(smoother, Array.from({ length: 21 }, () => 300));
    // After a stall WebRTC speeds up (a 0.5 s stall here: its readings and the ms it removed).
    const after = [[481, 64], [354, 163], [255, 41], [217, 37], [183, 41], [147, 27]];
    let reading = 0;
    after.forEach(([delay, removed], i) => {
      reading = delay!;
      expect(isStretching(-removed!, 500), `${removed} ms removed in 500`).toBe(true);
      expect(smoother.next(delay!, 2500 + 500 * i, true)).toBe(delay);
    });
    // A little stretching (jitter: 18 ms at most in a reading) is no movement: smoothed.
    expect(isStretching(18, 500)).toBe(false);
    const before = smoother.next(reading, 6000);
    const next = smoother.next(reading - 40, 6500, false);
    expect(next).toBeLessThan(before);
    expect(next).toBeGreaterThan(reading - 30);
  });

  it('smooths on from a reading WebRTC moved during settling, not from the settling average', () => {
    const smoother = new DelaySmoother({ settleMs: 2000, smoothingMs: 3000 });
    // Settling at 52 ms, then WebRTC speeds up to 36 as the settling ends (seen: 36.2 after 48-60).
    feed(smoother, Array.from({ length: 20 }, () => 52));
    expect(smoother.next(36, 2000, true)).toBe(36);
    // The next plain reading is smoothed from 36; it was 51.7 with the settling mean taken up.
    expect(smoother.next(36, 2500)).toBeCloseTo(36, 6);
  });

  it('takes what WebRTC stretched or squeezed at once, and smooths only the rest', () => {
    const smoother = new DelaySmoother({ settleMs: 2000, smoothingMs: 3000 });
    feed(smoother, Array.from({ length: 20 }, () => 67));
    expect(smoother.next(67, 2000)).toBeCloseTo(67, 6);
    // WebRTC speeds up by 2-4% (not 'moving'): 9 ms and then 18 ms taken away (seen after a
    // track settled at 67 ms). The readings trail; the delay follows what was taken away.
    const step = 1 - Math.exp(-500 / 3000);
    const first = smoother.next(66, 2500, false, -9);
    expect(first).toBeCloseTo(58 + (66 - 58) * step, 6);
    const second = smoother.next(58, 3000, false, -18);
    expect(second).toBeCloseTo(first - 18 + (58 - (first - 18)) * step, 6);
    expect(second).toBeLessThan(45);
  });

  it('settles again after restart (media resuming with a jitter buffer filled afresh)', () => {
    const smoother = new DelaySmoother();
    feed(smoother, Array.from({ length: 40 }, () => 150));
    smoother.restart();
    expect(smoother.next(60, 10_000)).toBe(60);
    expect(smoother.next(55, 10_100)).toBe(55);
  });
});
