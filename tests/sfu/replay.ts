/**
 * A publisher inside the server that costs no encoding: a clip is encoded once by ffmpeg
 * (VP8 in IVF, Opus in Ogg), parsed, and its frames packetized into RTP and pushed into the
 * room at real time, looping, as if a participant had published them. Benchmarks use it to put
 * N streams in a room on a small machine.
 *
 * Like a live encoder it answers a keyframe request (a subscriber's PLI) at once: the clip is
 * also encoded as keyframes only, and from a request until the clip's next own keyframe each
 * frame is sent in that form. The picture sequence and timing stay exactly the same.
 */
import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TrackInfo, TrackSource, TrackType, VideoLayer, VideoQuality } from '@livekit/protocol';
import { RtpHeader, RtpPacket } from 'werift';
import { TrackFeed, isVp8Keyframe } from './forwarding.js';
import type { RoomRegistry } from './registry.js';
import { Participant, PublishedTrack, newSid } from './room.js';
import { BEEP_HZ, BEEP_MS, SYNC_PERIOD_S } from './sync-pattern.js';

const run = promisify(execFile);
const FFMPEG = process.env.HAVEN_FFMPEG ?? 'ffmpeg';
/** RTP payload budget per packet, well under a 1500-byte MTU after headers and SRTP. */
const MAX_PAYLOAD = 1100;

export interface ReplayOptions {
  room: string;
  identity: string;
  width?: number;
  height?: number;
  fps?: number;
  /** Length of the encoded clip, which then loops; default 10 s. */
  seconds?: number;
  /** Publish audio too (default true). */
  audio?: boolean;
  /**
   * Sync markers as tests/sfu/sync-pattern.ts defines them: every SYNC_PERIOD_S the picture is
   * white and the sound a BEEP_HZ beep for BEEP_MS, quiet hum in between (default false: a
   * plain 440 Hz tone). Keep `seconds` a multiple of SYNC_PERIOD_S so the loop keeps the period.
   */
  markers?: boolean;
  /**
   * Where in the clip replay begins, in seconds (default 0, a marker): e.g. 1.5 puts the first
   * marker half a second after the participant joins, so a recording that starts with it has
   * one near its very start.
   */
  clipStartS?: number;
  /**
   * Publish simulcast, as livekit-client does a camera by default: the clip at full, half and
   * quarter size (rid f, h, q), each subscriber getting the layer its settings ask for
   * (adaptiveStream: its element's size). Default false: one layer.
   */
  simulcast?: boolean;
}

export interface ReplayParticipant {
  identity: string;
  participantSid: string;
  videoTrackSid: string;
  audioTrackSid: string | undefined;
  /** The encoded clip being replayed (VP8 in IVF, Opus in Ogg), e.g. for a benchmark's floor. */
  files: { video: string; audio: string };
  stop(): void;
}

interface Clip {
  fps: number;
  width: number;
  height: number;
  /** VP8 frames in decode order. */
  video: Buffer[];
  /** The same frames, each encoded as a keyframe. */
  keyframes: Buffer[];
  /** Opus packets, 20 ms each. */
  audio: Buffer[];
  /**
   * The Opus encoder's delay (OpusHead's pre-skip, 6.5 ms from libopus): decoded from the first
   * packet, as an RTP receiver does, the clip's audio comes this much late. Its packets are sent
   * this much early, so audio and video leave in sync.
   */
  audioLeadMs: number;
  files: { video: string; audio: string };
}

/** Encoded clips by their parameters, so N replay participants share one ffmpeg run. */
export class ReplayLibrary {
  private readonly clips = new Map<string, Promise<Clip>>();
  private dir: Promise<string> | undefined;

  get(width: number, height: number, fps: number, seconds: number, markers = false): Promise<Clip> {
    const key = `${width}x${height}@${fps}/${seconds}${markers ? '/markers' : ''}`;
    let clip = this.clips.get(key);
    if (!clip) {
      this.dir ??= mkdtemp(join(tmpdir(), 'haven-replay-'));
      clip = this.dir.then((dir) =>
        encodeClip(dir, key.replace(/[^\w]/g, '_'), width, height, fps, seconds, markers),
      );
      this.clips.set(key, clip);
    }
    return clip;
  }

  async dispose(): Promise<void> {
    if (this.dir) await rm(await this.dir, { recursive: true, force: true });
  }
}

