import { describe, expect, it } from 'vitest';
import type { RecordingStatus } from '../../../preload/contract';
import { formatBytes } from '../../../renderer/src/format/bytes';
import { dateInputToEpoch, formatDuration, formatElapsed, formatLiveFor } from '../../../renderer/src/format/time';
import {
  describeRecording,
  formatDropped,
  formatFps,
  sourceLabel,
  summarizeRecordings,
} from '../../../renderer/src/recording/recording-format';

function status(patch: Partial<RecordingStatus> = {}): RecordingStatus {
  return {
    recordingId: 'r1',
    sessionId: 's1',
    identity: 'alice',
    source: 'camera',
    path: '/rec/demo/alice-camera.mp4',
    state: 'recording',
    elapsedMs: 65_400,
    bytes: 3 * 1024 * 1024 + 300 * 1024,
    fpsIn: 30,
    fpsOut: 30,
    droppedFrames: 0,
    avDriftMs: null,
    error: null,
    ...patch,
  };
}

describe('time and size formats', () => {
  it('reads like a stopwatch', () => {
    expect(formatElapsed(0)).toBe('0:00');
    expect(formatElapsed(5_999)).toBe('0:05');
    expect(formatElapsed(754_000)).toBe('12:34');
    expect(formatElapsed(3_723_000)).toBe('1:02:03');
    expect(formatElapsed(-5)).toBe('0:00');
    expect(formatElapsed(Number.NaN)).toBe('0:00');
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(5_000)).toBe('0:05');
  });

  it('sizes files in familiar units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(812)).toBe('812 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(3.3 * 1024 * 1024)).toBe('3.3 MB');
    expect(formatBytes(1.25 * 1024 ** 3)).toBe('1.25 GB');
    expect(formatBytes(512 * 1024 * 1024)).toBe('512 MB');
  });

  it('says how long a room has been live', () => {
    const now = 10_000_000;
    expect(formatLiveFor(now - 20_000, now)).toBe('under a minute');
    expect(formatLiveFor(now - 5 * 60_000, now)).toBe('5 min');
    expect(formatLiveFor(now - 125 * 60_000, now)).toBe('2 h 5 min');
    expect(formatLiveFor(0, now)).toBe('just started');
  });

  it('turns date inputs into day bounds', () => {
    const start = dateInputToEpoch('2025-05-03', 'start')!;
    const end = dateInputToEpoch('2025-05-03', 'end')!;
    expect(end - start).toBe(24 * 3600 * 1000 - 1);
    expect(new Date(start).getHours()).toBe(0);
    expect(dateInputToEpoch('', 'start')).toBeUndefined();
  });
});

describe('recording status', () => {
  it('shows fps once when in and out agree, both when they differ', () => {
    expect(formatFps(29.8, 30)).toBe('30 fps');
    expect(formatFps(12.34, 30)).toBe('12.3 in / 30 out fps');
    expect(formatFps(0, 0)).toBe('— fps');
  });

  it('puts dropped frames in proportion and warns above 1%', () => {
    expect(formatDropped(0, 30, 10_000)).toEqual({ text: 'none dropped', warning: false });
    expect(formatDropped(1, 30, 100_000)).toEqual({ text: '1 dropped (<0.1%)', warning: false });
    expect(formatDropped(30, 30, 10_000)).toEqual({ text: '30 dropped (9.1%)', warning: true });
  });

  it('names sources the way people do', () => {
    expect(sourceLabel('camera')).toBe('camera');
    expect(sourceLabel('screen_share')).toBe('screen share');
    expect(sourceLabel('microphone')).toBe('audio');
  });

  it('describes a live file', () => {
    expect(describeRecording(status())).toEqual({
      title: 'alice · camera',
      state: { label: 'Recording', tone: 'live' },
      elapsed: '1:05',
      size: '3.3 MB',
      fps: '30 fps',
      dropped: 'none dropped',
      droppedWarning: false,
      drift: null,
      error: null,
    });
  });

  it('describes audio-only, failed and drifting files', () => {
    const wav = describeRecording(status({ path: '/rec/bob-microphone.wav', source: 'microphone', fpsIn: 0, fpsOut: 0 }));
    expect(wav.fps).toBe('audio only');
    expect(wav.dropped).toBe('');
    const failed = describeRecording(status({ state: 'failed', error: 'The disk is full.', avDriftMs: -12.4 }));
    expect(failed.state).toEqual({ label: 'Failed', tone: 'danger' });
    expect(failed.error).toBe('The disk is full.');
    expect(failed.drift).toBe('A/V -12 ms');
    expect(describeRecording(status({ avDriftMs: 8 })).drift).toBe('A/V +8 ms');
  });

  it('summarizes a session', () => {
    expect(summarizeRecordings([])).toBe('Nothing recorded yet');
    expect(summarizeRecordings([status(), status({ recordingId: 'r2', state: 'complete', elapsedMs: 5_000, bytes: 1024 })])).toBe(
      'Recording 1 of 2 files · 1:05 · 3.3 MB',
    );
    expect(summarizeRecordings([status({ state: 'complete' })])).toBe('1 file stopped · 1:05 · 3.3 MB');
  });
});
