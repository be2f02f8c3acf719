/**
 * A synthetic @livekit/rtc-node publisher, meant to run in its own process (so a busy test
 * process can't starve its pacing):
 *
 *   npx tsx tests/sfu/publisher.ts --url ws://10.77.0.1:7880 --api-key devkey --api-secret ... \
 *     --room demo --identity alice [--kind camera|audio|screen] [--width 1280 --height 720 --fps 30] \
 *     [--duration 10] [--mute-at 4 --unmute-at 6] [--resize-at 5:640x360] [--unpublish-at 8]
 *
 * Camera and mic carry the sync markers of sync-pattern.ts. Audio is the master clock:
 * AudioSource.captureFrame resolves only when its queue has room, which paces the loop at real
 * time; video frame n is captured once n/fps seconds of audio (less the queue) have been written.
 * A loop sleeping on the wall clock instead falls behind when starved and never catches up.
 *
 * stdout carries one JSON object per line: {"event":"ready",...}, {"event":"muted"|"unmuted"|
 * "resized",...}, {"event":"stats",...} every second and {"event":"stopped",...} at the end.
 */
import { parseArgs } from 'node:util';
import { VideoEncoding } from '@livekit/rtc-ffi-bindings';
import {
  AudioFrame,
  AudioSource,
  LocalAudioTrack,
  LocalVideoTrack,
  Room,
  RoomEvent,
  TrackPublishOptions,
  TrackSource,
  VideoBufferType,
  VideoFrame,
  VideoSource,
  dispose,
} from '@livekit/rtc-node';
import type { LocalTrack, LocalTrackPublication } from '@livekit/rtc-node';
import { AccessToken } from 'livekit-server-sdk';
import { AUDIO_FRAME_SAMPLES, FramePainter, SAMPLE_RATE, audioSample } from './sync-pattern.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    token: { type: 'string' },
    'api-key': { type: 'string' },
    'api-secret': { type: 'string' },
    room: { type: 'string', default: 'demo' },
    identity: { type: 'string', default: 'publisher' },
    name: { type: 'string' },
    kind: { type: 'string', default: 'camera' },
    width: { type: 'string', default: '1280' },
    height: { type: 'string', default: '720' },
    fps: { type: 'string', default: '30' },
    duration: { type: 'string' },
    'mute-at': { type: 'string' },
    'unmute-at': { type: 'string' },
    'resize-at': { type: 'string' },
    'unpublish-at': { type: 'string' },
    'watch-parent': { type: 'boolean', default: false },
  },
});

