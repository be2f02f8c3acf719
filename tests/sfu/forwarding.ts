import { PictureLossIndication, RtcpPayloadSpecificFeedback, RtpHeader, RtpPacket } from 'werift';
import type { RTCRtpSender } from 'werift';
import { VideoQuality } from '@livekit/protocol';
import type { NetworkPath } from './network-path.js';

/** RTCP payload-specific feedback format of a Full Intra Request (RFC 5104); werift doesn't export the class. */
const FIR_FMT = 4;

type PacketListener = (packet: RtpPacket) => void;

/**
 * The RTP of one published track, reduced to a single stream (one simulcast layer), that
 * subscribers attach to. Fed by a publisher's werift receiver or by the replay publisher.
 */
export class TrackFeed {
  private readonly listeners = new Set<PacketListener>();
  /** Sequence numbers removed so far (dropped padding-only packets), so the forwarded stream has no holes. */
  private seqShift = 0;
  private lastKeyframeRequest = 0;
  packetsIn = 0;
  keyframesIn = 0;
  keyframeRequests = 0;

  constructor(
    readonly kind: 'audio' | 'video',
    private readonly sendKeyframeRequest: () => void,
  ) {}

  push(packet: RtpPacket): void {
    this.packetsIn++;
    // Padding-only packets (bandwidth probes) carry nothing a subscriber can decode.
    if (packet.header.padding && packet.payload.length === 0) {
      this.seqShift = (this.seqShift + 1) & 0xffff;
      return;
    }
    if (this.kind === 'video' && isVp8KeyframeStart(packet.payload)) this.keyframesIn++;
    const header = packet.header;
    const out = new RtpPacket(
      new RtpHeader({
        marker: header.marker,
        payloadType: header.payloadType,
        sequenceNumber: (header.sequenceNumber - this.seqShift) & 0xffff,
        timestamp: header.timestamp,
        ssrc: header.ssrc,
      }),
      packet.payload,
    );
    for (const listener of this.listeners) listener(out);
  }

  /** Whether anyone takes its packets (a publisher may skip sending a layer nobody takes). */
  get hasListeners(): boolean {
    return this.listeners.size > 0;
  }

  /** Returns an unsubscribe function. */
  subscribe(listener: PacketListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Asks the publisher for a keyframe; coalesces bursts (every subscriber PLI) into one request per 100 ms. */
  requestKeyframe(): void {
    if (this.kind !== 'video') return;
    const now = Date.now();
    if (now - this.lastKeyframeRequest < 100) return;
    this.lastKeyframeRequest = now;
    this.keyframeRequests++;
    this.sendKeyframeRequest();
  }

  close(): void {
    this.listeners.clear();
  }
}

/** One simulcast layer of a published video track (a single-layer track has one). */
export interface TrackLayer {
  readonly quality: VideoQuality;
  readonly width: number;
  readonly height: number;
  readonly feed: TrackFeed;
}

/** What a subscriber asked for a track (UpdateTrackSettings). */
export interface DownTrackSettings {
  disabled?: boolean;
  quality?: VideoQuality;
  width?: number;
  height?: number;
}

/**
 * The layer a LiveKit SFU sends for a subscriber's settings: with dimensions (adaptiveStream
 * sends its element's size), the smallest layer covering them, else the largest; otherwise the
 * best layer at or below the quality asked (HIGH by default).
 */
export function selectLayer(layers: readonly TrackLayer[], settings: DownTrackSettings): TrackLayer {
  const sorted = [...layers].sort((a, b) => a.width * a.height - b.width * b.height);
  const top = sorted.at(-1)!;
  const width = settings.width ?? 0;
  const height = settings.height ?? 0;
  if (width > 0 || height > 0) return sorted.find((l) => l.width >= width && l.height >= height) ?? top;
  const quality = settings.quality ?? VideoQuality.HIGH;
  return [...sorted].reverse().find((l) => l.quality <= quality) ?? sorted[0]!;
}

/**
 * Forwards a track into one subscriber's sender: one of its layers, the one its settings ask
 * for, switching layers at a keyframe of the new one (asked for at once) and pausing while the
 * subscriber disables the track (adaptiveStream does for a hidden element). The forwarded
 * stream keeps one run of sequence numbers across switches; layers share RTP timestamps (the
 * replay publisher's do). Each packet is a fresh copy without header extensions: werift's
 * sendRtp mutates the packet it is given and would carry over the publisher's extension ids,
 * which mean something else on the subscriber's connection. With a `path`, packets go through
 * it (a simulated network) on their way to the sender.
 */
export class DownTrackForwarder {
  /** The layer forwarded now; null before the first and while disabled. */
  private current: LayerSubscription | null = null;
  /** The layer being switched to, forwarded from its first keyframe on. */
  private next: LayerSubscription | null = null;
  private settings: DownTrackSettings = {};
  /** Added to the forwarded layer's sequence numbers to keep one run across switches. */
  private seqOffset = 0;
  private lastSeq: number | null = null;
  private readonly stopRtcp: () => void;

