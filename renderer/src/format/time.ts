/** Time formats shared by the views; pure so they can be unit tested. */

/** `0:05`, `12:34`, `1:02:03` — a stopwatch reading. Negative or NaN reads as `0:00`. */
export function formatElapsed(ms: number): string {
  const total = Number.isFinite(ms) && ms > 0 ? Math.floor(ms / 1000) : 0;
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const ss = String(seconds).padStart(2, '0');
  if (hours > 0) return `${hours}:${String(minutes).padStart(2, '0')}:${ss}`;
  return `${minutes}:${ss}`;
}

/** A media duration, or an em dash when it isn't known (still recording, never probed). */
export function formatDuration(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '—' : formatElapsed(ms);
}

/** "live 12 min" style age of something that started at `since` (ms epoch). */
export function formatLiveFor(since: number, now: number): string {
  if (!since) return 'just started';
  const seconds = Math.max(0, Math.round((now - since) / 1000));
  if (seconds < 60) return 'under a minute';
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return `${days} d ${hours % 24} h`;
}

/** Local date and time, short: `3 May 2025, 14:03`. */
export function formatDateTime(at: number): string {
  return new Date(at).toLocaleString(undefined, { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** Local clock time only: `14:03`. */
export function formatClock(at: number): string {
  return new Date(at).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

/** `<input type="date">` value (local date) to the ms epoch of that day's start or end. */
export function dateInputToEpoch(value: string, edge: 'start' | 'end'): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return undefined;
  const [, y, m, d] = match;
  const day = new Date(Number(y), Number(m) - 1, Number(d));
  if (edge === 'end') day.setHours(23, 59, 59, 999);
  return day.getTime();
}
