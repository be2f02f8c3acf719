/**
 * Our test server run in a child process. Tests that measure media timing use it, as the
 * benchmark does, so the server's JavaScript (SRTP, forwarding, replay pacing) and the code
 * under test don't share one event loop: there, every stall of the recorder was also a stall
 * of the network it receives from, which no real deployment has.
 */
import { startWorker, type Worker } from '../helpers/worker';
import type { NetworkConditions } from './network-path';
import type { ReplayOptions, ReplayParticipant } from './replay';

export type RemoteReplay = Omit<ReplayParticipant, 'stop'> & { stop(): Promise<void> };

export interface ServerProcess {
  url: string;
  httpUrl: string;
  apiKey: string;
  apiSecret: string;
  pid: number;
  addReplayParticipant(options: ReplayOptions): Promise<RemoteReplay>;
  cutSignalling(room: string, identity: string): Promise<boolean>;
  close(): Promise<void>;
}

/** `network`: see TestServerOptions (without `random`: it can't cross to the process). */
export async function startServerProcess(network?: Omit<NetworkConditions, 'random'>): Promise<ServerProcess> {
  const worker: Worker = await startWorker(new URL('./server-worker.ts', import.meta.url));
  try {
    const info = await worker.request<{ url: string; httpUrl: string; apiKey: string; apiSecret: string }>('start', { network });
    return {
      ...info,
      pid: worker.pid,
      async addReplayParticipant(options) {
        // Encoding the clip takes a while the first time for each size.
        const view = await worker.request<Omit<ReplayParticipant, 'stop'>>('addReplay', { options }, 300_000);
        return { ...view, stop: async () => void (await worker.request('stopReplay', { room: options.room, identity: options.identity })) };
      },
      cutSignalling: (room, identity) => worker.request<boolean>('cutSignalling', { room, identity }),
      close: () => worker.close(),
    };
  } catch (error) {
    await worker.close();
    throw error;
  }
}
