import { EventEmitter } from 'node:events';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import {
  AudioStream,
  dispose,
  Room,
  RoomEvent,
  TrackKind,
  TrackSource,
  VideoBufferType,
  VideoStream,
  type RemoteParticipant,
  type RemoteTrack,
  type RemoteTrackPublication,
  type TrackPublication,
  type Participant,
} from '@livekit/rtc-node';
import type { I420Image } from '../recording/i420-image';
import { AudioDelayEstimator, type AudioPlayoutCounters } from './audio-lag';
import { DelaySmoother } from './delay-smoother';
import { FrameClock, monotonicOffsetMs } from './frame-clock';
import type { PcmFrame, TrackDelayOptions } from '../recording/timeline';

/** A track's delay as the `trackDelay` event gives it. */
export interface TrackDelay extends TrackDelayOptions {
  readonly delayMs: number;
}

/** The sources a participant can publish, as the recorder groups them into files. */
export type TrackSourceName =
  'camera' | 'microphone' | 'screen_share' | 'screen_share_audio' | 'unknown';

export interface RemoteTrackInfo {
  sid: string;
  identity: string;
  name: string;
  kind: 'audio' | 'video';
  source: TrackSourceName;
}

export interface RecorderConnectionEvents {
  participantJoined: [participant: { identity: string; name: string }];
  participantLeft: [identity: string];
  /** A track was published (subscribed or not yet). Lets the recorder plan files early. */
  trackPublished: [track: RemoteTrackInfo];
  trackStarted: [track: RemoteTrackInfo];
  trackEnded: [track: RemoteTrackInfo];
  trackMuted: [track: RemoteTrackInfo, muted: boolean];
  /** `arrivalMs`: when the frame was due by WebRTC's timestamp, on our clock (see FrameClock). */
  videoFrame: [trackSid: string, frame: I420Image, arrivalMs: number];
  audioFrame: [trackSid: string, frame: PcmFrame, arrivalMs: number];
  /**
   * Per-track delay from WebRTC stats: how long before its `arrivalMs` media came (video: see
   * videoDelayMs; audio: AudioDelayEstimator). `transient`: the delay of a stall being
   * recovered from, which may exceed any latency budget; `settling` and `history`: a new audio
   * track's (see AudioDelayReading and RecordingTimeline.setTrackDelay).
   */
  trackDelay: [trackSid: string, delayMs: number, options: TrackDelayOptions];
  reconnecting: [];
  reconnected: [];
  disconnected: [reason: string];
}

export interface RecorderConnectionOptions {
  /** Audio is delivered resampled to this rate and channel count (the files' format). */
  sampleRate?: number;
  channels?: number;
  /**
   * How often jitter-buffer delays are read; 0 disables. For a while after a track starts they
   * are read every {@link STARTUP_STATS_INTERVAL_MS} (or this, if shorter).
   */
  statsIntervalMs?: number;
  now?: () => number;
}

/**
 * How often delays are read in the {@link STARTUP_STATS_WINDOW_MS} after a track starts: a
 * file's first audio waits for its track's first reading (RecordingTimeline.awaitAudioDelay),
 * and the jitter buffer grows over its first half second (by 40-60 ms here), so readings that
 * far apart still trail it.
 */
export const STARTUP_STATS_INTERVAL_MS = 100;
export const STARTUP_STATS_WINDOW_MS = 2000;

/**
 * How often delays are read while a new audio track settles (AudioDelayReading.settling): its
 * file's audio is held until then, and with it the file's output. Read every 100 ms, it settled
 * 320-550 ms after the track started, and a file's first frame was written 1048 ms after
 * start() (against a 1 s target). WebRTC serves the same report again within 50 ms.
 */
const SETTLING_STATS_INTERVAL_MS = 60;

/**
 * A video track's delay after its first is averaged over at least this many frames (half a
 * second at 30 fps), however often stats are read. The fast reads after a track starts are for
 * audio; a video delay read over their three frames moved by 5-10 ms from one read to the next,
 * and each rise moved the next frames earlier onto a tick that already had one: the recorder
 * dropped 8, 9, 15, 2, 20 and 2 of alice's 300 frames in recording-service.test.ts, against 2,
 * 2, 5, 5, 2 and 2 averaged over 15 (same machine, runs interleaved). The first reading still
 * comes at once: the timeline applies it to the frames it holds.
 */
