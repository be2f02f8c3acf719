/** Per-tile frame rates of the watch grid between two readings of its video elements. */

export interface Snapshot {
  identity: string | null;
  atMs: number;
  total: number;
  dropped: number;
  presented: number | null;
}

/**
 * Each tile's rates between two snapshots, matched by participant. A tile whose counters went
 * back (its video element was made anew: the page re-rendered it, or the player restarted), that
 * came or left, or that dropped more frames than it took has no rate over the window: the grid is
 * then reported as not measured rather than with a negative or partial rate (seen once: -0.4 fps
 * painted, on a machine at load 8).
 */
export function tileRates(first: Snapshot[], last: Snapshot[]): { painted: number; player: number; dropped: number; presented: number | null }[] {
  const start = new Map(first.map((s) => [s.identity, s]));
  const broken: string[] = [];
  const rates = last.flatMap((end) => {
    const begin = start.get(end.identity);
    if (!begin || end.total < begin.total || end.dropped < begin.dropped) {
      broken.push(`${end.identity ?? '?'} (${begin ? `frames ${begin.total} -> ${end.total}` : 'not there at the start'})`);
      return [];
    }
    // Chromium counts a frame dropped before its decode too, so a starved page can drop more than it took.
    if (end.dropped - begin.dropped > end.total - begin.total) {
      broken.push(`${end.identity ?? '?'} (dropped ${end.dropped - begin.dropped} of ${end.total - begin.total} frames taken)`);
      return [];
    }
    const sec = (end.atMs - begin.atMs) / 1000;
    return [{
      painted: round1((end.total - end.dropped - (begin.total - begin.dropped)) / sec),
      player: round1((end.total - begin.total) / sec),
      dropped: round1((end.dropped - begin.dropped) / sec),
      presented: end.presented !== null && begin.presented !== null ? round1((end.presented - begin.presented) / sec) : null,
    }];
  });
  if (last.length < first.length) broken.push(`${first.length - last.length} tile(s) gone by the end`);
  if (broken.length) throw new Error(`no frame rate over the window for ${broken.join(', ')}: the page restarted a video or was starved; rerun on a quiet machine`);
  return rates;
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
