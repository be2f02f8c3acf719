/**
 * A LiveKit-compatible SFU for tests: `/rtc` protobuf signalling, VP8 + Opus forwarding on
 * werift, the Twirp RoomService in JSON. Good enough for the official clients
 * (@livekit/rtc-node, livekit-client, livekit-server-sdk) to work against it unchanged.
 * See /work/shared/LIVEKIT-TEST-SERVER.md for what the clients require.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DisconnectReason } from '@livekit/protocol';
import { WebSocketServer } from 'ws';
import type { NetworkConditions } from './network-path.js';
import { RoomRegistry } from './registry.js';
import { ReplayLibrary, startReplayParticipant } from './replay.js';
import type { ReplayOptions, ReplayParticipant } from './replay.js';
import { RtcSession } from './session.js';
import { handleRtcHttp, handleRtcUpgrade } from './signalling.js';
import type { SignallingContext } from './signalling.js';
import { handleTwirp, isTwirpRequest } from './twirp.js';

export interface TestServerOptions {
  /** Address to listen on; default 0.0.0.0. */
  host?: string;
  /** Port; default 0 (a free port). */
  port?: number;
  apiKey?: string;
  apiSecret?: string;
  /** A room with nobody in it closes after this long; default 20 s (LiveKit's departure timeout). */
  emptyTimeoutMs?: number;
  /**
   * Host ICE candidates are gathered on this address only. Default: $HAVEN_NETNS_ADDR (set by
   * tests/netns-run), else every non-loopback interface.
   */
  iceAddress?: string;
  /** Simulcast layer forwarded for simulcasting publishers: `q` (default, always sent), `h` or `f`. */
  simulcastRid?: 'q' | 'h' | 'f';
  /** A simulated network to every subscriber (jitter, loss); default none: the veth's, perfect. */
  network?: NetworkConditions;
  /** Called with diagnostic lines; default silent unless $HAVEN_SFU_DEBUG is set. */
  log?: (message: string) => void;
}

export interface TestServer {
  /** Signalling URL for clients, e.g. ws://10.77.0.1:7880. */
  url: string;
  /** HTTP base URL (Twirp RoomService). */
  httpUrl: string;
  host: string;
  port: number;
  apiKey: string;
  apiSecret: string;
  rooms: RoomRegistry;
  /** Publishes pre-encoded VP8/Opus into a room as a participant; costs no encoding per stream. */
  addReplayParticipant(options: ReplayOptions): Promise<ReplayParticipant>;
  /** For testing: drops a participant's signalling WebSocket as a network failure would. */
  cutSignalling(room: string, identity: string): boolean;
  close(): Promise<void>;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const host = options.host ?? '0.0.0.0';
  const apiKey = options.apiKey ?? 'devkey';
  const apiSecret = options.apiSecret ?? 'secret-secret-secret-secret-secret';
  const log =
    options.log ??
    (process.env.HAVEN_SFU_DEBUG ? (m: string) => console.error(`[sfu] ${m}`) : () => {});
  const rooms = new RoomRegistry(options.emptyTimeoutMs ?? 20_000);
  const wss = new WebSocketServer({ noServer: true });
  const ctx: SignallingContext = {
    wss,
    registry: rooms,
    apiKey,
    apiSecret,
    session: {
      iceAddress: options.iceAddress ?? process.env.HAVEN_NETNS_ADDR,
      simulcastRid: options.simulcastRid ?? 'q',
      network: options.network,
      log,
    },
  };

  const http = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    void (async () => {
      if (isTwirpRequest(url.pathname)) {
        await handleTwirp(req, res, url.pathname, { registry: rooms, apiKey, apiSecret });
      } else if (url.pathname.startsWith('/rtc') && (await handleRtcHttp(req, res, url, ctx))) {
        // handled
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      }
    })().catch((err: unknown) => {
      log(`http ${url.pathname}: ${String(err)}`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  http.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    socket.on('error', () => undefined);
    handleRtcUpgrade(req, socket, head, url, ctx).catch((err: unknown) => {
      log(`upgrade: ${String(err)}`);
      socket.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, host, resolve);
  });
  const port = (http.address() as AddressInfo).port;
  // A wildcard bind is reachable on every address; advertise the namespace one if we are in it.
  const publicHost =
    host === '0.0.0.0' || host === '::' ? (process.env.HAVEN_NETNS_ADDR ?? '127.0.0.1') : host;
  const replays = new ReplayLibrary();
  const replayParticipants = new Set<ReplayParticipant>();

  return {
    url: `ws://${publicHost}:${port}`,
    httpUrl: `http://${publicHost}:${port}`,
    host,
    port,
    apiKey,
    apiSecret,
    rooms,
    async addReplayParticipant(replayOptions) {
      const participant = await startReplayParticipant(rooms, replays, replayOptions);
      replayParticipants.add(participant);
      return participant;
    },
    cutSignalling(room, identity) {
      const connection = rooms.get(room)?.participants.get(identity)?.connection;
      if (!(connection instanceof RtcSession)) return false;
      connection.cutSignalling();
      return true;
    },
    async close() {
      for (const replay of replayParticipants) replay.stop();
      for (const room of rooms.list()) room.close(DisconnectReason.SERVER_SHUTDOWN);
      for (const client of wss.clients) client.terminate();
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await replays.dispose();
    },
  };
}