export const VIDEO_DELAY_MIN_FRAMES = 15;

/**
 * This process stood still this long or more between two readings (its event loop's longest
 * delay; normally about 20 ms, the monitor's resolution): video delays read over that interval,
 * and for {@link STALL_BACKLOG_MS} after it, are skipped.
 */
const STALLED_MS = 100;

/**
 * After this process stood still, the frames that came meanwhile wait to be decoded: on a loaded
 * machine, the reading 100 ms after the stall's still said 107 ms against 23.
 */
const STALL_BACKLOG_MS = 500;

/**
 * libwebrtc's render delay (VideoReceiveStream's `render_delay_ms`, 10 by default; LiveKit's SDK
 * leaves it): a decoded frame's render time, the stamp it reaches us with, is this much after
 * the time its decoding was scheduled to end. Measured with rtc-node 1.1 here: frames reach
 * JavaScript 8.4 ms (mean) to 9.5 ms (most) before their stamp.
 */
export const VIDEO_RENDER_DELAY_MS = 10;

/**
 * A video track's delay over the interval between two readings of its counters: how long
 * before its stamp (render time) a frame's first packet came. That is its processing delay
 * (`totalProcessingDelay / framesDecoded`: first packet received to decoded, so the jitter
 * buffer, assembly and decoding) plus {@link VIDEO_RENDER_DELAY_MS}. Audio is placed by when
 * its packets came the same way (arrival less its jitter-buffer delay), so the two line up as
 * they were sent. The jitter-buffer delay alone left video 9-10 ms late (the render delay) and
 * decoding time more. Null when no frame was decoded in between.
 */
export function videoDelayMs(a: VideoDelayCounters, b: VideoDelayCounters): number | null {
  const frames = b.framesDecoded - a.framesDecoded;
  if (frames <= 0) return null;
  return ((b.totalProcessingDelay - a.totalProcessingDelay) / frames) * 1000 + VIDEO_RENDER_DELAY_MS;
}

/** The inbound-rtp counters an audio track's delay is read from (AudioPlayoutCounters less packetsReceived). */
const AUDIO_COUNTERS = [
  'jitterBufferDelay',
  'jitterBufferEmittedCount',
  'totalSamplesReceived',
  'concealedSamples',
  'insertedSamplesForDeceleration',
  'removedSamplesForAcceleration',
  'packetsDiscarded',
] as const satisfies readonly (keyof AudioPlayoutCounters)[];

/** The inbound-rtp counters a video track's delay is read from (VideoDelayCounters). */
const VIDEO_COUNTERS = [
  'totalProcessingDelay',
  'framesDecoded',
  'jitterBufferDelay',
  'jitterBufferTargetDelay',
  'jitterBufferEmittedCount',
] as const satisfies readonly (keyof VideoDelayCounters)[];

/** The named counters of an inbound-rtp stat as numbers; 0 where it has none (and from `{}`: all 0). */
function countersOf<K extends string>(stat: Partial<Record<K, unknown>>, keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, Number(stat[key] ?? 0)])) as Record<K, number>;
}

/** Cumulative inbound-rtp counters of a video track (delays in seconds). */
export interface VideoDelayCounters {
  readonly totalProcessingDelay: number;
  readonly framesDecoded: number;
  readonly jitterBufferDelay: number;
  readonly jitterBufferTargetDelay: number;
  readonly jitterBufferEmittedCount: number;
}

/**
 * How much longer than its target the jitter buffer held a video track's frames over the
 * interval between two readings, in ms; null when none left it. Normally a few ms. After a
 * stall in a track's first seconds it held them 390-560 ms against a target of 11-18 (its
 * schedule had learned the stall's late arrivals), coming down by about 150 ms a second: the
 * frames' stamps moved with it, so their delay must be taken as it is, not smoothed.
 */
