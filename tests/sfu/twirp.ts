import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  CreateRoomRequest,
  DeleteRoomRequest,
  DeleteRoomResponse,
  DisconnectReason,
  ListParticipantsRequest,
  ListParticipantsResponse,
  ListRoomsRequest,
  ListRoomsResponse,
  MuteRoomTrackRequest,
  MuteRoomTrackResponse,
  MuteTrackRequest,
  RemoveParticipantResponse,
  RoomParticipantIdentity,
  RoomUpdate,
  UpdateRoomMetadataRequest,
} from '@livekit/protocol';
import type { ClaimGrants, VideoGrant } from 'livekit-server-sdk';
import { type AuthError, verifyToken } from './auth.js';
import type { RoomRegistry } from './registry.js';

/** A Twirp error: `{code, msg}` JSON with the HTTP status Twirp assigns to the code. */
export class TwirpError extends Error {
  static readonly statusOf = {
    unauthenticated: 401,
    permission_denied: 403,
    not_found: 404,
    bad_route: 404,
    invalid_argument: 400,
    malformed: 400,
    already_exists: 409,
  } as const;

  constructor(
    readonly code: keyof typeof TwirpError.statusOf,
    message: string,
  ) {
    super(message);
  }
}

interface TwirpContext {
  registry: RoomRegistry;
  apiKey: string;
  apiSecret: string;
}

type Method = (body: string, video: VideoGrant, ctx: TwirpContext) => { toJsonString(): string };

const parse = { ignoreUnknownFields: true } as const;

function requireGrant(
  video: VideoGrant,
  grant: 'roomList' | 'roomCreate' | 'roomAdmin',
  room?: string,
): void {
  if (!video[grant]) throw new TwirpError('permission_denied', `token lacks the ${grant} grant`);
  // A roomAdmin grant is scoped to the room named in it.
  if (grant === 'roomAdmin' && room !== undefined && video.room && video.room !== room) {
    throw new TwirpError(
      'permission_denied',
      `token grants roomAdmin on ${video.room}, not ${room}`,
    );
  }
}

function roomOrThrow(ctx: TwirpContext, name: string) {
  if (!name) throw new TwirpError('invalid_argument', 'room is required');
  const room = ctx.registry.get(name);
  if (!room) throw new TwirpError('not_found', `room ${name} not found`);
  return room;
}

function participantOrThrow(ctx: TwirpContext, roomName: string, identity: string) {
  const room = roomOrThrow(ctx, roomName);
  const participant = room.participants.get(identity);
  if (!participant) throw new TwirpError('not_found', `participant ${identity} not found`);
  return { room, participant };
}

