import { describe, expect, it } from 'vitest';
import { NetworkPath } from './network-path.js';

/** Sends `count` packets `everyMs` apart through `path`; resolves with each one's delay (ms), in arrival order. */
async function send(path: NetworkPath, count: number, everyMs: number): Promise<{ id: number; delayMs: number }[]> {
  const arrived: { id: number; delayMs: number }[] = [];
  for (let id = 0; id < count; id++) {
    const sentAt = performance.now();
    path.send(() => arrived.push({ id, delayMs: performance.now() - sentAt }));
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
  return arrived;
}

describe('NetworkPath (the test server simulated network)', () => {
  it('delays packets by up to its jitter, at varying levels, in order', async () => {
    // Levels 6 and 54 ms in turn, each held 35 ms (draws: level, hold, level, hold...): drawn
    // at random, all levels of a run fell within 25 ms of each other once in CI.
    let draw = 0;
    const random = () => [0.1, 0.5, 0.9, 0.5][draw++ % 4]!;
    const arrived = await send(new NetworkPath({ jitterMs: 60, holdMs: 50, random }), 150, 4);
    expect(arrived.map((a) => a.id)).toEqual([...Array(150).keys()]);
    const delays = arrived.map((a) => a.delayMs);
    // Timers fire late by a few ms on a busy machine; never early.
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThan(60 + 40);
    expect(Math.max(...delays) - Math.min(...delays)).toBeGreaterThan(25);
  });

  it('loses packets at its loss rate, handing them to `lose`', async () => {
    let i = 0;
    // A fixed sequence: every 10th draw below the loss rate.
    const path = new NetworkPath({ jitterMs: 0, loss: 0.1, random: () => (i++ % 10 === 0 ? 0.05 : 0.5) });
    let sent = 0;
    let lost = 0;
    for (let n = 0; n < 100; n++) path.send(() => sent++, () => lost++);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(lost).toBe(path.packetsLost);
    expect(lost).toBeGreaterThan(0);
    expect(sent + lost).toBe(100);
  });

  it('sends nothing after close', async () => {
    const path = new NetworkPath({ jitterMs: 30 });
    let sent = 0;
    for (let n = 0; n < 10; n++) path.send(() => sent++);
    path.close();
    path.send(() => sent++);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(sent).toBe(0);
  });
});