export function videoHeldPastTargetMs(a: VideoDelayCounters, b: VideoDelayCounters): number | null {
  const frames = b.jitterBufferEmittedCount - a.jitterBufferEmittedCount;
  if (frames <= 0) return null;
  const heldS = b.jitterBufferDelay - a.jitterBufferDelay - (b.jitterBufferTargetDelay - a.jitterBufferTargetDelay);
  return (heldS / frames) * 1000;
}

/**
 * Held this much past its target (videoHeldPastTargetMs), a video delay is taken as read, and
 * read again after VIDEO_DELAY_MIN_FRAMES_HELD frames: it came down by 150 ms a second.
 */
const VIDEO_HELD_MS = 50;
const VIDEO_DELAY_MIN_FRAMES_HELD = 3;

/**
 * The recorder's own connection to a room through @livekit/rtc-node: subscribes to everything,
 * decodes, and hands out I420 video and 48 kHz PCM per track. Knows nothing of files.
 */
export class RecorderConnection extends EventEmitter<RecorderConnectionEvents> {
  private readonly room = new Room();
  private readonly streams = new Map<string, VideoStream | AudioStream>();
  private readonly readers = new Map<string, ReadableStreamDefaultReader<unknown>>();
  private readonly now: () => number;
  /** `now()` minus libwebrtc's clock, when `now` is performance.now() (see FrameClock). */
  private readonly monotonicOffsetMs: number | null;
  private statsTimer: NodeJS.Timeout | null = null;
  /** When the pending stats read is due; reads come often until `statsFastUntil`. */
  private statsDueAt = Infinity;
  private statsFastUntil = 0;
  private scheduleStats: ((inMs: number) => void) | null = null;
  /** Per video track: its counters at the last reading used, and its delay. */
  private readonly videoTracks = new Map<string, { counters: VideoDelayCounters; delay: DelaySmoother; held: boolean }>();
  private readonly audioEstimators = new Map<string, AudioDelayEstimator>();
  private readonly delays = new Map<string, TrackDelay>();
  private loopMonitor: IntervalHistogram | null = null;
  private closed = false;

  private constructor(private readonly options: RecorderConnectionOptions) {
    super();
    this.now = options.now ?? (() => performance.now());
    this.monotonicOffsetMs = options.now ? null : monotonicOffsetMs();
    // rtc-node adds a listener to the Room per track; a room of six with camera and microphone
    // passes Node's default of 10 and would log a leak warning.
    this.room.setMaxListeners(0);
  }

  /** Connects; rejects with the SDK's error (the caller turns it into a message). */
  static async connect(
    url: string,
    token: string,
    options: RecorderConnectionOptions = {},
  ): Promise<RecorderConnection> {
    const connection = new RecorderConnection(options);
    connection.wire();
    await connection.room.connect(url, token, { autoSubscribe: true, dynacast: false });
    connection.startStats();
    return connection;
  }

  /** Whether track delays are measured (the `trackDelay` event comes). */
  get measuresDelays(): boolean {
    return this.statsIntervalMs > 0;
  }

  private get statsIntervalMs(): number {
    return this.options.statsIntervalMs ?? 500;
  }

  /** A track's latest delay reading, if any yet (see the `trackDelay` event). */
  trackDelay(sid: string): TrackDelay | undefined {
    return this.delays.get(sid);
  }

  get roomName(): string {
    return this.room.name ?? '';
  }

