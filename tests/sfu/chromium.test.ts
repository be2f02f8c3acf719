/**
 * livekit-client (default options, simulcast on) in Chromium against the server:
 *   tests/netns-run npx vitest run --project integration tests/sfu/chromium.test.ts
 */
import { dispose } from '@livekit/rtc-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowser } from './browser.js';
import type { BrowserHarness } from './browser.js';
import {
  connectViewer,
  mintToken,
  realServer,
  recordVideo,
  startTarget,
  uniqueRoom,
  waitFor,
} from './harness.js';
import type { Target } from './harness.js';
import type { PageGlobal, PixelSample } from './page-api.js';
import { spawnPublisher } from './spawn-publisher.js';

let target: Target;
let chrome: BrowserHarness;

beforeAll(async () => {
  target = await startTarget();
  chrome = await startBrowser();
});

afterAll(async () => {
  await chrome?.close();
  await target?.close();
  await dispose();
});

describe('livekit-client in Chromium', () => {
  it('publishes a fake camera and mic with default options; an rtc-node viewer decodes it', async () => {
    const room = uniqueRoom('chrome-pub');
    const viewer = await connectViewer(target, room, 'viewer');
    const page = await chrome.newPage();
    try {
      const token = await mintToken(target, 'chrome', { room, canPublish: true });
      await page.evaluate(
        ([url, t]) => (globalThis as PageGlobal).lkTest.publish(url!, t!),
        [target.url, token],
      );
      const video = recordVideo((await viewer.waitForTrack('chrome', 'video')).track);
      await viewer.waitForTrack('chrome', 'audio');
      await waitFor(() => video.frames.length >= 60, '60 frames from Chromium', 20_000);
      const first = video.frames[0]!;
      const last = video.frames.at(-1)!;
      const fps = ((video.frames.length - 1) * 1000) / (last.at - first.at);
      console.log(
        `chromium -> rtc-node: ${video.frames.length} frames at ${last.width}x${last.height}, ~${fps.toFixed(1)} fps`,
      );
      video.close();
      expect(last.width).toBeGreaterThan(0);
      if (target.local) {
        // Our server forwards one simulcast layer (rid q by default) and never switches.
        const sizes = new Set(video.frames.map((f) => `${f.width}x${f.height}`));
        expect([...sizes]).toEqual(['320x180']);
      }
    } finally {
      await page
        .evaluate(() => (globalThis as PageGlobal).lkTest.disconnect())
        .catch(() => undefined);
      await page.context().close();
      await viewer.close();
    }
  });

  it('plays an rtc-node publisher in a <video>: moving, non-black frames', async () => {
    const room = uniqueRoom('chrome-view');
    const publisher = spawnPublisher({
      url: target.url,
      room,
      identity: 'alice',
      token: await mintToken(target, 'alice', { room, canPublish: true }),
      width: 640,
      height: 360,
      fps: 30,
      durationS: 30,
    });
    const page = await chrome.newPage();
    try {
      await publisher.ready;
      const token = await mintToken(target, 'chrome-viewer', { room, canPublish: false });
      await page.evaluate(
        ([url, t]) => (globalThis as PageGlobal).lkTest.view(url!, t!),
        [target.url, token],
      );
      const sample = () => page.evaluate(() => (globalThis as PageGlobal).lkTest.sampleVideo());
      let a: PixelSample | undefined;
      await waitFor(async () => (a = await sample()) !== undefined, 'the <video> to play', 20_000);
      await page.waitForTimeout(700);
      const b = (await sample())!;
      console.log(
        `chromium viewer: ${b.width}x${b.height}, mean ${a!.mean.toFixed(1)} -> ${b.mean.toFixed(1)}`,
      );
      expect(b.width).toBe(640);
      expect(b.height).toBe(360);
      // The dark pattern is not black (its bar and counter are bright) and it moves between samples.
      expect(Math.max(a!.max, b.max)).toBeGreaterThan(100);
      expect(b.mean).toBeGreaterThan(3);
      expect(b.checksum).not.toBe(a!.checksum);
    } finally {
      await page.context().close();
      await publisher.stop();
    }
  });
});

describe('simulcast with adaptiveStream', () => {
  it.skipIf(realServer)(
    "sends the layer covering the <video>'s size, switching at a keyframe as it is resized, nothing while it is hidden; rtc-node gets the full size (simulcast replay: needs our server)",
    async () => {
      const room = uniqueRoom('simulcast');
      const replay = await target.local!.addReplayParticipant({ room, identity: 'cam', width: 1280, height: 720, fps: 30, seconds: 4, simulcast: true });
      const recorder = await connectViewer(target, room, 'recorder');
      const page = await chrome.newPage();
      try {
        const video = recordVideo((await recorder.waitForTrack('cam', 'video')).track);
        const token = await mintToken(target, 'tile-viewer', { room, canPublish: false });
        // A tile of a 4x4 grid: quarter size covers it.
        await page.evaluate(([url, t]) => (globalThis as PageGlobal).lkTest.view(url!, t!, { width: 300, height: 170 }), [target.url, token]);
        const sample = () => page.evaluate(() => (globalThis as PageGlobal).lkTest.sampleVideo());
        const playsAt = async (size: string) => {
          let last: PixelSample | undefined;
          await waitFor(async () => {
            last = await sample();
            return last !== undefined && `${last.width}x${last.height}` === size;
          }, `the <video> at ${size} (last ${last ? `${last.width}x${last.height}` : 'none'})`, 20_000);
          // Still moving: the decoder took the new layer from its keyframe on.
          await page.waitForTimeout(300);
          const later = (await sample())!;
          expect(`${later.width}x${later.height}`).toBe(size);
          expect(later.checksum).not.toBe(last!.checksum);
        };
        await playsAt('320x180');
        await page.evaluate(() => (globalThis as PageGlobal).lkTest.resizeVideo(1280, 720));
        await playsAt('1280x720');
        await page.evaluate(() => (globalThis as PageGlobal).lkTest.resizeVideo(600, 340));
        await playsAt('640x360');
        // Hidden, the track is disabled: nothing is sent to it; shown again, it resumes.
        const received = () => page.evaluate(() => (globalThis as PageGlobal).lkTest.framesReceived());
        await page.evaluate(() => (globalThis as PageGlobal).lkTest.setVideoHidden(true));
        await page.waitForTimeout(1000);
        const hiddenFrom = await received();
        await page.waitForTimeout(1000);
        const hiddenTo = await received();
        await page.evaluate(() => (globalThis as PageGlobal).lkTest.setVideoHidden(false));
        await page.waitForTimeout(1500);
        const shownTo = await received();
        console.log(`simulcast: frames received while hidden ${hiddenTo - hiddenFrom} in 1 s, shown again ${shownTo - hiddenTo} in 1.5 s`);
        expect(hiddenTo - hiddenFrom).toBeLessThanOrEqual(1);
        expect(shownTo - hiddenTo).toBeGreaterThan(20);
        await playsAt('640x360');
        // A subscriber that asks nothing (the recorder) gets the full-size layer throughout.
        await waitFor(() => video.frames.length >= 30, '30 frames at the recorder', 10_000);
        video.close();
        expect([...new Set(video.frames.map((f) => `${f.width}x${f.height}`))]).toEqual(['1280x720']);
      } finally {
        await page.context().close();
        await recorder.close();
        await replay.stop();
      }
    },
  );
});
