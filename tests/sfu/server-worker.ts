/**
 * The test server in a process of its own (see server-process.ts): a stall in the process
 * under test then delays what that process receives, as a stall would against a real server,
 * instead of also holding up the server's forwarding and the replay publishers' sending.
 */
import { serveRequests } from '../helpers/worker';
import type { ReplayOptions, ReplayParticipant } from './replay';
import type { NetworkConditions } from './network-path';
import { startTestServer, type TestServer } from './server';

let server: TestServer | undefined;
const replays = new Map<string, ReplayParticipant>();
const key = (room: string, identity: string) => `${room}\n${identity}`;

serveRequests(
  {
    async start(req) {
      server = await startTestServer({ emptyTimeoutMs: 5_000, network: req.network as NetworkConditions | undefined });
      return { url: server.url, httpUrl: server.httpUrl, apiKey: server.apiKey, apiSecret: server.apiSecret };
    },
    async addReplay(req) {
      const options = req.options as ReplayOptions;
      const replay = await server!.addReplayParticipant(options);
      replays.set(key(options.room, options.identity), replay);
      const { stop: _stop, ...view } = replay;
      return view;
    },
    async stopReplay(req) {
      const k = key(req.room as string, req.identity as string);
      replays.get(k)?.stop();
      return replays.delete(k);
    },
    async cutSignalling(req) {
      return server!.cutSignalling(req.room as string, req.identity as string);
    },
  },
  async () => {
    for (const replay of replays.values()) replay.stop();
    await server?.close();
  },
);
