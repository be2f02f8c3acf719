import { describe, expect, it } from 'vitest';
import { arrangeTiles, gridShape, paginate } from '../../../renderer/src/watch/grid-layout';

describe('gridShape', () => {
  it.each([
    [0, 1, 1],
    [1, 1, 1],
    [2, 2, 1],
    [3, 2, 2],
    [4, 2, 2],
    [5, 3, 3],
    [9, 3, 3],
    [10, 4, 4],
    [16, 4, 4],
    [40, 4, 4],
  ])('%i tiles -> %i x %i', (count, columns, rows) => {
    const shape = gridShape(count);
    expect([shape.columns, shape.rows]).toEqual([columns, rows]);
    expect(shape.capacity).toBe(columns * rows);
  });

  it('stacks two tiles in a container taller than wide', () => {
    expect(gridShape(2, 0.6)).toEqual({ columns: 1, rows: 2, capacity: 2 });
    expect(gridShape(4, 0.6)).toEqual({ columns: 2, rows: 2, capacity: 4 });
  });
});

describe('paginate', () => {
  it('fits 16 on a page and clamps the page number', () => {
    expect(paginate(5, 0)).toEqual({ page: 0, pages: 1, start: 0, end: 5 });
    expect(paginate(20, 1)).toEqual({ page: 1, pages: 2, start: 16, end: 20 });
    expect(paginate(20, 7)).toEqual({ page: 1, pages: 2, start: 16, end: 20 });
    expect(paginate(20, -3)).toEqual({ page: 0, pages: 2, start: 0, end: 16 });
    expect(paginate(0, 0)).toEqual({ page: 0, pages: 1, start: 0, end: 0 });
  });
});

describe('arrangeTiles', () => {
  const cam = (id: string) => ({ id, kind: 'camera' as const });
  const screen = (id: string) => ({ id, kind: 'screen' as const });

  it('is a plain grid without pins or screen shares', () => {
    expect(arrangeTiles([cam('a'), cam('b')], null)).toEqual({ mode: 'grid', tiles: [cam('a'), cam('b')] });
  });

  it('puts the first screen share on stage by itself', () => {
    const result = arrangeTiles([cam('a'), screen('s1'), cam('b'), screen('s2')], null);
    expect(result).toEqual({ mode: 'focus', stage: screen('s1'), strip: [cam('a'), cam('b'), screen('s2')], reason: 'screen' });
  });

  it('lets a pinned tile win over a screen share', () => {
    const result = arrangeTiles([cam('a'), screen('s1')], 'a');
    expect(result.mode).toBe('focus');
    if (result.mode === 'focus') {
      expect(result.stage.id).toBe('a');
      expect(result.reason).toBe('pinned');
      expect(result.strip.map((t) => t.id)).toEqual(['s1']);
    }
  });

  it('ignores a pin on a tile that is gone, and never focuses a lone tile', () => {
    expect(arrangeTiles([cam('a'), cam('b')], 'gone').mode).toBe('grid');
    expect(arrangeTiles([cam('a')], 'a').mode).toBe('grid');
    expect(arrangeTiles([screen('s')], null).mode).toBe('grid');
  });
});