function emit(event: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ event, ...fields })}\n`);
}

const kind = values.kind as 'camera' | 'audio' | 'screen';
if (!['camera', 'audio', 'screen'].includes(kind))
  throw new Error(`--kind ${kind}: use camera, audio or screen`);
if (!values.url) throw new Error('--url is required');
const fps = Number(values.fps);
let width = Number(values.width);
let height = Number(values.height);
const durationS = values.duration ? Number(values.duration) : Infinity;
const muteAtS = values['mute-at'] ? Number(values['mute-at']) : undefined;
const unmuteAtS = values['unmute-at'] ? Number(values['unmute-at']) : undefined;
const unpublishAtS = values['unpublish-at'] ? Number(values['unpublish-at']) : undefined;
let unpublished = false;
const resize = values['resize-at']?.match(/^([\d.]+):(\d+)x(\d+)$/);
if (values['resize-at'] && !resize) throw new Error('--resize-at wants t:WxH, e.g. 5:640x360');

async function tokenFor(): Promise<string> {
  if (values.token) return values.token;
  if (!values['api-key'] || !values['api-secret'])
    throw new Error('--token or --api-key/--api-secret');
  const at = new AccessToken(values['api-key'], values['api-secret'], {
    identity: values.identity,
    name: values.name ?? values.identity,
  });
  at.addGrant({ roomJoin: true, room: values.room, canPublish: true, canSubscribe: false });
  return at.toJwt();
}

/**
 * rtc-node 1.1 has no LocalTrack.mute(); the FFI underneath does (LocalTrackMuteRequest), and
 * the client singleton lives on globalThis (see rtc-node's ffi_client).
 */
function setMuted(track: LocalTrack, mute: boolean): void {
  const ffi = (globalThis as { _ffiClientInstance?: { request(req: unknown): unknown } })
    ._ffiClientInstance;
  if (!ffi) throw new Error('rtc-node FFI client not initialised');
  ffi.request({
    message: { case: 'localTrackMute', value: { trackHandle: track.ffi_handle.handle, mute } },
  });
}

const room = new Room();
let stopping = false;
room.on(RoomEvent.Disconnected, (reason) => {
  // Removed from the room, room deleted, server gone: nothing left to publish to.
  emit('disconnected', { reason });
  stopping = true;
});
await room.connect(values.url, await tokenFor(), { autoSubscribe: false, dynacast: false });

const queueMs = 100;
const audioSource = kind === 'screen' ? undefined : new AudioSource(SAMPLE_RATE, 1, queueMs);
const videoSource = kind === 'audio' ? undefined : new VideoSource(width, height);
const tracks: LocalTrack[] = [];
const publications: LocalTrackPublication[] = [];

if (videoSource) {
  const track = LocalVideoTrack.createVideoTrack(
    kind === 'screen' ? 'screen' : 'camera',
    videoSource,
  );
  tracks.push(track);
  // The default encoding for this size caps 360p at 20 fps; ask for the real rate, one layer.
  const maxBitrate = BigInt(Math.round(Math.max(300_000, width * height * fps * 0.09)));
  publications.push(
    await room.localParticipant!.publishTrack(
      track,
      new TrackPublishOptions({
        source: kind === 'screen' ? TrackSource.SOURCE_SCREENSHARE : TrackSource.SOURCE_CAMERA,
        simulcast: false,
        videoEncoding: new VideoEncoding({ maxFramerate: fps, maxBitrate }),
      }),
    ),
  );
}
if (audioSource) {
  const track = LocalAudioTrack.createAudioTrack('microphone', audioSource);
  tracks.push(track);
  publications.push(
    await room.localParticipant!.publishTrack(
      track,
      new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE, dtx: false, red: false }),
    ),
  );
}
emit('ready', {
  identity: values.identity,
  participantSid: room.localParticipant!.sid,
  tracks: publications.map((p) => ({ sid: p.sid, name: p.name, kind: p.kind })),
  width,
  height,
  fps,
});

let videoFrames = 0;
let samplesWritten = 0;
let painter = videoSource ? new FramePainter(width, height) : undefined;
let muted = false;
const started = performance.now();

function stop(): void {
  stopping = true;
}
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
// Spawned by a test or the demo: if that process dies without stopping us, we are reparented.
if (values['watch-parent']) {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) stop();
  }, 1000).unref();
}

/** Mute/unmute/resize at their scheduled media time. */
function runSchedule(mediaS: number): void {
  if (
    muteAtS !== undefined &&
    !muted &&
    mediaS >= muteAtS &&
    (unmuteAtS === undefined || mediaS < unmuteAtS)
  ) {
    muted = true;
    for (const t of tracks) setMuted(t, true);
    emit('muted', { at: mediaS });
  }
  if (unmuteAtS !== undefined && muted && mediaS >= unmuteAtS) {
    muted = false;
    for (const t of tracks) setMuted(t, false);
    emit('unmuted', { at: mediaS });
  }
  if (resize && painter && mediaS >= Number(resize[1]) && painter.width !== Number(resize[2])) {
    width = Number(resize[2]);
    height = Number(resize[3]);
    painter = new FramePainter(width, height);
    emit('resized', { at: mediaS, width, height });
  }
}

async function maybeUnpublish(mediaS: number): Promise<void> {
  if (unpublishAtS === undefined || unpublished || mediaS < unpublishAtS) return;
  unpublished = true;
  for (const p of publications) await room.localParticipant!.unpublishTrack(p.sid!);
  emit('unpublished', { at: mediaS });
}

function captureVideoUpTo(mediaS: number): void {
  if (!videoSource || !painter) return;
  while (videoFrames / fps <= mediaS) {
    const data = painter.paint(videoFrames, fps);
    const frame = new VideoFrame(data, width, height, VideoBufferType.I420);
    videoSource.captureFrame(frame, BigInt(Math.round((videoFrames / fps) * 1e6)));
    videoFrames++;
  }
}

/** The video sender's own view (WebRTC outbound-rtp): what it encoded and sent, and why not more. */
async function senderStats(): Promise<Record<string, unknown> | undefined> {
  if (!videoSource) return undefined;
  const stats = await room.getRtcStats().catch(() => undefined);
  let video: Record<string, unknown> | undefined;
  const extra: Record<string, unknown> = {};
  let packetsSent = 0;
  for (const { stats: stat } of stats?.publisherStats ?? []) {
    if (stat?.case === 'outboundRtp') {
      packetsSent += Number(stat.value.sent?.packetsSent ?? 0);
      if (stat.value.stream?.kind !== 'video') continue;
      const out = stat.value.outbound;
      video = {
        framesEncoded: out?.framesEncoded,
        framesSent: out?.framesSent,
        hugeFramesSent: out?.hugeFramesSent,
        fps: out?.framesPerSecond,
        width: out?.frameWidth,
        targetBitrate: out?.targetBitrate,
        limitation: out?.qualityLimitationReason,
        nacks: out?.nackCount,
        plis: out?.pliCount,
        retransmitted: Number(out?.retransmittedPacketsSent ?? 0),
      };
    } else if (stat?.case === 'remoteInboundRtp' && stat.value.stream?.kind === 'video') {
      extra.fractionLost = stat.value.remoteInbound?.fractionLost;
      extra.lost = Number(stat.value.received?.packetsLost ?? 0);
      extra.rtt = stat.value.remoteInbound?.roundTripTime;
    } else if (stat?.case === 'candidatePair' && stat.value.candidatePair?.availableOutgoingBitrate) {
      extra.available = stat.value.candidatePair.availableOutgoingBitrate;
    }
  }
  return video && { ...video, ...extra, packetsSent };
}

const statsTimer = setInterval(
  () =>
    void senderStats().then((sender) =>
      emit('stats', { videoFrames, audioMs: (samplesWritten / SAMPLE_RATE) * 1000, sender }),
    ),
  1000,
);
const samples = new Int16Array(AUDIO_FRAME_SAMPLES);
while (!stopping) {
  let mediaS: number;
  if (audioSource) {
    for (let i = 0; i < samples.length; i++) samples[i] = audioSample(samplesWritten + i);
    await audioSource.captureFrame(new AudioFrame(samples, SAMPLE_RATE, 1, samples.length));
    samplesWritten += samples.length;
    mediaS = samplesWritten / SAMPLE_RATE - queueMs / 1000;
  } else {
    // Screen share without audio: pace on the clock, against an absolute schedule.
    const next = started + ((videoFrames + 1) / fps) * 1000;
    await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
    mediaS = (performance.now() - started) / 1000;
  }
  runSchedule(mediaS);
  await maybeUnpublish(mediaS);
  captureVideoUpTo(mediaS);
  if (mediaS >= durationS) stopping = true;
}

clearInterval(statsTimer);
emit('stopped', { videoFrames, audioMs: (samplesWritten / SAMPLE_RATE) * 1000 });
await room.disconnect();
await dispose();
process.exit(0);
