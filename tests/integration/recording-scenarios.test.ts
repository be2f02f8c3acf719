/**
 * What happens to recordings when rooms change under them: leavers, late joiners, mute,
 * resolution changes, the room deleted, hostile identities, a full disk. Real rtc-node
 * publishers (their own processes), real ffmpeg, the test server (or LIVEKIT_URL).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { RoomServiceClient } from 'livekit-server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LibraryItem, Notice, RecordingSessionView } from '../../preload/contract';
import { locateFfmpeg, type FfmpegToolchain } from '../../native/ffmpeg';
import { createFileRecorder } from '../../main/recording/file-recorder';
import { makeTestApp, trustedCaller } from '../helpers/haven-app';
import { startTarget, uniqueRoom, waitFor, type Target } from '../sfu/harness';
import {
  spawnPublisher,
  type PublisherHandle,
  type PublisherOptions,
} from '../sfu/spawn-publisher';

let target: Target;
let toolchain: FfmpegToolchain;

beforeAll(async () => {
  target = await startTarget();
  toolchain = await locateFfmpeg();
});
afterAll(async () => {
  await target.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function publish(room: string, options: Omit<PublisherOptions, 'url' | 'room'>): PublisherHandle {
  return spawnPublisher({
    url: target.url,
    apiKey: target.apiKey,
    apiSecret: target.apiSecret,
    room,
    fps: 30,
    width: 640,
    height: 360,
    ...options,
  });
}

async function startRecording(
  ctx: ReturnType<typeof makeTestApp>,
  room: string,
): Promise<RecordingSessionView> {
  const result = await ctx.dispatch(
    'recording.start',
    { target: { url: target.url, token: await recorderToken(room) }, room, participants: 'all' },
    trustedCaller,
  );
  if (!result.ok) throw new Error(result.error.message);
  return result.value as RecordingSessionView;
}

async function recorderToken(room: string): Promise<string> {
  const { AccessToken } = await import('livekit-server-sdk');
  const token = new AccessToken(target.apiKey, target.apiSecret, { identity: `rec-${room}` });
  token.addGrant({ roomJoin: true, room, canSubscribe: true, canPublish: false, hidden: true });
  return token.toJwt();
}

function library(ctx: ReturnType<typeof makeTestApp>): LibraryItem[] {
  return ctx.app.history.listFiles({});
}

/** Decodes every frame: the file plays to its end. Returns what ffprobe says. */
async function assertPlaysToEnd(file: string) {
  const decode = await toolchain.runFfmpeg(['-v', 'error', '-i', file, '-f', 'null', '-']);
  expect(decode.code, `${file}: ${decode.stderr}`).toBe(0);
  expect(decode.stderr.trim(), file).toBe('');
  return toolchain.probeMedia(file);
}

