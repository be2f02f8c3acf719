/**
 * Conformance with @livekit/rtc-node on both ends. Run inside the network namespace:
 *   tests/netns-run npx vitest run --project integration tests/sfu/rtc-node.test.ts
 */
import { dispose } from '@livekit/rtc-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectViewer,
  mintToken,
  realServer,
  recordAudio,
  recordVideo,
  startTarget,
  uniqueRoom,
  waitFor,
} from './harness.js';
import type { Target } from './harness.js';
import { spawnPublisher } from './spawn-publisher.js';

let target: Target;

beforeAll(async () => {
  target = await startTarget();
});

afterAll(async () => {
  await target?.close();
  await dispose();
});

describe('rtc-node publisher -> rtc-node viewer', () => {
  it('delivers >= 95% of published frames at the published resolution, and the beep', async () => {
    const room = uniqueRoom('frames');
    const viewer = await connectViewer(target, room, 'viewer', { canPublish: false });
    const publisher = spawnPublisher({
      url: target.url,
      room,
      identity: 'alice',
      token: await mintToken(target, 'alice', { room, canPublish: true }),
      width: 640,
      height: 360,
      fps: 30,
      durationS: 6,
    });
    try {
      await publisher.ready;
      const video = recordVideo((await viewer.waitForTrack('alice', 'video')).track);
      const audio = recordAudio((await viewer.waitForTrack('alice', 'audio')).track);
      const stopped = await publisher.exited;
      await new Promise((r) => setTimeout(r, 500)); // let the last frames drain
      video.close();
      audio.close();

      // Frame 0 is a white marker, so a counter of 0 is a misread (e.g. a blank first picture).
      const counters = new Set(video.frames.map((f) => f.counter).filter((c) => c !== undefined && c > 0));
      const markers = video.frames.filter((f) => f.counter === undefined).length;
      const first = Math.min(...counters);
      const last = Math.max(...counters);
      // Frames from the first decoded one on (subscribing takes a moment): count what arrived.
      const expected = last - first + 1;
      const received = [...counters].filter((c) => c >= first && c <= last).length + markers;
      const missing = [];
      for (let c = first; c <= last; c++) if (!counters.has(c) && c % 60 !== 0) missing.push(c);
      console.log(
        `missing: ${missing.join(',')}; frames: published ${String(stopped?.videoFrames)}, decoded ${video.frames.length} ` +
          `(${received}/${expected} of #${first}..#${last}, ${markers} markers), beeps in ${audio.beeps.length} audio frames`,
      );
      expect(counters.size).toBeGreaterThan(100);
      expect(received / expected).toBeGreaterThanOrEqual(0.95);
      expect(last).toBeGreaterThanOrEqual(Number(stopped?.videoFrames) - 15 - 1); // nothing stuck at the end
      expect(video.frames.every((f) => f.width === 640 && f.height === 360)).toBe(true);
      expect(audio.beeps.length).toBeGreaterThan(0);
    } finally {
      await publisher.stop();
      await viewer.close();
    }
  });
});
