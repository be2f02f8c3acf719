/**
 * A/V sync over a long recording: a synthetic publisher beeps every 2 s and burns a frame counter
 * into every frame; the recorded MP4 must keep audio and video within 40 ms of each other at the
 * start and at the end of three minutes (drift would show at the end), and lose few frames.
 * HAVEN_SYNC_SECONDS shortens or lengthens it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordingSessionView, Result } from '../../preload/contract';
import { locateFfmpeg, type FfmpegToolchain } from '../../native/ffmpeg';
import { makeTestApp, trustedCaller } from '../helpers/haven-app';
import { mintToken, startTarget, uniqueRoom, waitFor, type Target } from '../sfu/harness';
import { spawnPublisher } from '../sfu/spawn-publisher';
import { analyzeSyncPattern } from './recording-fixtures';

const seconds = Number(process.env.HAVEN_SYNC_SECONDS ?? 180);
let target: Target;
let toolchain: FfmpegToolchain;

beforeAll(async () => {
  target = await startTarget();
  toolchain = await locateFfmpeg();
});
afterAll(async () => {
  await target.close();
});

describe('A/V sync over a long recording', () => {
  it(`stays within 40 ms at the start and the end of ${seconds} s`, { timeout: (seconds + 120) * 1000 }, async () => {
    const room = uniqueRoom('sync');
    const ctx = makeTestApp();
    const publisher = spawnPublisher({ url: target.url, apiKey: target.apiKey, apiSecret: target.apiSecret, room, identity: 'alice', kind: 'camera', width: 640, height: 360, fps: 30 });
    try {
      await publisher.ready;
      const token = await mintToken(target, 'recorder', { roomJoin: true, room, canSubscribe: true, canPublish: false, hidden: true });
      const started = (await ctx.dispatch('recording.start', { target: { url: target.url, token }, room, participants: 'all' }, trustedCaller)) as Result<RecordingSessionView>;
      if (!started.ok) throw new Error(started.error.message);
      await waitFor(() => ctx.app.history.listFiles({}).length === 1, 'file recording', 10_000);
      for (let s = 0; s < seconds; s += 30) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(30, seconds - s) * 1000));
        const status = (await ctx.dispatch('recording.status', {}, trustedCaller)) as Result<RecordingSessionView[]>;
        const file = status.ok ? status.value[0]?.files[0] : undefined;
        const sender = publisher.events.filter((e) => e.event === 'stats').at(-1)?.sender as Record<string, unknown> | undefined;
        console.log(`${Math.min(seconds, s + 30)} s: recorder ${file?.fpsIn} fps in, ${file?.droppedFrames} dropped, drift ${file?.avDriftMs} ms; publisher sent ${String(sender?.framesSent)} frames at ${String(sender?.targetBitrate)} bit/s`);
      }
      await ctx.dispatch('recording.stop', { sessionId: started.value.sessionId }, trustedCaller);
      const [item] = ctx.app.history.listFiles({});
      expect(item!.status).toBe('complete');
      const analysis = await analyzeSyncPattern(toolchain, item!.path);
      const { offsets } = analysis;
      console.log(`${analysis.frames} frames, ${analysis.missingFrames} of the publisher's lost, ${analysis.repeatedFrames} repeated; offsets (ms) every 10th: ${offsets.filter((_, i) => i % 10 === 0).map((m) => `${m.at.toFixed(0)}s:${Math.round(m.offset * 1000)}`).join(' ')}`);
      const expected = Math.floor(item!.durationMs! / 1000 / 2);
      expect(offsets.length).toBeGreaterThanOrEqual(expected - 1);
      expect(analysis.missingFrames / analysis.frames).toBeLessThan(0.02);
      const start = offsets.slice(0, 3);
      const end = offsets.slice(-3);
      console.log(`start: ${start.map((m) => Math.round(m.offset * 1000)).join(', ')} ms; end: ${end.map((m) => Math.round(m.offset * 1000)).join(', ')} ms`);
      for (const m of [...start, ...end]) expect(Math.abs(m.offset), `marker at ${m.at.toFixed(1)} s`).toBeLessThanOrEqual(0.04);
    } finally {
      await publisher.stop();
      await ctx.close();
    }
  });
});
