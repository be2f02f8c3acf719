import { describe, expect, it } from 'vitest';
import { tileRates } from '../../bench/tile-rates';

const at = (identity: string, atMs: number, total: number, dropped = 0) => ({ identity, atMs, total, dropped, presented: null });

describe('tileRates', () => {
  it('gives each tile its own rates, matched by participant whatever the order', () => {
    const rates = tileRates(
      [at('a', 0, 100, 10), at('b', 0, 50)],
      [at('b', 10_000, 300), at('a', 10_000, 400, 20)],
    );
    expect(rates).toEqual([
      { painted: 25, player: 25, dropped: 0, presented: null },
      { painted: 29, player: 30, dropped: 1, presented: null },
    ]);
  });

  it('refuses a window in which a tile restarted its video (counters went back), instead of a negative rate', () => {
    expect(() => tileRates([at('a', 0, 500, 4)], [at('a', 10_000, 496, 4)])).toThrow(/a \(frames 500 -> 496\)/);
  });

  it('refuses a window in which a tile came or went', () => {
    expect(() => tileRates([at('a', 0, 1)], [at('a', 1000, 30), at('b', 1000, 30)])).toThrow(/b \(not there at the start\)/);
    expect(() => tileRates([at('a', 0, 1), at('b', 0, 1)], [at('a', 1000, 30)])).toThrow(/1 tile\(s\) gone/);
  });

  it('refuses a window in which a starved page dropped more frames than it took', () => {
    expect(() => tileRates([at('a', 0, 100, 10)], [at('a', 15_000, 110, 26)])).toThrow(/a \(dropped 16 of 10 frames taken\)/);
  });
});
