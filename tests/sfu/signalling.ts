import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  ClientConfigSetting,
  ClientConfiguration,
  Codec,
  DisconnectReason,
  JoinResponse,
  LeaveRequest,
  LeaveRequest_Action,
  ServerInfo,
  ServerInfo_Edition,
  SignalResponse,
} from '@livekit/protocol';
import type { WebSocketServer } from 'ws';
import { AuthError, joinGrant, tokenOf, verifyToken } from './auth.js';
import type { RoomRegistry } from './registry.js';
import { Participant } from './room.js';
import { RtcSession } from './session.js';
import type { SessionOptions } from './session.js';

export const SERVER_VERSION = '1.9.0';
const PROTOCOL_VERSION = 16;

export interface SignallingContext {
  wss: WebSocketServer;
  registry: RoomRegistry;
  apiKey: string;
  apiSecret: string;
  session: Omit<SessionOptions, 'autoSubscribe'>;
}

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
};

function rejectUpgrade(socket: Duplex, status: number, text: string, body: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
      `access-control-allow-origin: *\r\nconnection: close\r\n\r\n${body}`,
  );
}

/** Plain HTTP under /rtc: the validate endpoints the clients call when a WebSocket fails. */
export async function handleRtcHttp(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  ctx: SignallingContext,
): Promise<boolean> {
  if (req.method === 'OPTIONS') {
    res.writeHead(204, CORS).end();
    return true;
  }
  // Single-peer-connection signalling (/rtc/v1) is not implemented: a 404 makes clients fall back.
  if (url.pathname.startsWith('/rtc/v1')) {
    res.writeHead(404, { ...CORS, 'content-type': 'text/plain' }).end('not found');
    return true;
  }
  if (url.pathname === '/rtc/validate') {
    try {
      joinGrant(await verifyToken(tokenOf(req, url), ctx.apiKey, ctx.apiSecret));
      res.writeHead(200, { ...CORS, 'content-type': 'text/plain' }).end('success');
    } catch (err) {
      const status = err instanceof AuthError ? err.status : 400;
      res.writeHead(status, { ...CORS, 'content-type': 'text/plain' }).end((err as Error).message);
    }
    return true;
  }
  return false;
}

/** WebSocket upgrades to /rtc: authenticate, then join the room named in the token. */
export async function handleRtcUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  url: URL,
  ctx: SignallingContext,
): Promise<void> {
  if (url.pathname !== '/rtc') {
    rejectUpgrade(socket, 404, 'Not Found', 'not found');
    return;
  }
  let grant: ReturnType<typeof joinGrant>;
  let claims: Awaited<ReturnType<typeof verifyToken>>;
  try {
    claims = await verifyToken(tokenOf(req, url), ctx.apiKey, ctx.apiSecret);
    grant = joinGrant(claims);
  } catch (err) {
    const status = err instanceof AuthError ? err.status : 400;
    rejectUpgrade(
      socket,
      status,
      status === 401 ? 'Unauthorized' : 'Forbidden',
      (err as Error).message,
    );
    return;
  }
  ctx.wss.handleUpgrade(req, socket, head, (ws) => {
    if (url.searchParams.get('reconnect') === '1') {
      // Resume (same participant, ICE restart) is not supported. Both SDKs treat this leave as
      // "do a full reconnect": they rejoin with the same identity, which replaces the old
      // participant. livekit-client never gets here: its JoinResponse disables resume.
      ws.send(
        new SignalResponse({
          message: {
            case: 'leave',
            value: new LeaveRequest({
              canReconnect: true,
              reason: DisconnectReason.STATE_MISMATCH,
              action: LeaveRequest_Action.RECONNECT,
            }),
          },
        }).toBinary(),
      );
      ws.close();
      return;
    }
    const room = ctx.registry.getOrCreate(grant.room);
    const participant = new Participant(
      claims.sub ?? '',
      claims.name ?? claims.sub ?? '',
      grant,
      claims.metadata ?? '',
      claims.attributes ?? {},
    );
    const session = new RtcSession(ws, room, participant, {
      ...ctx.session,
      autoSubscribe: url.searchParams.get('auto_subscribe') !== '0',
    });
    room.join(participant);
    const join = new JoinResponse({
      room: room.info(),
      participant: participant.info(),
      otherParticipants: room.visibleParticipants(participant).map((p) => p.info()),
      serverVersion: SERVER_VERSION,
      serverRegion: 'local',
      iceServers: [],
      // As a LiveKit server: a participant that can subscribe counts itself connected once its
      // subscriber PC is (~200 ms sooner); its publisher PC is negotiated when it first publishes.
      subscriberPrimary: participant.canSubscribe,
      pingInterval: 5,
      pingTimeout: 15,
      clientConfiguration: new ClientConfiguration({
        resumeConnection: ClientConfigSetting.DISABLED,
      }),
      serverInfo: new ServerInfo({
        edition: ServerInfo_Edition.Standard,
        version: SERVER_VERSION,
        protocol: PROTOCOL_VERSION,
        nodeId: 'haven-test-sfu',
        region: 'local',
      }),
      enabledPublishCodecs: [new Codec({ mime: 'video/VP8' }), new Codec({ mime: 'audio/opus' })],
    });
    session.send({ case: 'join', value: join });
    if (join.subscriberPrimary) session.openSubscriber();
    room.subscribeToExisting(participant);
  });
}
