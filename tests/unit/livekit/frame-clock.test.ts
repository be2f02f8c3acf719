import { describe, expect, it } from 'vitest';
import { FrameClock, monotonicOffsetMs } from '../../../main/livekit/frame-clock.js';

describe('FrameClock', () => {
  it('places frames by their WebRTC timestamp, so a stalled event loop does not make them late', () => {
    const clock = new FrameClock();
    const offset = 5_000_000; // our clock minus WebRTC's, in ms
    const placed: number[] = [];
    // Frames every 33.3 ms, delivered 2 ms after their stamp; then the loop stalls and
    // frames 3-5 all reach JavaScript at 240 ms.
    for (let i = 0; i < 6; i++) {
      const stamp = 1_000 + i * 33.3;
      const arrival = i >= 3 ? 1_000 + offset + 240 : stamp + offset + 2;
      placed.push(clock.place(BigInt(Math.round(stamp * 1000)), arrival));
    }
    expect(placed.map((p) => Math.round(p - offset - 1_000))).toEqual([2, 35, 69, 102, 135, 169]);
  });

  it('follows a change of offset within two windows', () => {
    const clock = new FrameClock({ windowMs: 1_000 });
    for (let t = 0; t < 3_000; t += 100) clock.place(BigInt(t * 1000), t + 10);
    // The clocks move 50 ms apart; after two windows the new offset is used.
    let last = 0;
    for (let t = 3_000; t < 6_000; t += 100) last = clock.place(BigInt(t * 1000), t + 60);
    expect(last).toBe(5_900 + 60);
  });

  it('falls back to arrival for missing or absurd timestamps', () => {
    const clock = new FrameClock();
    expect(clock.place(0n, 123)).toBe(123);
    clock.place(1_000_000n, 1_010);
    expect(clock.place(2_000_000n, 5_000)).toBe(5_000); // 3 s behind: the stamp is wrong
  });

  it('with the clocks\' offset known, places frames that reach it late from the start by their stamp', () => {
    const offset = 5_000_000;
    // The first 10 frames wait 300 ms behind others in the event queue (draining by 30 ms a
    // frame), then come on time, 5 ms early, as rtc-node's do.
    const arrivals = Array.from({ length: 20 }, (_, i) => 1_000 + i * 33.3 + offset + (i < 10 ? 300 - i * 30 : -5));
    const stamps = arrivals.map((_, i) => BigInt(Math.round((1_000 + i * 33.3) * 1000)));
    const known = new FrameClock({ windowMs: 1_000, maxLateMs: 250, knownOffsetMs: offset });
    const placed = stamps.map((stamp, i) => known.place(stamp, arrivals[i]!) - offset - 1_000);
    placed.forEach((p, i) => expect(p, `frame ${i}`).toBeCloseTo(i * 33.3, 2));
    expect(known.usesKnownOffset).toBe(true);
    // Learning the offset instead takes the first frame's wait for it: frames placed late.
    const learned = new FrameClock({ windowMs: 1_000, maxLateMs: 250 });
    const learnedPlaced = stamps.map((stamp, i) => learned.place(stamp, arrivals[i]!) - offset - 1_000);
    expect(learnedPlaced[1]! - 33.3).toBeGreaterThan(250);
  });

  it('gives the known offset up for a learned one when the stamps are on another clock', () => {
    const early = new FrameClock({ knownOffsetMs: 5_000_000, maxKnownLateMs: 10_000, maxKnownEarlyMs: 200 });
    // A frame 300 ms before its stamp by the known offset: not the same clock.
    expect(early.place(1_000_000n, 5_000_000 + 1_000 - 300)).toBe(5_000_000 + 700);
    expect(early.usesKnownOffset).toBe(false);
    const clock = new FrameClock({ knownOffsetMs: 5_000_000, maxKnownLateMs: 10_000 });
    // Stamps 20 s off our clock by the known offset: not the same clock.
    expect(clock.place(1_000_000n, 5_000_000 + 21_000)).toBe(5_000_000 + 21_000);
    expect(clock.usesKnownOffset).toBe(false);
    expect(clock.place(1_033_000n, 5_000_000 + 21_040)).toBe(5_000_000 + 21_033);
  });

  it('knows the offset of performance.now() from the monotonic clock libwebrtc stamps with', () => {
    expect(monotonicOffsetMs('win32')).toBeNull();
    expect(monotonicOffsetMs('darwin')).toBeNull();
    const offset = monotonicOffsetMs('linux')!;
    const mono = Number(process.hrtime.bigint()) / 1e6;
    expect(Math.abs(performance.now() - mono - offset)).toBeLessThan(1);
  });
});
