/**
 * Shared pieces of the conformance tests: the server under test (ours, or a real LiveKit when
 * LIVEKIT_URL / LIVEKIT_API_KEY / LIVEKIT_API_SECRET are set), tokens, and rtc-node viewers that
 * record what they decode.
 */
import { randomBytes } from 'node:crypto';
import {
  AudioStream,
  Room,
  RoomEvent,
  TrackKind,
  VideoBufferType,
  VideoStream,
} from '@livekit/rtc-node';
import type { RemoteTrack, RemoteTrackPublication, RemoteParticipant } from '@livekit/rtc-node';
import { AccessToken } from 'livekit-server-sdk';
import type { VideoGrant } from 'livekit-server-sdk';
import { startTestServer } from './server.js';
import type { TestServer } from './server.js';
import type { ReplayOptions, ReplayParticipant } from './replay.js';
import type { NetworkConditions } from './network-path.js';
import { startServerProcess } from './server-process.js';
import { BEEP_HZ, SAMPLE_RATE, meanLuma, readFrameCounter, rms } from './sync-pattern.js';

export interface Target {
  url: string;
  httpUrl: string;
  apiKey: string;
  apiSecret: string;
  /** Our server when it runs in this process; undefined in its own process or for a real server. */
  local: TestServer | undefined;
  /** Adds a replay publisher to our server (either way it runs); undefined for a real server. */
  addReplayParticipant: ((options: ReplayOptions) => Promise<Omit<ReplayParticipant, 'stop'> & { stop(): unknown }>) | undefined;
  close(): Promise<void>;
}

export const realServer = Boolean(
  process.env.LIVEKIT_URL && process.env.LIVEKIT_API_KEY && process.env.LIVEKIT_API_SECRET,
);

/**
 * The server the tests run against: a real LiveKit server when LIVEKIT_URL etc. are set, else
 * ours, in this process or, with `ownProcess` (tests of media timing), in a child process.
 * `network` (ours only: a real server's network is whatever it is) impairs what subscribers get.
 */
export async function startTarget(options: { ownProcess?: boolean; network?: Omit<NetworkConditions, 'random'> } = {}): Promise<Target> {
  if (realServer) {
    const url = process.env.LIVEKIT_URL!;
    return {
      url,
      httpUrl: url.replace(/^ws/, 'http'),
      apiKey: process.env.LIVEKIT_API_KEY!,
      apiSecret: process.env.LIVEKIT_API_SECRET!,
      local: undefined,
      addReplayParticipant: undefined,
      close: async () => {},
    };
  }
  if (options.ownProcess) {
    return { ...(await startServerProcess(options.network)), local: undefined };
  }
  const local = await startTestServer({ emptyTimeoutMs: 5_000, network: options.network });
  return { ...local, local, addReplayParticipant: (o) => local.addReplayParticipant(o), close: () => local.close() };
}

export function uniqueRoom(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export async function mintToken(
  target: Pick<Target, 'apiKey' | 'apiSecret'>,
  identity: string,
  grant: VideoGrant,
): Promise<string> {
  const at = new AccessToken(target.apiKey, target.apiSecret, { identity, ttl: '10m' });
  at.addGrant({ roomJoin: true, ...grant });
  return at.toJwt();
}

/** Polls until `condition` holds; bounded, names what it waited for when it gives up. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface ReceivedFrame {
  at: number;
  width: number;
  height: number;
  /** Burned-in frame counter, or undefined on a white marker frame. */
  counter: number | undefined;
  luma: number;
}

export interface VideoRecorder {
  frames: ReceivedFrame[];
  close(): void;
}

/** Decodes a remote video track with rtc-node and notes each frame's size, counter and brightness. */
export function recordVideo(track: RemoteTrack): VideoRecorder {
  const frames: ReceivedFrame[] = [];
  const stream = new VideoStream(track);
  const reader = stream.getReader();
  let closed = false;
  void (async () => {
    while (!closed) {
      const { value, done } = await reader.read();
      if (done || !value) break;
      let frame = value.frame;
      if (frame.type !== VideoBufferType.I420) frame = frame.convert(VideoBufferType.I420);
      const luma = meanLuma(frame.data, frame.width, frame.height);
      frames.push({
        at: performance.now(),
        width: frame.width,
        height: frame.height,
        counter: luma > 200 ? undefined : readFrameCounter(frame.data, frame.width, frame.height),
        luma,
      });
    }
  })().catch(() => undefined);
  return {
    frames,
    close() {
      closed = true;
      void reader.cancel().catch(() => undefined);
    },
  };
}

export interface AudioRecorder {
  /** Arrival times of 10 ms frames that carry the 1 kHz beep. */
  beeps: number[];
  frames: number;
  close(): void;
}

