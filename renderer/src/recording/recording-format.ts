/** How a recording's live status reads in the UI; pure so it can be unit tested. */
import type { RecordingStatus } from '../../../preload/contract';
import { formatBytes } from '../format/bytes';
import { formatElapsed } from '../format/time';

export type Tone = 'live' | 'ok' | 'warn' | 'danger';

export interface RecordingLine {
  title: string;
  state: { label: string; tone: Tone };
  elapsed: string;
  size: string;
  fps: string;
  dropped: string;
  /** True when the drop rate is worth a warning (over 1% of output frames). */
  droppedWarning: boolean;
  drift: string | null;
  error: string | null;
}

const stateLabels: Record<RecordingStatus['state'], { label: string; tone: Tone }> = {
  recording: { label: 'Recording', tone: 'live' },
  complete: { label: 'Saved', tone: 'ok' },
  interrupted: { label: 'Interrupted', tone: 'warn' },
  failed: { label: 'Failed', tone: 'danger' },
};

/** `camera`/`screen_share` sources read as words people use. */
export function sourceLabel(source: string): string {
  const s = source.toLowerCase();
  if (s.includes('screen')) return 'screen share';
  if (s.includes('camera') || s === 'video') return 'camera';
  if (s.includes('mic') || s === 'audio') return 'audio';
  return s || 'media';
}

/** Frames per second: one number when in and out agree, both when they don't. */
export function formatFps(fpsIn: number, fpsOut: number): string {
  const r = (n: number) => (Number.isFinite(n) ? Math.round(n * 10) / 10 : 0);
  if (r(fpsIn) === 0 && r(fpsOut) === 0) return '— fps';
  if (Math.abs(fpsIn - fpsOut) < 0.5) return `${r(fpsOut)} fps`;
  return `${r(fpsIn)} in / ${r(fpsOut)} out fps`;
}

/** Dropped frames, with the share of frames written so far when there were any. */
export function formatDropped(dropped: number, fpsOut: number, elapsedMs: number): { text: string; warning: boolean } {
  if (!dropped) return { text: 'none dropped', warning: false };
  const written = (fpsOut * elapsedMs) / 1000;
  const ratio = written > 0 ? dropped / (written + dropped) : 1;
  const percent = ratio * 100;
  const shown = percent < 0.1 ? '<0.1' : percent.toFixed(percent < 10 ? 1 : 0);
  return { text: `${dropped} dropped (${shown}%)`, warning: ratio > 0.01 };
}

export function describeRecording(status: RecordingStatus): RecordingLine {
  const dropped = formatDropped(status.droppedFrames, status.fpsOut, status.elapsedMs);
  const audioOnly = status.path.toLowerCase().endsWith('.wav');
  return {
    title: `${status.identity} · ${sourceLabel(status.source)}`,
    state: stateLabels[status.state],
    elapsed: formatElapsed(status.elapsedMs),
    size: formatBytes(status.bytes),
    fps: audioOnly ? 'audio only' : formatFps(status.fpsIn, status.fpsOut),
    dropped: audioOnly ? '' : dropped.text,
    droppedWarning: !audioOnly && dropped.warning,
    drift: status.avDriftMs === null ? null : `A/V ${status.avDriftMs > 0 ? '+' : ''}${Math.round(status.avDriftMs)} ms`,
    error: status.error,
  };
}

/** One line for a whole session: how many files are live and how much is on disk. */
export function summarizeRecordings(files: readonly RecordingStatus[]): string {
  if (files.length === 0) return 'Nothing recorded yet';
  const live = files.filter((f) => f.state === 'recording').length;
  const bytes = files.reduce((sum, f) => sum + f.bytes, 0);
  const longest = files.reduce((max, f) => Math.max(max, f.elapsedMs), 0);
  const what = live > 0 ? `Recording ${live} of ${files.length} ${files.length === 1 ? 'file' : 'files'}` : `${files.length} ${files.length === 1 ? 'file' : 'files'} stopped`;
  return `${what} · ${formatElapsed(longest)} · ${formatBytes(bytes)}`;
}