  constructor(
    private readonly layers: readonly TrackLayer[],
    private readonly sender: RTCRtpSender,
    private readonly path: NetworkPath | null = null,
  ) {
    this.update({});
    // Relay the subscriber's PLI/FIR so a late joiner or a decoder that lost a frame gets a keyframe.
    const rtcp = sender.onRtcp.subscribe((packet) => {
      if (packet.type !== RtcpPayloadSpecificFeedback.type) return;
      const count = (packet as RtcpPayloadSpecificFeedback).feedback.count;
      if (count === PictureLossIndication.count || count === FIR_FMT) this.requestKeyframe();
    });
    this.stopRtcp = () => rtcp.unSubscribe();
  }

  /** The layer forwarded now; null before the first packet of a switch and while disabled. */
  get layer(): TrackLayer | null {
    return this.current?.layer ?? null;
  }

  update(settings: DownTrackSettings): void {
    this.settings = { ...this.settings, ...settings };
    if (this.settings.disabled) {
      this.current?.stop();
      this.next?.stop();
      this.current = this.next = null;
      return;
    }
    const wanted = selectLayer(this.layers, this.settings);
    if (this.next?.layer === wanted) return;
    this.next?.stop();
    this.next = null;
    if (this.current?.layer === wanted) return;
    const subscription = this.subscribe(wanted);
    if (this.current || this.lastSeq !== null || this.layers.length > 1) {
      // A new layer, or resuming: start at a keyframe (a decoder can't take it mid-stream).
      this.next = subscription;
      wanted.feed.requestKeyframe();
    } else {
      this.current = subscription;
    }
  }

  requestKeyframe(): void {
    (this.next ?? this.current)?.layer.feed.requestKeyframe();
  }

  stop(): void {
    this.current?.stop();
    this.next?.stop();
    this.current = this.next = null;
    this.stopRtcp();
  }

  private subscribe(layer: TrackLayer): LayerSubscription {
    const subscription: LayerSubscription = { layer, stop: () => {} };
    subscription.stop = layer.feed.subscribe((packet) => this.onPacket(subscription, packet));
    return subscription;
  }

  private onPacket(from: LayerSubscription, packet: RtpPacket): void {
    if (from !== this.current) {
      if (from !== this.next) return;
      if (from.layer.feed.kind === 'video' && !isVp8KeyframeStart(packet.payload)) return;
      // The new layer's keyframe: switch, continuing the sequence right after the last packet sent.
      this.current?.stop();
      this.current = from;
      this.next = null;
      this.seqOffset = this.lastSeq === null ? 0 : (this.lastSeq + 1 - packet.header.sequenceNumber) & 0xffff;
    }
    this.send(packet);
  }

  private send(packet: RtpPacket): void {
    const sequenceNumber = (packet.header.sequenceNumber + this.seqOffset) & 0xffff;
    this.lastSeq = sequenceNumber;
    const copy = new RtpPacket(
      new RtpHeader({
        marker: packet.header.marker,
        payloadType: packet.header.payloadType,
        sequenceNumber,
        timestamp: packet.header.timestamp,
        ssrc: packet.header.ssrc,
      }),
      packet.payload,
    );
    // A closing transport rejects; nothing to do.
    const send = () => void this.sender.sendRtp(copy).catch(() => undefined);
    if (this.path) this.path.send(send, () => this.sendToCacheOnly(copy));
    else send();
  }

  /**
   * A packet lost on the wire: the sender numbers and keeps it (for a NACK's retransmission) but
   * doesn't send it. werift's sendRtp does both in one synchronous run up to its transport's
   * sendRtp, which is muted for that run.
   */
  private sendToCacheOnly(packet: RtpPacket): void {
    const transport = this.sender.dtlsTransport as unknown as { sendRtp: (...args: unknown[]) => Promise<number> };
    transport.sendRtp = async () => 0;
    try {
      void this.sender.sendRtp(packet).catch(() => undefined);
    } finally {
      delete (transport as Partial<typeof transport>).sendRtp;
    }
  }
}

interface LayerSubscription {
  readonly layer: TrackLayer;
  stop: () => void;
}

/** Whether an RTP payload starts a VP8 keyframe (RFC 7741 payload descriptor, then the P bit). */
export function isVp8KeyframeStart(payload: Buffer): boolean {
  if (payload.length < 1) return false;
  const b0 = payload[0]!;
  const start = (b0 & 0x10) !== 0 && (b0 & 0x07) === 0;
  if (!start) return false;
  let offset = 1;
  if (b0 & 0x80) {
    const ext = payload[offset++]!;
    if (ext & 0x80) offset += payload[offset]! & 0x80 ? 2 : 1; // picture id
    if (ext & 0x40) offset += 1; // TL0PICIDX
    if (ext & 0x30) offset += 1; // TID / KEYIDX
  }
  return isVp8Keyframe(payload.subarray(offset));
}

/** Whether a VP8 frame is a keyframe: the inverse key-frame flag is its first byte's lowest bit (RFC 6386, 9.1). */
export function isVp8Keyframe(frame: Buffer): boolean {
  return frame.length > 0 && (frame[0]! & 0x01) === 0;
}
