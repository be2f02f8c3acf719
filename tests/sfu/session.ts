import {
  type DisconnectReason,
  LeaveRequest,
  LeaveRequest_Action,
  ParticipantUpdate,
  Pong,
  RequestResponse,
  RequestResponse_Reason,
  SessionDescription,
  SignalRequest,
  SignalResponse,
  SignalTarget,
  TrackInfo,
  TrackPublishedResponse,
  TrackSource,
  TrackType,
  type TrickleRequest,
  VideoQuality,
} from '@livekit/protocol';
import type { AddTrackRequest, VideoLayer } from '@livekit/protocol';
import type { MediaStreamTrack, RTCPeerConnection, RTCRtpTransceiver } from 'werift';
import type { WebSocket } from 'ws';
import { DownTrackForwarder, TrackFeed } from './forwarding.js';
import {
  createPublisherConnection,
  createSubscriberConnection,
  gatheringComplete,
} from './peer.js';
import type { PeerOptions } from './peer.js';
import { type Participant, PublishedTrack, newSid } from './room.js';
import type { ParticipantConnection, Room, SignalMessage } from './room.js';
import { NetworkPath } from './network-path.js';
import type { NetworkConditions } from './network-path.js';
import { keepMediaSectionsAlive, parseMediaSections } from './sdp.js';
import type { MediaSection } from './sdp.js';

export interface SessionOptions extends PeerOptions {
  /** Simulcast layer forwarded from publishers that simulcast (rid `q`, `h` or `f`). */
  simulcastRid: string;
  autoSubscribe: boolean;
  log: (message: string) => void;
  /** The network to subscribers (every packet this session sends); default a perfect one. */
  network?: NetworkConditions;
}

interface DownTrack {
  transceiver: RTCRtpTransceiver;
  forwarder: DownTrackForwarder;
}

const qualityOfRid: Record<string, VideoQuality> = {
  q: VideoQuality.LOW,
  h: VideoQuality.MEDIUM,
  f: VideoQuality.HIGH,
};

/**
 * One client's signalling WebSocket and its two peer connections (publisher: client -> server,
 * subscriber: server -> client), bound to its participant in a room.
 */