describe('recordings as the room changes', () => {
  it('leaver, late joiner, mute/unmute, a resolution change, then the room deleted: every file plays to its end', async () => {
    const room = uniqueRoom('changes');
    const ctx = makeTestApp();
    const notices: Notice[] = [];
    ctx.app.events.subscribe((event, payload) => {
      if (event === 'app.notice') notices.push(payload as Notice);
    });
    const pubs: PublisherHandle[] = [];
    try {
      pubs.push(publish(room, { identity: 'alice', kind: 'camera' })); // leaves 3 s into the recording
      pubs.push(
        publish(room, {
          identity: 'bob',
          kind: 'camera',
          muteAtS: 3,
          unmuteAtS: 5,
          resizeAt: { atS: 6, width: 480, height: 270 },
        }),
      );
      await Promise.all(pubs.map((p) => p.ready));
      const session = await startRecording(ctx, room);
      await waitFor(() => library(ctx).length === 2, 'alice and bob recorded', 5_000);
      await sleep(3000);
      await pubs[0]!.stop(); // alice leaves
      pubs.push(publish(room, { identity: 'dave', kind: 'camera' })); // joins late
      await pubs[2]!.ready;
      await waitFor(() => library(ctx).some((i) => i.identity === 'dave'), 'dave recorded', 10_000);
      await sleep(5000);
      await new RoomServiceClient(target.httpUrl, target.apiKey, target.apiSecret).deleteRoom(room);
      await waitFor(
        () => !ctx.app.recording.isActive(session.sessionId),
        'session stopped by room deletion',
        15_000,
      );

      const items = library(ctx);
      expect(items.map((i) => `${i.identity}:${i.status}`).sort()).toEqual([
        'alice:complete',
        'bob:complete',
        'dave:complete',
      ]);
      const byName = Object.fromEntries(items.map((i) => [i.identity, i]));
      const durations: Record<string, number> = {};
      for (const item of items) {
        const probe = await assertPlaysToEnd(item.path);
        durations[item.identity] = probe.durationSec ?? 0;
        expect(Math.abs((probe.durationSec ?? 0) * 1000 - item.durationMs!)).toBeLessThan(250);
        const video = probe.streams.find((s) => s.kind === 'video')!;
        // One size for the whole file (its first frame's), whatever the publisher switched to:
        // bob's 480x270 switch decoded above without errors. WebRTC may already send a
        // CPU-adapted smaller first frame, so the size is checked by its 16:9 shape.
        expect(video.width! / video.height!).toBeCloseTo(16 / 9, 1);
        expect(video.width).toBeLessThanOrEqual(640);
      }
      console.log(`durations: ${JSON.stringify(durations)}`);
      // alice left about 3 s into the recording.
      expect(durations.alice).toBeGreaterThan(1.5);
      expect(durations.alice).toBeLessThan(durations.bob! - 2);
      // dave joined ~3 s in; bob was there all along, muted or not.
      expect(durations.dave).toBeLessThan(durations.bob! - 1.5);
      expect(durations.bob).toBeGreaterThan(9);
      const bobProbe = await toolchain.probeMedia(byName.bob!.path);
      const bobFrames = bobProbe.streams.find((s) => s.kind === 'video')!.packetCount!;
      expect(Math.abs(bobFrames - durations.bob! * 30) / (durations.bob! * 30)).toBeLessThan(0.02);
      expect(notices.some((n) => /closed on the server/.test(n.message))).toBe(true);
      const [history] = ctx.app.history.listSessions();
      expect(history!.endedAt).not.toBeNull();
      expect(history!.participants.find((p) => p.identity === 'alice')!.leftAt).not.toBeNull();
    } finally {
      await Promise.all(pubs.map((p) => p.stop()));
      await ctx.close();
    }
  });

  it('leaves the room when stopped, before it finishes the files', async () => {
    // The encoders finish with the machine to themselves: while the room still came in, 8
    // streams on 2 cores left 7 of 8 encoders unfinished at their exit timeout (killed, files cut).
    const room = uniqueRoom('stop');
    const rooms = new RoomServiceClient(target.httpUrl, target.apiKey, target.apiSecret);
    const recorderInRoomAtFinish: boolean[] = [];
    const ctx = makeTestApp({}, {
      createRecorder: async (spec) => {
        const recorder = await createFileRecorder(spec);
        const stop = recorder.stop.bind(recorder);
        recorder.stop = async () => {
          const participants = await rooms.listParticipants(room);
          recorderInRoomAtFinish.push(participants.some((p) => p.identity === `rec-${room}`));
          return stop();
        };
        return recorder;
      },
    });
    const pub = publish(room, { identity: 'cam', durationS: 30 });
    try {
      await pub.ready;
      const session = await startRecording(ctx, room);
      await waitFor(() => library(ctx).length === 1, 'the camera file', 10_000);
      await sleep(2000);
      await ctx.dispatch('recording.stop', { sessionId: session.sessionId }, trustedCaller);
      expect(recorderInRoomAtFinish).toEqual([false]);
      const [item] = library(ctx);
      expect(item!.status).toBe('complete');
      await assertPlaysToEnd(item!.path);
    } finally {
      await pub.stop();
      await ctx.close();
    }
  });

  it('keeps hostile identities inside the recordings folder, each in its own file', async () => {
    const room = uniqueRoom('names');
    const identities = ['../../etc/x', '/abs', 'con', 'x'.repeat(300), '🎙️ emoji 👩‍👩‍👧', 'CON'];
    const ctx = makeTestApp();
    const pubs = identities.map((identity) => publish(room, { identity, kind: 'audio' }));
    try {
      await Promise.all(pubs.map((p) => p.ready));
      const session = await startRecording(ctx, room);
      await waitFor(() => library(ctx).length === identities.length, 'a file per identity', 10_000);
      await sleep(2000);
      await ctx.dispatch('recording.stop', { sessionId: session.sessionId }, trustedCaller);
      const folder = ctx.app.settings.get().recordingsFolder;
      const items = library(ctx);
      expect(items).toHaveLength(identities.length);
      expect(new Set(items.map((i) => i.path)).size).toBe(identities.length);
      for (const item of items) {
        const relative = path.relative(folder, item.path);
        expect(relative.startsWith('..') || path.isAbsolute(relative), item.path).toBe(false);
        expect(fs.existsSync(item.path)).toBe(true);
        for (const segment of relative.split(path.sep)) {
          expect(Buffer.byteLength(segment)).toBeLessThanOrEqual(255);
          expect(segment).not.toMatch(/^(con|prn|aux|nul)(\.|$)/i);
        }
        expect(item.status).toBe('complete');
      }
      // Nothing was written anywhere else.
      expect(fs.existsSync(path.resolve(folder, '../../etc/x'))).toBe(false);
      expect(fs.existsSync('/abs-audio.wav')).toBe(false);
    } finally {
      await Promise.all(pubs.map((p) => p.stop()));
      await ctx.close();
    }
  });

  it('on a full disk: an error within 2 s, files playable up to there, rows consistent', async (testContext) => {
    if (process.env.HAVEN_NETNS !== 'active')
      testContext.skip(
        true,
        'needs the private mount namespace of tests/netns-run to mount a tmpfs',
      );
    const room = uniqueRoom('full');
    const ctx = makeTestApp();
    const folder = path.join(ctx.dir, 'tiny');
    fs.mkdirSync(folder);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', folder]);
    const notices: { notice: Notice; at: number }[] = [];
    ctx.app.events.subscribe((event, payload) => {
      if (event === 'app.notice') notices.push({ notice: payload as Notice, at: Date.now() });
    });
    const pubs = [
      publish(room, { identity: 'alice', kind: 'camera' }),
      publish(room, { identity: 'carol', kind: 'audio' }),
    ];
    try {
      await Promise.all(pubs.map((p) => p.ready));
      ctx.app.settings.set({ recordingsFolder: folder, freeSpaceFloorMb: 0 });
      await startRecording(ctx, room);
      // WAV and MP4 together fill 4 MB in about 10 s (the MP4 has whole fragments by then);
      // watch free space to know when the disk filled.
      let fullAt = 0;
      await waitFor(
        () => {
          if (!fullAt && fs.statfsSync(folder).bavail === 0) fullAt = Date.now();
          return notices.some((n) => n.notice.code === 'disk_full');
        },
        'a disk_full notice',
        30_000,
      );
      const notice = notices.find((n) => n.notice.code === 'disk_full')!;
      if (fullAt) expect(notice.at - fullAt).toBeLessThan(2000);
      expect(notice.notice.message).toMatch(/full/i);
      await ctx.app.recording.stopAll();
      const items = library(ctx);
      expect(items.length).toBeGreaterThanOrEqual(1);
      for (const item of items) {
        expect(["complete", "interrupted"], `${item.identity} ${item.status} ${item.error} ${item.bytes}`).toContain(item.status);
        const probe = await toolchain.probeMedia(item.path);
        expect(probe.durationSec ?? 0).toBeGreaterThan(1);
        expect(Math.abs((probe.durationSec ?? 0) * 1000 - (item.durationMs ?? 0))).toBeLessThan(
          1000,
        );
        expect(item.bytes).toBe(fs.statSync(item.path).size);
      }
    } finally {
      await Promise.all(pubs.map((p) => p.stop()));
      execFileSync('umount', ['-l', folder]);
      await ctx.close();
    }
  });

  it('refuses to start below the free-space floor, before joining', async () => {
    const ctx = makeTestApp();
    try {
      ctx.app.settings.set({ freeSpaceFloorMb: 1_000_000 });
      const result = await ctx.dispatch(
        'recording.start',
        { target: { url: target.url, token: 'unused' }, room: 'r', participants: 'all' },
        trustedCaller,
      );
      expect(result).toMatchObject({ ok: false, error: { code: 'disk_full' } });
      expect(ctx.app.history.listSessions()).toHaveLength(0);
    } finally {
      await ctx.close();
    }
  });
});
