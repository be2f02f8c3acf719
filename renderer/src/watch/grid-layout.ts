/**
 * Grid geometry for the watch view, kept free of React and LiveKit so it can be unit tested.
 * The grid steps through fixed shapes (1, 2, 4, 9, 16 tiles) instead of re-flowing on every
 * join, so tiles don't jump around when one more person arrives.
 */

export interface GridShape {
  columns: number;
  rows: number;
  /** Tiles one page of this shape holds. */
  capacity: number;
}

const shapes: readonly GridShape[] = [
  { columns: 1, rows: 1, capacity: 1 },
  { columns: 2, rows: 1, capacity: 2 },
  { columns: 2, rows: 2, capacity: 4 },
  { columns: 3, rows: 3, capacity: 9 },
  { columns: 4, rows: 4, capacity: 16 },
];

/** The most tiles one page shows; more go onto further pages. */
export const maxTilesPerPage = 16;

/**
 * The smallest shape that holds `count` tiles (at most 4×4). In a container taller than wide,
 * two tiles stack instead of sitting side by side.
 */
export function gridShape(count: number, aspectRatio = 16 / 9): GridShape {
  const n = Math.max(1, Math.floor(count));
  const shape = shapes.find((s) => s.capacity >= n) ?? shapes[shapes.length - 1]!;
  if (shape.capacity === 2 && aspectRatio < 1) return { columns: 1, rows: 2, capacity: 2 };
  return shape;
}

export interface Page {
  /** 0-based, clamped to the pages that exist. */
  page: number;
  pages: number;
  start: number;
  end: number;
}

/** Which slice of `count` tiles the page shows, with the page number clamped into range. */
export function paginate(count: number, page: number, perPage = maxTilesPerPage): Page {
  const pages = Math.max(1, Math.ceil(count / perPage));
  const clamped = Math.min(Math.max(0, Math.floor(page)), pages - 1);
  const start = clamped * perPage;
  return { page: clamped, pages, start, end: Math.min(count, start + perPage) };
}

export interface TileRef {
  id: string;
  kind: 'camera' | 'screen';
}

export type Arrangement<T extends TileRef> =
  | { mode: 'grid'; tiles: T[] }
  /** One large tile on stage and the rest in a strip beside it. */
  | { mode: 'focus'; stage: T; strip: T[]; reason: 'pinned' | 'screen' };

/**
 * Grid, or focus when a tile is pinned or someone shares a screen: a pinned tile wins, else the
 * first screen share takes the stage by itself (shared screens are unreadable when small).
 */
export function arrangeTiles<T extends TileRef>(tiles: readonly T[], pinnedId: string | null): Arrangement<T> {
  const pinned = pinnedId === null ? undefined : tiles.find((t) => t.id === pinnedId);
  const stage = pinned ?? tiles.find((t) => t.kind === 'screen');
  if (!stage || tiles.length < 2) return { mode: 'grid', tiles: [...tiles] };
  return { mode: 'focus', stage, strip: tiles.filter((t) => t !== stage), reason: pinned ? 'pinned' : 'screen' };
}