  /** Participants present now, with the tracks they publish. */
  participants(): { identity: string; name: string; tracks: RemoteTrackInfo[] }[] {
    return [...this.room.remoteParticipants.values()].map((p) => ({
      identity: p.identity,
      name: p.name ?? '',
      tracks: [...p.trackPublications.values()].map((pub) => trackInfo(pub, p)),
    }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.statsTimer) clearTimeout(this.statsTimer);
    this.loopMonitor?.disable();
    for (const sid of [...this.streams.keys()]) this.closeStream(sid);
    await this.room.disconnect().catch(() => undefined);
  }

  private wire(): void {
    const room = this.room;
    room.on(RoomEvent.ParticipantConnected, (p: RemoteParticipant) =>
      this.emit('participantJoined', { identity: p.identity, name: p.name ?? '' }),
    );
    room.on(RoomEvent.ParticipantDisconnected, (p: RemoteParticipant) =>
      this.emit('participantLeft', p.identity),
    );
    room.on(RoomEvent.TrackPublished, (pub: RemoteTrackPublication, p: RemoteParticipant) =>
      this.emit('trackPublished', trackInfo(pub, p)),
    );
    room.on(
      RoomEvent.TrackSubscribed,
      (track: RemoteTrack, pub: RemoteTrackPublication, p: RemoteParticipant) =>
        this.startTrack(track, trackInfo(pub, p)),
    );
    room.on(
      RoomEvent.TrackUnsubscribed,
      (_track: RemoteTrack, pub: RemoteTrackPublication, p: RemoteParticipant) => {
        const info = trackInfo(pub, p);
        // A VideoStream must be closed on unsubscribe or the FFI keeps its buffers alive
        // (livekit/node-sdks#444: recorders grew without bound).
        this.closeStream(info.sid);
        this.emit('trackEnded', info);
      },
    );
    room.on(RoomEvent.TrackMuted, (pub: TrackPublication, p: Participant) => {
      if (p.identity !== room.localParticipant?.identity)
        this.emit('trackMuted', trackInfo(pub, p), true);
    });
    room.on(RoomEvent.TrackUnmuted, (pub: TrackPublication, p: Participant) => {
      if (p.identity !== room.localParticipant?.identity)
        this.emit('trackMuted', trackInfo(pub, p), false);
    });
    room.on(RoomEvent.Reconnecting, () => this.emit('reconnecting'));
    room.on(RoomEvent.Reconnected, () => this.emit('reconnected'));
    room.on(RoomEvent.Disconnected, (reason) => {
      if (!this.closed) this.emit('disconnected', disconnectReasonName(reason));
    });
  }

  private startTrack(track: RemoteTrack, info: RemoteTrackInfo): void {
    if (this.closed || !info.sid) return;
    this.closeStream(info.sid);
    // Its delay is read soon and often for a while: its file may be waiting for it.
    this.statsFastUntil = this.now() + STARTUP_STATS_WINDOW_MS;
    this.scheduleStats?.(STARTUP_STATS_INTERVAL_MS);
    this.emit('trackStarted', info);
    if (info.kind === 'video') {
      const stream = new VideoStream(track);
      this.streams.set(info.sid, stream);
      void this.pumpVideo(info.sid, stream);
    } else {
      const stream = new AudioStream(track, {
        sampleRate: this.options.sampleRate ?? 48_000,
        numChannels: this.options.channels ?? 2,
      });
      this.streams.set(info.sid, stream);
      void this.pumpAudio(info.sid, stream);
    }
  }

  private pumpVideo(sid: string, stream: VideoStream): Promise<void> {
    const clock = new FrameClock({ knownOffsetMs: this.monotonicOffsetMs });
    return this.pump(sid, stream, (event) => {
      const at = clock.place(event.timestampUs, this.now());
      const frame =
        event.frame.type === VideoBufferType.I420
          ? event.frame
          : event.frame.convert(VideoBufferType.I420);
      this.emit(
        'videoFrame',
        sid,
        { width: frame.width, height: frame.height, data: frame.data },
        at,
      );
    });
  }

  /**
   * WebRTC hands audio over as its playout pulls it, a chunk (10 ms) at a time: the chunk's first
   * sample is the one being played out then, which its jitter-buffer delay is measured to, and
   * its last is played a chunk later. The timeline takes an arrival to be the last sample's:
   * taken at hand-over, all audio was placed a chunk early (6.5 ms before video here, with the
   * 3.5 ms this hand-over takes to reach JavaScript).
   */
  private pumpAudio(sid: string, stream: AudioStream): Promise<void> {
    return this.pump(sid, stream, (frame) =>
      this.emit('audioFrame', sid, frame, this.now() + (frame.samplesPerChannel * 1000) / frame.sampleRate),
    );
  }

  /** Reads a track's stream until it ends or is cancelled (closeStream). */
  private async pump<T>(
    sid: string,
    stream: ReadableStream<T>,
    onValue: (value: T) => void,
  ): Promise<void> {
    const reader = stream.getReader();
    this.readers.set(sid, reader);
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        onValue(value);
      }
    } catch {
      // The stream ends with an error when the track goes away mid-read; trackEnded says so.
    }
  }

  private closeStream(sid: string): void {
    const reader = this.readers.get(sid);
    this.readers.delete(sid);
    this.streams.delete(sid);
    // A track subscribed again starts its counters afresh.
    this.videoTracks.delete(sid);
    this.audioEstimators.delete(sid);
    this.delays.delete(sid);
    void reader?.cancel().catch(() => undefined);
  }

  /**
   * Reads inbound-rtp stats per track: for video how long before its stamp a frame's first
   * packet came (videoDelayMs); for audio the jitter-buffer delay (jitterBufferDelay /
   * jitterBufferEmittedCount over the interval), corrected after stalls by AudioDelayEstimator.
   * Arrival time minus this is when the media came, the same for audio and video sent together,
   * which is what keeps them in sync in the file.
   */
  private startStats(): void {
    const interval = this.statsIntervalMs;
    if (interval <= 0) return;
    const videoTracks = this.videoTracks;
    const audio = this.audioEstimators;
    const report = (sid: string, delay: TrackDelay) => {
      this.delays.set(sid, delay);
      const { delayMs, ...options } = delay;
      this.emit('trackDelay', sid, delayMs, options);
    };
    // The longest this process stood still between readings (a starved machine stops all of
    // it, WebRTC's threads too): what tells a stall's concealment from a network's.
    const loop = monitorEventLoopDelay({ resolution: 20 });
    loop.enable();
    this.loopMonitor = loop;
    // Whether an audio track was settling at the last read; when this process last stood still.
    let settling = false;
    let lastStallAt = -Infinity;
    const read = async () => {
      settling = false;
      if (this.closed) return;
      let stats: Awaited<ReturnType<Room['getRtcStats']>>;
      try {
        stats = await this.room.getRtcStats();
      } catch {
        return;
      }
      const now = this.now();
      const stalledMs = loop.max / 1e6;
      loop.reset();
      if (stalledMs >= STALLED_MS) {
        lastStallAt = now;
        // This reading may have come before WebRTC caught up with the stall (see
        // AudioDelayEstimator's stallSeen): the next one soon.
        this.statsFastUntil = Math.max(this.statsFastUntil, now + fastInterval);
      }
      for (const entry of stats.subscriberStats ?? []) {
        const stat = entry.stats;
        if (stat?.case !== 'inboundRtp') continue;
        const inbound = stat.value.inbound;
        const trackSid = this.trackSidForInbound(inbound?.trackIdentifier);
        if (!inbound || !trackSid) continue;
        if (stat.value.stream?.kind === 'audio') {
          let estimator = audio.get(trackSid);
          if (!estimator) audio.set(trackSid, (estimator = new AudioDelayEstimator()));
          const counters = {
            ...countersOf(inbound, AUDIO_COUNTERS),
            packetsReceived: Number(stat.value.received?.packetsReceived ?? 0),
          };
          const reading = estimator.update(counters, now, stalledMs);
          // Recovering from a stall, WebRTC takes the lag away fast (up to 420 ms a second after
          // a 1.5 s stop): read half a second apart, audio placed by the older reading came out
          // 80 ms early. The next reading comes soon.
          if (reading?.transient) this.statsFastUntil = Math.max(this.statsFastUntil, now + fastInterval);
          if (estimator.isSettling) settling = true;
          if (reading) report(trackSid, reading);
          continue;
        }
        let video = videoTracks.get(trackSid);
        if (!video) {
          video = { counters: countersOf({}, VIDEO_COUNTERS), delay: new DelaySmoother(), held: false };
          videoTracks.set(trackSid, video);
        }
        const counters: VideoDelayCounters = countersOf(inbound, VIDEO_COUNTERS);
        const previous = video.counters;
        const decoded = counters.framesDecoded - previous.framesDecoded;
        // While frames are held past their target the delay moves fast and is read as often as
        // audio's in a transient.
        const minFrames = video.held ? VIDEO_DELAY_MIN_FRAMES_HELD : VIDEO_DELAY_MIN_FRAMES;
        if (this.delays.has(trackSid) && decoded < minFrames) continue;
        video.counters = counters;
        // Frames that waited for this process (stopped: a starved machine) say nothing of the
        // network's delay: after a 1.5 s stop one reading said 84 ms against 25, and smoothed in,
        // it put video 16 ms early for seconds.
        if (this.delays.has(trackSid) && now - lastStallAt < STALL_BACKLOG_MS) continue;
        const delayMs = videoDelayMs(previous, counters);
        video.held = (videoHeldPastTargetMs(previous, counters) ?? 0) > VIDEO_HELD_MS;
        if (video.held) {
          this.statsFastUntil = Math.max(this.statsFastUntil, now + fastInterval);
          // It settles afresh once the frames are on target again: smoothed on from a delay
          // libwebrtc moved, video after a stall was placed 50 ms early for seconds.
          video.delay.restart();
        }
        if (delayMs !== null) report(trackSid, { delayMs: video.delay.next(delayMs, now, video.held), transient: false });
      }
    };
    const fastInterval = Math.min(interval, STARTUP_STATS_INTERVAL_MS);
    // One read at a time; the next is scheduled when it is done (or sooner by a track start).
    let reading = false;
    const tick = async () => {
      this.statsTimer = null;
      this.statsDueAt = Infinity;
      reading = true;
      try {
        await read();
      } finally {
        reading = false;
        schedule(
          settling
            ? Math.min(interval, SETTLING_STATS_INTERVAL_MS)
            : this.now() < this.statsFastUntil
              ? fastInterval
              : interval,
        );
      }
    };
    const schedule = (inMs: number) => {
      if (this.closed || reading || this.now() + inMs >= this.statsDueAt) return;
      if (this.statsTimer) clearTimeout(this.statsTimer);
      this.statsDueAt = this.now() + inMs;
      this.statsTimer = setTimeout(() => void tick(), inMs);
    };
    this.scheduleStats = schedule;
    // Tracks that started while connecting are in their fast window already.
    schedule(this.now() < this.statsFastUntil ? fastInterval : interval);
  }

  private trackSidForInbound(trackIdentifier: string | undefined): string | null {
    if (!trackIdentifier) return null;
    // rtc-node's remote track sid is the WebRTC track identifier (the publisher's TR_ sid).
    return this.streams.has(trackIdentifier) ? trackIdentifier : null;
  }
}

