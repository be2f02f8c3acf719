/**
 * Conformance with @livekit/rtc-node on both ends. Run inside the network namespace:
 *   tests/netns-run npx vitest run --project integration tests/sfu/rtc-node.test.ts
 */
import {
  AudioSource,
  LocalAudioTrack,
  Room,
  TrackPublishOptions,
  TrackSource,
  dispose,
} from '@livekit/rtc-node';
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
      const counters = new Set(
        video.frames.map((f) => f.counter).filter((c): c is number => c !== undefined && c > 0),
      );
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

describe('permissions', () => {
  it('keeps a hidden participant invisible to others while it sees them', async () => {
    const room = uniqueRoom('hidden');
    const visible = await connectViewer(target, room, 'visible');
    const hidden = await connectViewer(target, room, 'hidden-recorder', { hidden: true });
    try {
      await waitFor(() => hidden.room.remoteParticipants.has('visible'), 'hidden to see visible');
      await new Promise((r) => setTimeout(r, 1000)); // time for an update to arrive, if one were sent
      expect([...visible.room.remoteParticipants.keys()]).not.toContain('hidden-recorder');
      expect(visible.events.some((e) => e.name === 'participantConnected')).toBe(false);
    } finally {
      await hidden.close();
      await visible.close();
    }
  });

  it('refuses to publish for a canPublish=false participant', async () => {
    const room = uniqueRoom('nopublish');
    const watcher = await connectViewer(target, room, 'watcher');
    const sneaky = new Room();
    await sneaky.connect(
      target.url,
      await mintToken(target, 'sneaky', { room, canPublish: false }),
      {
        autoSubscribe: false,
        dynacast: false,
      },
    );
    const source = new AudioSource(48000, 1);
    try {
      const track = LocalAudioTrack.createAudioTrack('mic', source);
      const attempt = sneaky.localParticipant!.publishTrack(
        track,
        new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE }),
      );
      // Either the SDK refuses outright or the server never confirms: both must end in an error.
      await expect(
        Promise.race([
          attempt,
          new Promise((_, reject) =>
            setTimeout(() => reject(new Error('no TrackPublishedResponse')), 4_000),
          ),
        ]),
      ).rejects.toThrow();
      await new Promise((r) => setTimeout(r, 500));
      const seen = watcher.room.remoteParticipants.get('sneaky');
      expect(seen?.trackPublications.size ?? 0).toBe(0);
      expect(watcher.tracks.size).toBe(0);
    } finally {
      await sneaky.disconnect();
      await source.close();
      await watcher.close();
    }
  });
});

describe('joining, leaving, unpublishing', () => {
  it('gives a late joiner its first frame within 1 s; unpublish and leave reach it', async () => {
    const room = uniqueRoom('late');
    const publisher = spawnPublisher({
      url: target.url,
      room,
      identity: 'alice',
      token: await mintToken(target, 'alice', { room, canPublish: true }),
      width: 640,
      height: 360,
      fps: 30,
      unpublishAtS: 9,
      durationS: 11,
    });
    await publisher.ready;
    await new Promise((r) => setTimeout(r, 3000)); // well past the publisher's first keyframe
    const joinStarted = performance.now();
    const late = await connectViewer(target, room, 'late-viewer');
    try {
      const { track, publication } = await late.waitForTrack('alice', 'video');
      const video = recordVideo(track);
      await waitFor(() => video.frames.length > 0, 'the first frame', 5000);
      const firstFrameMs = video.frames[0]!.at - joinStarted;
      console.log(`late joiner: first frame ${firstFrameMs.toFixed(0)} ms after starting to join`);
      expect(firstFrameMs).toBeLessThan(1000);

      await waitFor(
        () =>
          late.events.some(
            (e) => e.name === 'trackUnpublished' && e.detail.endsWith(publication.sid!),
          ),
        'trackUnpublished',
      );
      video.close();
      await waitFor(
        () => late.events.some((e) => e.name === 'participantDisconnected' && e.detail === 'alice'),
        'alice to leave',
      );
      expect(late.room.remoteParticipants.has('alice')).toBe(false);
    } finally {
      await publisher.stop();
      await late.close();
    }
  });
});

describe('reconnect', () => {
  it.skipIf(realServer)(
    'recovers when the viewer signalling is cut, and frames flow again (cutting needs our server)',
    async () => {
      const room = uniqueRoom('reconnect');
      const viewer = await connectViewer(target, room, 'viewer');
      const publisher = spawnPublisher({
        url: target.url,
        room,
        identity: 'alice',
        token: await mintToken(target, 'alice', { room, canPublish: true }),
        width: 320,
        height: 180,
        fps: 30,
        durationS: 40,
      });
      try {
        await publisher.ready;
        let video = recordVideo((await viewer.waitForTrack('alice', 'video')).track);
        await waitFor(() => video.frames.length > 30, 'frames before the cut');
        const cutAt = performance.now();
        expect(target.local!.cutSignalling(room, 'viewer')).toBe(true);
        // The SDK re-subscribes on a new track object after a full reconnect: follow it.
        await waitFor(
          () => viewer.events.some((e) => e.name === 'reconnected' && e.at > cutAt),
          'the viewer to report reconnected',
          30_000,
        );
        const { track } = await viewer.waitForTrack('alice', 'video', 15_000);
        video.close();
        video = recordVideo(track);
        await waitFor(() => video.frames.length > 30, 'frames after the reconnect', 15_000);
        const recoveredMs = video.frames[0]!.at - cutAt;
        console.log(`reconnect: frames flowing again ${recoveredMs.toFixed(0)} ms after the cut`);
        video.close();
      } finally {
        await publisher.stop();
        await viewer.close();
      }
    },
  );
});
