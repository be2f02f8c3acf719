import { PictureLossIndication, RtcpPayloadSpecificFeedback, RtpHeader, RtpPacket } from 'werift';
import type { RTCRtpSender } from 'werift';

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

/**
 * Forwards a feed into one subscriber's sender. Each packet is a fresh copy without header
 * extensions: werift's sendRtp mutates the packet it is given and would carry over the
 * publisher's extension ids, which mean something else on the subscriber's connection.
 */
export function forwardFeed(feed: TrackFeed, sender: RTCRtpSender): () => void {
  const stopPackets = feed.subscribe((packet) => {
    const copy = new RtpPacket(
      new RtpHeader({
        marker: packet.header.marker,
        payloadType: packet.header.payloadType,
        sequenceNumber: packet.header.sequenceNumber,
        timestamp: packet.header.timestamp,
        ssrc: packet.header.ssrc,
      }),
      packet.payload,
    );
    sender.sendRtp(copy).catch(() => undefined); // a closing transport rejects; nothing to do
  });
  // Relay the subscriber's PLI/FIR so a late joiner or a decoder that lost a frame gets a keyframe.
  const rtcp = sender.onRtcp.subscribe((packet) => {
    if (packet.type !== RtcpPayloadSpecificFeedback.type) return;
    const count = (packet as RtcpPayloadSpecificFeedback).feedback.count;
    if (count === PictureLossIndication.count || count === FIR_FMT) {
      feed.requestKeyframe();
    }
  });
  return () => {
    stopPackets();
    rtcp.unSubscribe();
  };
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