/** Frees rtc-node's native side; call once when the process is done with LiveKit. */
export async function disposeRtc(): Promise<void> {
  await dispose();
}

function trackInfo(pub: TrackPublication, participant: Participant): RemoteTrackInfo {
  return {
    sid: pub.sid ?? '',
    identity: participant.identity,
    name: participant.name ?? '',
    kind: pub.kind === TrackKind.KIND_VIDEO ? 'video' : 'audio',
    source: sourceName(pub.source),
  };
}

function sourceName(source: TrackSource | undefined): TrackSourceName {
  switch (source) {
    case TrackSource.SOURCE_CAMERA:
      return 'camera';
    case TrackSource.SOURCE_MICROPHONE:
      return 'microphone';
    case TrackSource.SOURCE_SCREENSHARE:
      return 'screen_share';
    case TrackSource.SOURCE_SCREENSHARE_AUDIO:
      return 'screen_share_audio';
    default:
      return 'unknown';
  }
}

function disconnectReasonName(reason: unknown): string {
  const names: Record<number, string> = {
    0: 'UNKNOWN_REASON',
    1: 'CLIENT_INITIATED',
    2: 'DUPLICATE_IDENTITY',
    3: 'SERVER_SHUTDOWN',
    4: 'PARTICIPANT_REMOVED',
    5: 'ROOM_DELETED',
    6: 'STATE_MISMATCH',
    7: 'JOIN_FAILURE',
  };
  return typeof reason === 'number' ? (names[reason] ?? `REASON_${reason}`) : String(reason);
}