async function encodeClip(
  dir: string,
  name: string,
  width: number,
  height: number,
  fps: number,
  seconds: number,
  markers: boolean,
): Promise<Clip> {
  const ivf = join(dir, `${name}.ivf`);
  const intraIvf = join(dir, `${name}-keyframes.ivf`);
  const ogg = join(dir, `${name}.ogg`);
  const vp8 = (keyframeInterval: number, file: string) => [
    '-map',
    '0:v',
    '-c:v',
    'libvpx',
    '-deadline',
    'realtime',
    '-cpu-used',
    '8',
    '-b:v',
    `${Math.round(Math.max(200, (width * height * fps * 0.07) / 1000))}k`,
    '-g',
    String(keyframeInterval),
    '-auto-alt-ref',
    '0',
    '-f',
    'ivf',
    file,
  ];
  // A keyframe every second, so each loop of the clip starts decodable; the keyframes-only copy
  // answers requests in between.
  await run(FFMPEG, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${width}x${height}:rate=${fps}:duration=${seconds}` +
      (markers
        ? `,drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='lt(mod(t,${SYNC_PERIOD_S}),${BEEP_MS / 1000})'`
        : ''),
    '-f',
    'lavfi',
    '-i',
    markers
      ? `aevalsrc=exprs='if(lt(mod(t,${SYNC_PERIOD_S}),${BEEP_MS / 1000}),0.5*sin(2*PI*${BEEP_HZ}*t),0.01*sin(2*PI*220*t))':s=48000:d=${seconds}`
      : `sine=frequency=440:sample_rate=48000:duration=${seconds}`,
    ...vp8(fps, ivf),
    ...vp8(1, intraIvf),
    '-map',
    '1:a',
    '-c:a',
    'libopus',
    '-b:a',
    '48k',
    '-frame_duration',
    '20',
    '-ac',
    '1',
    '-f',
    'ogg',
    ogg,
  ]);
  const opus = parseOggOpus(await readFile(ogg));
  return {
    fps,
    width,
    height,
    video: parseIvf(await readFile(ivf)),
    keyframes: parseIvf(await readFile(intraIvf)),
    // Exactly `seconds` of 20 ms packets: the encoder's priming makes one packet more, and
    // every loop would then put audio 20 ms further behind video.
    audio: opus.packets.slice(0, Math.round(seconds * 50)),
    audioLeadMs: opus.preSkip / 48,
    files: { video: ivf, audio: ogg },
  };
}

/** Rounded down to even, as video sizes must be for 4:2:0. */
function even(n: number): number {
  return Math.max(2, Math.floor(n / 2) * 2);
}

/** IVF: a 32-byte file header, then per frame a 12-byte header (size, pts) and the frame. */
function parseIvf(data: Buffer): Buffer[] {
  const frames: Buffer[] = [];
  let offset = data.readUInt16LE(6); // header length
  while (offset + 12 <= data.length) {
    const size = data.readUInt32LE(offset);
    offset += 12;
    frames.push(data.subarray(offset, offset + size));
    offset += size;
  }
  return frames;
}

/**
 * Ogg pages -> packets (lacing values of 255 continue a packet), without OpusHead and OpusTags;
 * and OpusHead's pre-skip (48 kHz samples the decoder's first output is late by).
 */
function parseOggOpus(data: Buffer): { packets: Buffer[]; preSkip: number } {
  const packets: Buffer[] = [];
  let pending: Buffer[] = [];
  let offset = 0;
  while (offset + 27 <= data.length && data.toString('latin1', offset, offset + 4) === 'OggS') {
    const segments = data[offset + 26]!;
    const table = data.subarray(offset + 27, offset + 27 + segments);
    let body = offset + 27 + segments;
    for (const lace of table) {
      pending.push(data.subarray(body, body + lace));
      body += lace;
      if (lace < 255) {
        packets.push(Buffer.concat(pending));
        pending = [];
      }
    }
    offset = body;
  }
  const head = packets.find((p) => p.toString('latin1', 0, 8) === 'OpusHead');
  if (!head) throw new Error('the encoded clip has no OpusHead');
  return {
    packets: packets.filter((p) => !p.toString('latin1', 0, 8).startsWith('Opus')),
    preSkip: head.readUInt16LE(10),
  };
}

/** RFC 7741 packetization with a 15-bit picture id, so decoders can tell frames apart. */
function packetizeVp8(frame: Buffer, pictureId: number): Buffer[] {
  const out: Buffer[] = [];
  for (let pos = 0, first = true; pos < frame.length; first = false) {
    const chunk = frame.subarray(pos, pos + MAX_PAYLOAD);
    pos += chunk.length;
    const descriptor = Buffer.from([
      0x80 | (first ? 0x10 : 0), // X, S
      0x80, // I: picture id present
      0x80 | ((pictureId >> 8) & 0x7f), // M: 15-bit picture id
      pictureId & 0xff,
    ]);
    out.push(Buffer.concat([descriptor, chunk]));
  }
  return out;
}

export async function startReplayParticipant(
  rooms: RoomRegistry,
  library: ReplayLibrary,
  options: ReplayOptions,
): Promise<ReplayParticipant> {
  const width = options.width ?? 640;
  const height = options.height ?? 360;
  const fps = options.fps ?? 30;
  const clip = await library.get(width, height, fps, options.seconds ?? 10, options.markers);
  const room = rooms.getOrCreate(options.room);
  const participant = new Participant(options.identity, options.identity, {
    roomJoin: true,
    room: options.room,
    canPublish: true,
    canSubscribe: false,
  });
  room.join(participant);

  // Smallest first. Each layer answers a keyframe request with its keyframes-only copy from
  // the request until its clip's next own keyframe.
  const sizes: [number, number, VideoQuality][] = options.simulcast
    ? [
        [even(width / 4), even(height / 4), VideoQuality.LOW],
        [even(width / 2), even(height / 2), VideoQuality.MEDIUM],
        [width, height, VideoQuality.HIGH],
      ]
    : [[width, height, VideoQuality.HIGH]];
  const layers = await Promise.all(
    sizes.map(async ([w, h, quality]) => {
      const layerClip = w === width && h === height ? clip : await library.get(w, h, fps, options.seconds ?? 10, options.markers);
      const layer = {
        quality,
        width: w,
        height: h,
        clip: layerClip,
        sendKeyframes: false,
        ssrc: randomInt(1, 2 ** 31),
        seq: randomInt(0, 65536),
        feed: new TrackFeed('video', () => {
          layer.sendKeyframes = true;
        }),
      };
      return layer;
    }),
  );
  const videoFeed = layers.at(-1)!.feed;
  const videoInfo = new TrackInfo({
    sid: newSid('TR_'),
    type: TrackType.VIDEO,
    source: TrackSource.CAMERA,
    name: 'replay-camera',
    width,
    height,
    mimeType: 'video/VP8',
    simulcast: layers.length > 1,
    layers: layers.map((l) => new VideoLayer({ quality: l.quality, width: l.width, height: l.height })),
  });
  room.publish(participant, new PublishedTrack(videoInfo, videoFeed, undefined, layers));
  let audioFeed: TrackFeed | undefined;
  let audioInfo: TrackInfo | undefined;
  if (options.audio !== false && clip.audio.length > 0) {
    audioFeed = new TrackFeed('audio', () => {});
    audioInfo = new TrackInfo({
      sid: newSid('TR_'),
      type: TrackType.AUDIO,
      source: TrackSource.MICROPHONE,
      name: 'replay-microphone',
      mimeType: 'audio/opus',
    });
    room.publish(participant, new PublishedTrack(audioInfo, audioFeed));
  }

  const clipStartS = options.clipStartS ?? 0;
  // One timestamp and picture id for all layers, as a simulcast encoder sends them.
  const video = {
    ts: randomInt(0, 2 ** 31),
    sent: Math.round(clipStartS * fps),
  };
  const audio = {
    ssrc: randomInt(1, 2 ** 31),
    seq: randomInt(0, 65536),
    ts: randomInt(0, 2 ** 31),
    sent: Math.round(clipStartS * 50),
  };
  const started = performance.now() - clipStartS * 1000;
  const sendDue = () => {
    const elapsedS = (performance.now() - started) / 1000;
    // Bounded catch-up: after a stall, skip ahead rather than bursting seconds of media.
    if (elapsedS * fps - video.sent > fps) video.sent = Math.floor(elapsedS * fps);
    while (video.sent <= elapsedS * fps) {
      const index = video.sent % clip.video.length;
      // Muted, a client sends nothing; its stream resumes with the next sequence number and a
      // timestamp as far on as the time muted (as a LiveKit SFU forwards it too).
      if (videoInfo.muted) {
        video.sent++;
        continue;
      }
      for (const layer of layers) {
        // Nobody takes it: not even packetized (a new subscriber asks for a keyframe).
        if (!layer.feed.hasListeners) continue;
        if (layer.sendKeyframes && isVp8Keyframe(layer.clip.video[index]!)) layer.sendKeyframes = false;
        const frame = (layer.sendKeyframes ? layer.clip.keyframes : layer.clip.video)[index]!;
        const packets = packetizeVp8(frame, video.sent & 0x7fff);
        packets.forEach((payload, i) => {
          layer.feed.push(
            new RtpPacket(
              new RtpHeader({
                payloadType: 96,
                marker: i === packets.length - 1,
                sequenceNumber: layer.seq++ & 0xffff,
                timestamp: (video.ts + Math.round((video.sent * 90000) / fps)) >>> 0,
                ssrc: layer.ssrc,
              }),
              payload,
            ),
          );
        });
      }
      video.sent++;
    }
    if (audioFeed) {
      const audioS = elapsedS + clip.audioLeadMs / 1000;
      if (audioS * 50 - audio.sent > 50) audio.sent = Math.floor(audioS * 50);
      while (audio.sent <= audioS * 50) {
        if (audioInfo!.muted) {
          audio.sent++;
          continue;
        }
        audioFeed.push(
          new RtpPacket(
            new RtpHeader({
              payloadType: 111,
              sequenceNumber: audio.seq++ & 0xffff,
              timestamp: (audio.ts + audio.sent * 960) >>> 0,
              ssrc: audio.ssrc,
            }),
            clip.audio[audio.sent % clip.audio.length]!,
          ),
        );
        audio.sent++;
      }
    }
  };
  const timer = setInterval(sendDue, 10);
  timer.unref();
  return {
    identity: options.identity,
    participantSid: participant.sid,
    videoTrackSid: videoInfo.sid,
    audioTrackSid: audioInfo?.sid,
    files: clip.files,
    stop() {
      clearInterval(timer);
      room.leave(participant);
    },
  };
}
