import { describe, expect, it } from 'vitest';
import { soakGrowth, type RssPoint } from '../../bench/report';

/** A soak curve sampled every 5 s: `rss(t)` MiB at t seconds. */
function curve(seconds: number, rss: (t: number) => number): RssPoint[] {
  const points: RssPoint[] = [];
  for (let t = 5; t <= seconds; t += 5) points.push({ atSec: t, rssMiB: rss(t), ffmpegRssMiB: 0 });
  return points;
}

// Garbage-collected frames make RSS saw: 290 -> 500 MiB and back, every 40 s.
const saw = (t: number) => 290 + ((t % 40) / 40) * 210;

describe('soak growth', () => {
  it('judges a steady sawtooth as no growth, whatever phase the last sample lands on', () => {
    const g = soakGrowth(curve(600, saw))!;
    expect(Math.abs(g.pct)).toBeLessThan(2);
    expect(Math.abs(g.slopeMiBPer10Min)).toBeLessThan(10);
  });

  it('sees a slow leak under the sawtooth', () => {
    // +30 MiB per 10 minutes: about 7-8% on this base.
    const g = soakGrowth(curve(600, (t) => saw(t) + (t / 600) * 30))!;
    expect(g.pct).toBeGreaterThan(5);
    expect(g.slopeMiBPer10Min).toBeGreaterThan(25);
    expect(g.slopeMiBPer10Min).toBeLessThan(35);
  });

  it('leaves out the first minute of start-up', () => {
    const g = soakGrowth(curve(600, (t) => (t < 60 ? 100 : 300)))!;
    expect(g.pct).toBe(0);
    expect(g.fromMiB).toBe(300);
  });

  it('needs a settled minute and a last minute that comes after it', () => {
    expect(soakGrowth(curve(90, () => 300))).toBeNull();
    expect(soakGrowth(undefined)).toBeNull();
  });
});
