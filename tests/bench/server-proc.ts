/**
 * Benchmark process 1: the test server and its replay publishers (pre-encoded VP8 + Opus with
 * sync markers), apart from the recorder so its work isn't counted as the recorder's.
 */
import { startTestServer, type TestServer } from '../sfu/server';
import type { ReplayParticipant } from '../sfu/replay';
import { serveRequests } from './ipc';

let server: TestServer | undefined;
const rooms = new Map<string, ReplayParticipant[]>();

serveRequests(
  {
    async start() {
      server = await startTestServer({ emptyTimeoutMs: 5_000 });
      return { url: server.url, apiKey: server.apiKey, apiSecret: server.apiSecret };
    },
    async add(req) {
      const { room, count, width, height, fps, seconds } = req as unknown as {
        room: string;
        count: number;
        width: number;
        height: number;
        fps: number;
        seconds: number;
      };
      // The first one encodes the clip (once per size); the rest reuse it.
      const first = await server!.addReplayParticipant({ room, identity: 'p01', width, height, fps, seconds, markers: true });
      const rest = await Promise.all(
        Array.from({ length: count - 1 }, (_, i) =>
          server!.addReplayParticipant({ room, identity: `p${String(i + 2).padStart(2, '0')}`, width, height, fps, seconds, markers: true }),
        ),
      );
      rooms.set(room, [first, ...rest]);
      return { files: first.files, identities: [first, ...rest].map((p) => p.identity) };
    },
    async remove(req) {
      for (const p of rooms.get(req.room as string) ?? []) p.stop();
      rooms.delete(req.room as string);
      return null;
    },
  },
  async () => {
    for (const list of rooms.values()) for (const p of list) p.stop();
    await server?.close();
  },
);