/** Listens to a remote audio track and notes when the loud 1 kHz beep arrives. */
export function recordAudio(track: RemoteTrack): AudioRecorder {
  const result: AudioRecorder = { beeps: [], frames: 0, close: () => {} };
  const stream = new AudioStream(track, SAMPLE_RATE, 1);
  const reader = stream.getReader();
  let closed = false;
  result.close = () => {
    closed = true;
    void reader.cancel().catch(() => undefined);
  };
  void (async () => {
    while (!closed) {
      const { value, done } = await reader.read();
      if (done || !value) break;
      result.frames++;
      if (rms(value.data) > 4000 && dominantIsBeep(value.data))
        result.beeps.push(performance.now());
    }
  })().catch(() => undefined);
  return result;
}

/** Goertzel power at BEEP_HZ against a neighbour: is the loud sound our 1 kHz tone? */
function dominantIsBeep(samples: Int16Array): boolean {
  const power = (hz: number) => {
    const k = 2 * Math.cos((2 * Math.PI * hz) / SAMPLE_RATE);
    let s1 = 0;
    let s2 = 0;
    for (const x of samples) {
      const s = x + k * s1 - s2;
      s2 = s1;
      s1 = s;
    }
    return s1 * s1 + s2 * s2 - k * s1 * s2;
  };
  return power(BEEP_HZ) > 10 * power(BEEP_HZ * 1.7);
}

export interface Viewer {
  room: Room;
  identity: string;
  /** Subscribed remote tracks by track sid. */
  tracks: Map<
    string,
    { track: RemoteTrack; publication: RemoteTrackPublication; participant: RemoteParticipant }
  >;
  events: { name: string; detail: string; at: number }[];
  waitForTrack(
    participantIdentity: string,
    kind: 'video' | 'audio',
    timeoutMs?: number,
  ): Promise<{ track: RemoteTrack; publication: RemoteTrackPublication }>;
  close(): Promise<void>;
}

/** An rtc-node participant that subscribes to everything (canPublish=false unless granted). */
export async function connectViewer(
  target: Target,
  roomName: string,
  identity: string,
  grant: VideoGrant = {},
): Promise<Viewer> {
  const room = new Room();
  const tracks: Viewer['tracks'] = new Map();
  const events: Viewer['events'] = [];
  const note = (name: string, detail: string) =>
    events.push({ name, detail, at: performance.now() });
  room
    .on(RoomEvent.TrackSubscribed, (track, publication, participant) => {
      tracks.set(publication.sid!, { track, publication, participant });
      note('trackSubscribed', `${participant.identity}/${publication.sid}`);
    })
    .on(RoomEvent.TrackUnsubscribed, (_track, publication, participant) => {
      tracks.delete(publication.sid!);
      note('trackUnsubscribed', `${participant.identity}/${publication.sid}`);
    })
    .on(RoomEvent.TrackUnpublished, (publication, participant) =>
      note('trackUnpublished', `${participant.identity}/${publication.sid}`),
    )
    .on(RoomEvent.TrackMuted, (publication, participant) =>
      note('trackMuted', `${participant.identity}/${publication.sid}`),
    )
    .on(RoomEvent.TrackUnmuted, (publication, participant) =>
      note('trackUnmuted', `${participant.identity}/${publication.sid}`),
    )
    .on(RoomEvent.ParticipantConnected, (p) => note('participantConnected', p.identity))
    .on(RoomEvent.ParticipantDisconnected, (p) => note('participantDisconnected', p.identity))
    .on(RoomEvent.Disconnected, (reason) => note('disconnected', String(reason)))
    .on(RoomEvent.Reconnecting, () => note('reconnecting', ''))
    .on(RoomEvent.Reconnected, () => note('reconnected', ''));
  const token = await mintToken(target, identity, {
    room: roomName,
    canPublish: false,
    canSubscribe: true,
    ...grant,
  });
  await room.connect(target.url, token, { autoSubscribe: true, dynacast: false });
  const findTrack = (who: string, kind: 'video' | 'audio') => {
    const wanted = kind === 'video' ? TrackKind.KIND_VIDEO : TrackKind.KIND_AUDIO;
    for (const t of tracks.values()) {
      if (t.participant.identity === who && t.track.kind === wanted) return t;
    }
    return undefined;
  };
  return {
    room,
    identity,
    tracks,
    events,
    async waitForTrack(who, kind, timeoutMs = 15_000) {
      await waitFor(
        () => findTrack(who, kind) !== undefined,
        `${identity} to subscribe to ${who}'s ${kind}`,
        timeoutMs,
      );
      return findTrack(who, kind)!;
    },
    async close() {
      await room.disconnect();
    },
  };
}