export class RtcSession implements ParticipantConnection {
  readonly autoSubscribe: boolean;
  private readonly publisherPc: RTCPeerConnection;
  private subscriberPc: RTCPeerConnection | undefined;
  /** AddTrackRequests answered with a TrackInfo whose media has not arrived yet, by cid. */
  private readonly pendingTracks = new Map<string, TrackInfo>();
  /** Publisher m-lines (mid) already bound to a published track sid. */
  private readonly publishedMids = new Map<string, string>();
  private lastOfferSections: MediaSection[] = [];
  private readonly downTracks = new Map<string, DownTrack>();
  /** What this session's subscriber PC sends goes through it, when the server simulates a network. */
  private readonly networkPath: NetworkPath | null;
  private negotiating = false;
  private negotiationQueued = false;
  private offerId = 0;
  private closed = false;
  /** Serializes signalling so an offer and the trickles that follow it are applied in order. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private ws: WebSocket,
    private readonly room: Room,
    readonly participant: Participant,
    private readonly options: SessionOptions,
  ) {
    this.autoSubscribe = options.autoSubscribe;
    this.networkPath = options.network ? new NetworkPath(options.network) : null;
    participant.connection = this;
    this.publisherPc = createPublisherConnection(options);
    this.publisherPc.ontrack = ({ track, transceiver }) =>
      this.onPublisherTrack(track, transceiver);
    this.publisherPc.connectionStateChange.subscribe((state) => {
      options.log(`${participant.identity}: publisher pc ${state}`);
      if (state === 'connected') {
        // The publisher connected (or reconnected): make sure subscribers start on a keyframe.
        for (const t of participant.tracks.values()) t.feed.requestKeyframe();
      }
    });
    this.attach(ws);
  }

  /** Binds the signalling socket (the initial one, or a replacement on reconnect). */
  attach(ws: WebSocket): void {
    this.ws = ws;
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) return;
      let request: SignalRequest;
      try {
        request = SignalRequest.fromBinary(new Uint8Array(data));
      } catch {
        this.options.log(`${this.participant.identity}: undecodable signal request`);
        return;
      }
      this.queue = this.queue
        .then(() => this.handle(request))
        .catch((err: unknown) =>
          this.options.log(`${this.participant.identity}: ${request.message.case}: ${String(err)}`),
        );
    });
    ws.on('close', () => {
      if (this.ws === ws) this.onSignalClosed();
    });
  }

  send(message: SignalMessage): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(new SignalResponse({ message }).toBinary());
  }

  subscribe(publisher: Participant, track: PublishedTrack): void {
    if (this.closed || this.downTracks.has(track.info.sid)) return;
    const pc = this.ensureSubscriberPc();
    // Clients drop a track they don't know yet: announce its TrackInfo before offering it.
    this.send({
      case: 'update',
      value: new ParticipantUpdate({ participants: [publisher.info()] }),
    });
    // Never let werift recycle an idle m-line for the new track: it can lose the mid
    // ("Transceiver with mid=N not found") or mix kinds. Fresh m-lines are cheap.
    for (const t of pc.getTransceivers()) t.usedForSender = true;
    const kind = track.info.type === TrackType.AUDIO ? 'audio' : 'video';
    const transceiver = pc.addTransceiver(kind, { direction: 'sendonly' });
    // The msid must be `<participant sid>|<track sid>` `<track sid>` or the clients ignore the track.
    (transceiver.sender as { trackId: string }).trackId = track.info.sid;
    transceiver.sender.setStreams([{ id: `${publisher.sid}|${track.info.sid}` } as never]);
    const forwarder = new DownTrackForwarder(track.layers, transceiver.sender, this.networkPath);
    if (process.env.HAVEN_SFU_DEBUG) {
      const timer = setInterval(() => {
        if (this.closed) clearInterval(timer);
        this.options.log(
          `${this.participant.identity} <- ${track.info.sid}: in ${track.feed.packetsIn}, key ${track.feed.keyframesIn}/${track.feed.keyframeRequests}, layer ${forwarder.layer ? `${forwarder.layer.width}x${forwarder.layer.height}` : 'none'}, codec ${transceiver.sender.codec?.mimeType}, dtls ${transceiver.sender.dtlsTransport?.state}`,
        );
      }, 2000);
      timer.unref();
    }
    this.downTracks.set(track.info.sid, { transceiver, forwarder });
    forwarder.requestKeyframe();
    this.scheduleNegotiation();
  }

  /**
   * Offers the subscriber PC at once, with the data channels a LiveKit server opens on it, for a
   * client told its subscriber PC is primary: it counts itself connected when that PC is.
   */
  openSubscriber(): void {
    if (this.subscriberPc || this.closed) return;
    const pc = this.ensureSubscriberPc();
    pc.createDataChannel('_reliable', { ordered: true });
    pc.createDataChannel('_lossy', { ordered: false, maxRetransmits: 0 });
    this.scheduleNegotiation();
  }

  unsubscribe(trackSid: string): void {
    const down = this.downTracks.get(trackSid);
    if (!down) return;
    down.forwarder.stop();
    this.downTracks.delete(trackSid);
    down.transceiver.setDirection('inactive');
    this.scheduleNegotiation();
  }

  disconnect(reason: DisconnectReason): void {
    this.send({
      case: 'leave',
      value: new LeaveRequest({
        canReconnect: false,
        reason,
        action: LeaveRequest_Action.DISCONNECT,
      }),
    });
    this.close();
  }

  /** Test seam: drops the signalling socket without a leave, as a network failure would. */
  cutSignalling(): void {
    this.ws.terminate();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const down of this.downTracks.values()) down.forwarder.stop();
    this.downTracks.clear();
    this.networkPath?.close();
    if (this.ws.readyState === this.ws.OPEN) this.ws.close();
    void this.publisherPc.close().catch(() => undefined);
    void this.subscriberPc?.close().catch(() => undefined);
    if (this.participant.connection === this) this.participant.connection = undefined;
  }

  /**
   * The signalling socket dropped without a leave. Clients then reconnect; we told them
   * (JoinResponse.clientConfiguration.resumeConnection = DISABLED) to do a full reconnect, which
   * rejoins under the same identity and replaces this participant. Until then it stays in the
   * room so a quick rejoin looks like a reconnect, not a departure; after a grace period it leaves.
   */
  private onSignalClosed(): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      if (this.closed) return;
      this.room.leave(this.participant);
      this.close();
    }, 10_000);
    timer.unref();
  }

  private async handle(request: SignalRequest): Promise<void> {
    const message = request.message;
    switch (message.case) {
      case 'offer':
        return this.onPublisherOffer(message.value);
      case 'answer':
        return this.onSubscriberAnswer(message.value);
      case 'trickle':
        return this.onTrickle(message.value);
      case 'addTrack':
        return this.onAddTrack(message.value);
      case 'mute':
        this.room.setMuted(this.participant, message.value.sid, message.value.muted);
        return;
      case 'subscription': {
        const { trackSids, subscribe } = message.value;
        for (const sid of trackSids) {
          if (!subscribe) this.unsubscribe(sid);
          else if (this.participant.canSubscribe) this.subscribeBySid(sid);
        }
        return;
      }
      case 'leave':
        this.room.leave(this.participant);
        this.close();
        return;
      case 'ping':
        this.send({ case: 'pong', value: BigInt(Date.now()) });
        return;
      case 'pingReq':
        this.send({
          case: 'pongResp',
          value: new Pong({
            lastPingTimestamp: message.value.timestamp,
            timestamp: BigInt(Date.now()),
          }),
        });
        return;
      case 'trackSetting': {
        // adaptiveStream's element size picks a simulcast layer; a hidden element disables the track.
        const { disabled, quality, width, height } = message.value;
        for (const sid of message.value.trackSids) this.downTracks.get(sid)?.forwarder.update({ disabled, quality, width, height });
        return;
      }
      default:
        // updateLayers, syncState, simulate, ...: nothing to do here.
        return;
    }
  }

  private onAddTrack(req: AddTrackRequest): void {
    const allowedSources = this.participant.grant.canPublishSources;
    const sourceName = TrackSource[req.source]?.toLowerCase();
    if (
      !this.participant.canPublish ||
      (allowedSources?.length && sourceName && !allowedSources.includes(sourceName as never))
    ) {
      this.send({
        case: 'requestResponse',
        value: new RequestResponse({
          reason: RequestResponse_Reason.NOT_ALLOWED,
          message: 'participant may not publish',
          request: { case: 'addTrack', value: req },
        }),
      });
      return;
    }
    const isVideo = req.type === TrackType.VIDEO;
    // Simulcast: only one layer is forwarded, so describe the track as that layer alone.
    const layer = this.forwardedLayer(req.layers);
    const info = new TrackInfo({
      sid: newSid('TR_'),
      type: req.type,
      name: req.name,
      source: req.source,
      muted: req.muted,
      width: layer?.width ?? req.width,
      height: layer?.height ?? req.height,
      simulcast: false,
      layers: layer ? [layer] : req.layers,
      mimeType: isVideo ? 'video/VP8' : 'audio/opus',
      stereo: req.stereo,
      disableDtx: req.disableDtx,
      stream: req.stream,
      audioFeatures: req.audioFeatures,
    });
    this.pendingTracks.set(req.cid, info);
    this.send({
      case: 'trackPublished',
      value: new TrackPublishedResponse({ cid: req.cid, track: info }),
    });
  }

  private forwardedLayer(layers: VideoLayer[]): VideoLayer | undefined {
    if (layers.length <= 1) return undefined;
    const wanted = qualityOfRid[this.options.simulcastRid] ?? VideoQuality.LOW;
    const layer = layers.find((l) => l.quality === wanted) ?? layers[0];
    if (!layer) return undefined;
    return layer.clone();
  }

  private async onPublisherOffer(offer: SessionDescription): Promise<void> {
    const sections = parseMediaSections(offer.sdp);
    this.lastOfferSections = sections;
    // A track is unpublished by renegotiating its m-line away from sending.
    for (const [mid, trackSid] of [...this.publishedMids]) {
      const section = sections.find((s) => s.mid === mid);
      const track = this.participant.tracks.get(trackSid);
      const stillSending =
        section &&
        (section.direction === 'sendonly' || section.direction === 'sendrecv') &&
        section.port !== 0 &&
        section.msidTrackId !== undefined &&
        track &&
        track.cid === section.msidTrackId;
      if (!stillSending) {
        this.publishedMids.delete(mid);
        this.room.unpublish(this.participant, trackSid);
      }
    }
    // On a re-offer werift may bind a new m-line to an idle transceiver and lose its mid
    // ("Transceiver with mid=N not found"): mark every existing one as taken first.
    for (const t of this.publisherPc.getTransceivers()) t.usedForSender = true;
    await this.publisherPc.setRemoteDescription({ type: 'offer', sdp: offer.sdp });
    const answer = await this.publisherPc.createAnswer();
    await this.publisherPc.setLocalDescription(answer);
    await gatheringComplete(this.publisherPc);
    const sdp = keepMediaSectionsAlive(this.publisherPc.localDescription?.sdp ?? answer.sdp);
    this.send({
      case: 'answer',
      value: new SessionDescription({ type: 'answer', sdp, id: offer.id }),
    });
  }

  private onPublisherTrack(track: MediaStreamTrack, transceiver: RTCRtpTransceiver): void {
    const mid = transceiver.mid;
    if (!mid || this.publishedMids.has(mid)) return; // werift fires ontrack again on every re-offer
    const section = this.lastOfferSections.find((s) => s.mid === mid);
    const cid = section?.msidTrackId;
    const info = cid ? this.pendingTracks.get(cid) : undefined;
    if (!cid || !info) return; // media without an AddTrackRequest (or from a non-publisher): ignore
    if (section.rids.length > 0) {
      const rid = section.rids.includes(this.options.simulcastRid)
        ? this.options.simulcastRid
        : section.rids[0];
      if (track.rid !== rid) return;
    }
    this.pendingTracks.delete(cid);
    this.publishedMids.set(mid, info.sid);
    info.mid = mid;
    const kind = track.kind === 'audio' ? 'audio' : 'video';
    // The media SSRC to ask for keyframes: taken from the packets themselves, because werift
    // leaves `track.ssrc` unset on simulcast (rid) tracks.
    let mediaSsrc = track.ssrc;
    const feed = new TrackFeed(kind, () => {
      if (mediaSsrc !== undefined)
        void transceiver.receiver.sendRtcpPLI(mediaSsrc).catch(() => undefined);
    });
    track.onReceiveRtp.subscribe((packet) => {
      mediaSsrc = packet.header.ssrc;
      feed.push(packet);
    });
    this.options.log(`${this.participant.identity}: track ssrc ${String(track.ssrc)}`);
    this.options.log(
      `${this.participant.identity}: publishing ${info.sid} (${kind}, mid ${mid}, rid ${track.rid ?? '-'})`,
    );
    this.room.publish(this.participant, new PublishedTrack(info, feed, cid));
  }

  private async onTrickle(trickle: TrickleRequest): Promise<void> {
    const pc = trickle.target === SignalTarget.SUBSCRIBER ? this.subscriberPc : this.publisherPc;
    if (!pc) return;
    const init = JSON.parse(trickle.candidateInit) as {
      candidate?: string;
      sdpMid?: string;
      sdpMLineIndex?: number;
    };
    if (!init.candidate) return; // end-of-candidates
    await pc.addIceCandidate(init).catch(() => undefined);
  }

  private subscribeBySid(trackSid: string): void {
    for (const publisher of this.room.participants.values()) {
      const track = publisher.tracks.get(trackSid);
      if (track && publisher !== this.participant) this.subscribe(publisher, track);
    }
  }

  private ensureSubscriberPc(): RTCPeerConnection {
    if (this.subscriberPc) return this.subscriberPc;
    const pc = createSubscriberConnection(this.options);
    pc.connectionStateChange.subscribe((state) => {
      this.options.log(`${this.participant.identity}: subscriber pc ${state}`);
      if (state === 'connected')
        for (const down of this.downTracks.values()) down.forwarder.requestKeyframe();
    });
    this.subscriberPc = pc;
    return pc;
  }

  private scheduleNegotiation(): void {
    if (this.negotiating) {
      this.negotiationQueued = true;
      return;
    }
    this.negotiating = true;
    // Let a burst of subscriptions (a participant's audio and video) share one offer.
    setTimeout(() => {
      this.queue = this.queue
        .then(() => this.negotiate())
        .catch((err: unknown) => {
          this.negotiating = false;
          this.options.log(`${this.participant.identity}: negotiate: ${String(err)}`);
        });
    }, 10);
  }

  private async negotiate(): Promise<void> {
    const pc = this.subscriberPc;
    if (!pc || this.closed) {
      this.negotiating = false;
      return;
    }
    this.negotiationQueued = false;
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    await gatheringComplete(pc);
    const midToTrackId: Record<string, string> = {};
    for (const [trackSid, down] of this.downTracks) {
      if (down.transceiver.mid) midToTrackId[down.transceiver.mid] = trackSid;
    }
    const sdp = keepMediaSectionsAlive(pc.localDescription?.sdp ?? offer.sdp);
    this.send({
      case: 'offer',
      value: new SessionDescription({ type: 'offer', sdp, id: ++this.offerId, midToTrackId }),
    });
  }

  private async onSubscriberAnswer(answer: SessionDescription): Promise<void> {
    const pc = this.subscriberPc;
    if (!pc) return;
    await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    this.negotiating = false;
    for (const down of this.downTracks.values()) down.forwarder.requestKeyframe();
    if (this.negotiationQueued) this.scheduleNegotiation();
  }
}