const methods: Record<string, Method> = {
  ListRooms(body, video, ctx) {
    requireGrant(video, 'roomList');
    const req = ListRoomsRequest.fromJsonString(body, parse);
    const rooms = ctx.registry
      .list()
      .filter((r) => req.names.length === 0 || req.names.includes(r.name))
      .map((r) => r.info());
    return new ListRoomsResponse({ rooms });
  },
  CreateRoom(body, video, ctx) {
    requireGrant(video, 'roomCreate');
    const req = CreateRoomRequest.fromJsonString(body, parse);
    if (!req.name) throw new TwirpError('invalid_argument', 'name is required');
    const room = ctx.registry.getOrCreate(req.name);
    if (req.emptyTimeout > 0) room.emptyTimeoutMs = req.emptyTimeout * 1000;
    if (req.metadata) room.metadata = req.metadata;
    return room.info();
  },
  DeleteRoom(body, video, ctx) {
    requireGrant(video, 'roomCreate');
    const req = DeleteRoomRequest.fromJsonString(body, parse);
    roomOrThrow(ctx, req.room).close(DisconnectReason.ROOM_DELETED);
    return new DeleteRoomResponse();
  },
  UpdateRoomMetadata(body, video, ctx) {
    const req = UpdateRoomMetadataRequest.fromJsonString(body, parse);
    requireGrant(video, 'roomAdmin', req.room);
    const room = roomOrThrow(ctx, req.room);
    room.metadata = req.metadata;
    for (const p of room.participants.values()) {
      p.connection?.send({ case: 'roomUpdate', value: new RoomUpdate({ room: room.info() }) });
    }
    return room.info();
  },
  ListParticipants(body, video, ctx) {
    const req = ListParticipantsRequest.fromJsonString(body, parse);
    requireGrant(video, 'roomAdmin', req.room);
    const room = roomOrThrow(ctx, req.room);
    return new ListParticipantsResponse({
      participants: [...room.participants.values()].map((p) => p.info()),
    });
  },
  GetParticipant(body, video, ctx) {
    const req = RoomParticipantIdentity.fromJsonString(body, parse);
    requireGrant(video, 'roomAdmin', req.room);
    return participantOrThrow(ctx, req.room, req.identity).participant.info();
  },
  RemoveParticipant(body, video, ctx) {
    const req = RoomParticipantIdentity.fromJsonString(body, parse);
    requireGrant(video, 'roomAdmin', req.room);
    const { room, participant } = participantOrThrow(ctx, req.room, req.identity);
    participant.connection?.disconnect(DisconnectReason.PARTICIPANT_REMOVED);
    room.leave(participant);
    return new RemoveParticipantResponse();
  },
  MutePublishedTrack(body, video, ctx) {
    const req = MuteRoomTrackRequest.fromJsonString(body, parse);
    requireGrant(video, 'roomAdmin', req.room);
    const { room, participant } = participantOrThrow(ctx, req.room, req.identity);
    const track = room.setMuted(participant, req.trackSid, req.muted);
    if (!track) throw new TwirpError('not_found', `track ${req.trackSid} not found`);
    // Tell the publisher, whose SDK then mutes the track locally (and echoes a mute request).
    participant.connection?.send({
      case: 'mute',
      value: new MuteTrackRequest({ sid: req.trackSid, muted: req.muted }),
    });
    return new MuteRoomTrackResponse({ track });
  },
};

const PREFIX = '/twirp/livekit.RoomService/';

export function isTwirpRequest(pathname: string): boolean {
  return pathname.startsWith('/twirp/');
}

/** Serves `/twirp/livekit.RoomService/<Method>` with JSON bodies, as livekit-server-sdk calls it. */
export async function handleTwirp(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  ctx: TwirpContext,
): Promise<void> {
  try {
    if (req.method !== 'POST') throw new TwirpError('bad_route', 'Twirp methods are POST');
    const method = pathname.startsWith(PREFIX) ? methods[pathname.slice(PREFIX.length)] : undefined;
    if (!method) throw new TwirpError('bad_route', `no method at ${pathname}`);
    if (!(req.headers['content-type'] ?? '').includes('json')) {
      throw new TwirpError('malformed', 'this server speaks Twirp JSON only');
    }
    const header = req.headers.authorization;
    let claims: ClaimGrants;
    try {
      claims = await verifyToken(
        header?.startsWith('Bearer ') ? header.slice(7) : undefined,
        ctx.apiKey,
        ctx.apiSecret,
      );
    } catch (err) {
      throw new TwirpError('unauthenticated', (err as AuthError).message);
    }
    const body = await readBody(req);
    let result: { toJsonString(): string };
    try {
      result = method(body || '{}', claims.video ?? {}, ctx);
    } catch (err) {
      if (err instanceof TwirpError) throw err;
      throw new TwirpError('malformed', (err as Error).message);
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(result.toJsonString());
  } catch (err) {
    const e = err instanceof TwirpError ? err : new TwirpError('malformed', String(err));
    res.writeHead(TwirpError.statusOf[e.code], { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code: e.code, msg: e.message }));
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 1 << 20) throw new TwirpError('malformed', 'body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
