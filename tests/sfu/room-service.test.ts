/**
 * livekit-server-sdk's RoomServiceClient against the server, every method the app uses:
 *   tests/netns-run npx vitest run --project integration tests/sfu/room-service.test.ts
 */
import { DisconnectReason, dispose } from '@livekit/rtc-node';
import { RoomServiceClient } from 'livekit-server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectViewer, mintToken, startTarget, uniqueRoom, waitFor } from './harness.js';
import type { Target } from './harness.js';
import { spawnPublisher } from './spawn-publisher.js';

let target: Target;
let service: RoomServiceClient;

beforeAll(async () => {
  target = await startTarget();
  service = new RoomServiceClient(target.httpUrl, target.apiKey, target.apiSecret);
});

afterAll(async () => {
  await target?.close();
  await dispose();
});

describe('RoomServiceClient', () => {
  it('creates, lists and deletes rooms; deleting disconnects with ROOM_DELETED', async () => {
    const name = uniqueRoom('svc');
    const before = Date.now();
    const created = await service.createRoom({ name, emptyTimeout: 60 });
    expect(created.name).toBe(name);
    expect(created.sid).toMatch(/^RM_/);

    const viewer = await connectViewer(target, name, 'viewer');
    try {
      await waitFor(async () => {
        const [room] = await service.listRooms([name]);
        return room?.numParticipants === 1;
      }, 'ListRooms to count the viewer');
      const [listed] = await service.listRooms([name]);
      expect(listed!.numParticipants).toBe(1);
      // creation_time is in seconds
      expect(Number(listed!.creationTime)).toBeGreaterThanOrEqual(Math.floor(before / 1000) - 5);
      expect(Number(listed!.creationTime)).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 5);
      expect((await service.listRooms()).map((r) => r.name)).toContain(name);

      await service.deleteRoom(name);
      await waitFor(
        () => viewer.events.some((e) => e.name === 'disconnected'),
        'the viewer to be disconnected',
      );
      const reason = viewer.events.find((e) => e.name === 'disconnected')!.detail;
      expect(Number(reason)).toBe(DisconnectReason.ROOM_DELETED);
      expect((await service.listRooms([name])).length).toBe(0);
    } finally {
      await viewer.close();
    }
  });

  it('lists participants, mutes a published track, removes a participant', async () => {
    const name = uniqueRoom('svc');
    const viewer = await connectViewer(target, name, 'viewer');
    const publisher = spawnPublisher({
      url: target.url,
      room: name,
      identity: 'carol',
      token: await mintToken(target, 'carol', { room: name, canPublish: true }),
      kind: 'audio',
      durationS: 30,
    });
    try {
      await publisher.ready;
      await viewer.waitForTrack('carol', 'audio');
      const participants = await service.listParticipants(name);
      expect(participants.map((p) => p.identity).sort()).toEqual(['carol', 'viewer']);
      const carol = participants.find((p) => p.identity === 'carol')!;
      expect(carol.tracks.length).toBe(1);
      const trackSid = carol.tracks[0]!.sid;

      const muted = await service.mutePublishedTrack(name, 'carol', trackSid, true);
      expect(muted.muted).toBe(true);
      await waitFor(
        () =>
          viewer.events.some((e) => e.name === 'trackMuted' && e.detail === `carol/${trackSid}`),
        'the viewer to see the mute',
      );
      const after = await service.getParticipant(name, 'carol');
      expect(after.tracks[0]!.muted).toBe(true);

      await service.removeParticipant(name, 'carol');
      await waitFor(
        () =>
          viewer.events.some((e) => e.name === 'participantDisconnected' && e.detail === 'carol'),
        'carol to leave the viewer room',
      );
      expect((await service.listParticipants(name)).map((p) => p.identity)).toEqual(['viewer']);
      await publisher.exited; // the removed publisher's SDK disconnects and the process ends
    } finally {
      await publisher.stop();
      await viewer.close();
    }
  });

  it('answers errors as clean 4xx: wrong secret 401, unknown room 404, missing grant 403', async () => {
    const wrong = new RoomServiceClient(
      target.httpUrl,
      target.apiKey,
      'not-the-secret-not-the-secret-xx',
    );
    await expect(wrong.listRooms()).rejects.toMatchObject({ status: 401 });
    await expect(service.listParticipants(uniqueRoom('missing'))).rejects.toMatchObject({
      status: 404,
    });
    // A join token carries no roomList grant.
    const joinOnly = await mintToken(target, 'someone', { room: 'x' });
    const res = await fetch(`${target.httpUrl}/twirp/livekit.RoomService/ListRooms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${joinOnly}` },
      body: '{}',
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'permission_denied' });
  });
});
