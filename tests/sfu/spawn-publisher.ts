import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface PublisherOptions {
  url: string;
  room: string;
  identity: string;
  /** Either a token, or an API key and secret to mint one (canPublish). */
  token?: string;
  apiKey?: string;
  apiSecret?: string;
  kind?: 'camera' | 'audio' | 'screen';
  width?: number;
  height?: number;
  fps?: number;
  /** Stop by itself after this many seconds of media. */
  durationS?: number;
  muteAtS?: number;
  unmuteAtS?: number;
  resizeAt?: { atS: number; width: number; height: number };
  /** Unpublish every track at this media time (the process stays in the room). */
  unpublishAtS?: number;
  /** Forward the child's stderr (rtc-node logs) to ours. */
  verbose?: boolean;
}

export interface PublisherReady {
  identity: string;
  participantSid: string;
  tracks: { sid: string; name: string; kind: number }[];
  width: number;
  height: number;
  fps: number;
}

export interface PublisherEvent {
  event: string;
  [key: string]: unknown;
}

export interface PublisherHandle {
  process: ChildProcess;
  /** Resolves once the tracks are published. */
  ready: Promise<PublisherReady>;
  /** Every event line seen so far (ready, muted, stats, stopped, ...). */
  events: PublisherEvent[];
  /** Resolves with the `stopped` event (video frames captured) once the process has exited. */
  exited: Promise<PublisherEvent | undefined>;
  /** Asks the publisher to stop (SIGTERM), then kills it if it hangs; resolves when it has exited. */
  stop(): Promise<PublisherEvent | undefined>;
}

const script = fileURLToPath(new URL('./publisher.ts', import.meta.url));

/** Runs tests/sfu/publisher.ts in its own process (npx-free: node with the tsx loader). */
export function spawnPublisher(options: PublisherOptions): PublisherHandle {
  const args = [
    '--url',
    options.url,
    '--room',
    options.room,
    '--identity',
    options.identity,
    '--watch-parent',
  ];
  if (options.token) args.push('--token', options.token);
  if (options.apiKey) args.push('--api-key', options.apiKey);
  if (options.apiSecret) args.push('--api-secret', options.apiSecret);
  if (options.kind) args.push('--kind', options.kind);
  if (options.width) args.push('--width', String(options.width));
  if (options.height) args.push('--height', String(options.height));
  if (options.fps) args.push('--fps', String(options.fps));
  if (options.durationS !== undefined) args.push('--duration', String(options.durationS));
  if (options.muteAtS !== undefined) args.push('--mute-at', String(options.muteAtS));
  if (options.unmuteAtS !== undefined) args.push('--unmute-at', String(options.unmuteAtS));
  if (options.unpublishAtS !== undefined) args.push('--unpublish-at', String(options.unpublishAtS));
  if (options.resizeAt) {
    const r = options.resizeAt;
    args.push('--resize-at', `${r.atS}:${r.width}x${r.height}`);
  }
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    stdio: ['ignore', 'pipe', options.verbose ? 'inherit' : 'pipe'],
  });
  const events: PublisherEvent[] = [];
  let stderrTail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString()).slice(-4000);
  });
  let resolveReady!: (r: PublisherReady) => void;
  let rejectReady!: (e: Error) => void;
  const ready = new Promise<PublisherReady>((res, rej) => {
    resolveReady = res;
    rejectReady = rej;
  });
  ready.catch(() => undefined); // callers that never await it must not see an unhandled rejection
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let event: PublisherEvent;
    try {
      event = JSON.parse(line) as PublisherEvent;
    } catch {
      return;
    }
    events.push(event);
    if (event.event === 'ready') resolveReady(event as unknown as PublisherReady);
  });
  const exited = new Promise<PublisherEvent | undefined>((resolve) => {
    child.once('exit', (code, signal) => {
      rejectReady(
        new Error(
          `publisher ${options.identity} exited (${code ?? signal}) before ready:\n${stderrTail}`,
        ),
      );
      resolve(events.find((e) => e.event === 'stopped'));
    });
  });
  return {
    process: child,
    ready,
    events,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      return exited;
    },
  };
}
