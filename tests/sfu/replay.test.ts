/**
 * The server's replay publisher (pre-encoded VP8/Opus, no encoding per stream):
 *   tests/netns-run npx vitest run --project integration tests/sfu/replay.test.ts
 */
import { dispose } from '@livekit/rtc-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectViewer,
  realServer,
  recordAudio,
  recordVideo,
  startTarget,
  uniqueRoom,
  waitFor,
} from './harness.js';
import type { Target } from './harness.js';
import { isVp8KeyframeStart } from './forwarding.js';

let target: Target;

beforeAll(async () => {
  target = await startTarget();
});

afterAll(async () => {
  await target?.close();
  await dispose();
});

describe('replay publisher', () => {
  it.skipIf(realServer)(
    'streams pre-encoded VP8 and Opus that an rtc-node viewer decodes (replay lives in our server)',
    async () => {
      const room = uniqueRoom('replay');
      const viewer = await connectViewer(target, room, 'viewer');
      const replays = await Promise.all(
        [1, 2].map((i) =>
          target.local!.addReplayParticipant({
            room,
            identity: `replay-${i}`,
            width: 640,
            height: 360,
            fps: 30,
            seconds: 3,
          }),
        ),
      );
      try {
        const video = recordVideo((await viewer.waitForTrack('replay-2', 'video')).track);
        const audio = recordAudio((await viewer.waitForTrack('replay-2', 'audio')).track);
        await waitFor(() => video.frames.length > 0, 'a first replay frame', 5000);
        const firstAt = video.frames[0]!.at;
        // Run past the end of the 3 s clip so the loop is exercised.
        await new Promise((r) => setTimeout(r, 4000));
        const inWindow = video.frames.filter((f) => f.at >= firstAt).length;
        const fps = (inWindow - 1) / ((video.frames.at(-1)!.at - firstAt) / 1000);
        console.log(
          `replay: ${video.frames.length} frames, ~${fps.toFixed(1)} fps, ${audio.frames} audio frames`,
        );
        video.close();
        audio.close();
        expect(video.frames.every((f) => f.width === 640 && f.height === 360)).toBe(true);
        expect(fps).toBeGreaterThan(25);
        expect(audio.frames).toBeGreaterThan(100);
      } finally {
        for (const r of replays) r.stop();
        await viewer.close();
      }
    },
  );

  it.skipIf(realServer)('answers a keyframe request with a keyframe at once, as a live encoder does', async () => {
    const room = uniqueRoom('replay-pli');
    const replay = await target.local!.addReplayParticipant({ room, identity: 'replay', width: 320, height: 180, fps: 30, seconds: 4 });
    try {
      const feed = target.local!.rooms.get(room)!.participants.get('replay')!.tracks.get(replay.videoTrackSid)!.feed;
      // Each request, at some point of the clip's one-second keyframe cycle, is answered by the
      // next frame; unanswered, a frame start is a keyframe one time in 30.
      const answered: boolean[] = [];
      for (let i = 0; i < 6; i++) {
        await new Promise((r) => setTimeout(r, 170));
        answered.push(
          await new Promise<boolean>((resolve) => {
            const stop = feed.subscribe((packet) => {
              if (!(packet.payload[0]! & 0x10)) return; // not the start of a frame
              stop();
              resolve(isVp8KeyframeStart(packet.payload));
            });
            feed.requestKeyframe();
          }),
        );
      }
      expect(answered).toEqual([true, true, true, true, true, true]);
    } finally {
      replay.stop();
    }
  });
});
