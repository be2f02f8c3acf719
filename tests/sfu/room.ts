import { randomBytes } from 'node:crypto';
import {
  DisconnectReason,
  ParticipantInfo,
  ParticipantInfo_State,
  ParticipantPermission,
  ParticipantUpdate,
  Room as RoomInfo,
  type TrackInfo,
  VideoQuality,
} from '@livekit/protocol';
import type { SignalResponse } from '@livekit/protocol';
import type { VideoGrant } from 'livekit-server-sdk';
import type { TrackFeed, TrackLayer } from './forwarding.js';

/** LiveKit-style ids: clients parse the prefix (the Rust SDK panics on a participant sid without `PA_`). */
export function newSid(prefix: 'PA_' | 'TR_' | 'RM_'): string {
  return prefix + randomBytes(8).toString('base64url').replace(/[-_]/g, 'x').slice(0, 12);
}

export type SignalMessage = SignalResponse['message'];

/** What the room needs from a connected client; implemented by the signalling session. */
export interface ParticipantConnection {
  send(message: SignalMessage): void;
  subscribe(publisher: Participant, track: PublishedTrack): void;
  unsubscribe(trackSid: string): void;
  /** Sends a leave (DISCONNECT) with the reason, then closes the signalling and peer connections. */
  disconnect(reason: DisconnectReason): void;
  readonly autoSubscribe: boolean;
}

export class PublishedTrack {
  /** Its simulcast layers, smallest first; one (the feed) for a single-layer track. */
  readonly layers: readonly TrackLayer[];

  constructor(
    readonly info: TrackInfo,
    /** The full-quality stream (its only one unless `layers` are given). */
    readonly feed: TrackFeed,
    /** The client's id for the track (AddTrackRequest.cid = its SDP msid track id). */
    readonly cid?: string,
    layers?: readonly TrackLayer[],
  ) {
    this.layers = layers?.length ? layers : [{ quality: VideoQuality.HIGH, width: info.width, height: info.height, feed }];
  }
}

export class Participant {
  readonly sid = newSid('PA_');
  readonly joinedAtMs = Date.now();
  readonly tracks = new Map<string, PublishedTrack>();
  version = 1;
  state = ParticipantInfo_State.JOINED;
  connection: ParticipantConnection | undefined;

  constructor(
    readonly identity: string,
    readonly name: string,
    readonly grant: VideoGrant,
    readonly metadata = '',
    readonly attributes: Record<string, string> = {},
  ) {}

  get hidden(): boolean {
    return this.grant.hidden === true;
  }
  get canPublish(): boolean {
    return this.grant.canPublish !== false;
  }
  get canSubscribe(): boolean {
    return this.grant.canSubscribe !== false;
  }
  get canPublishData(): boolean {
    return this.grant.canPublishData !== false;
  }

  permission(): ParticipantPermission {
    return new ParticipantPermission({
      canPublish: this.canPublish,
      canSubscribe: this.canSubscribe,
      canPublishData: this.canPublishData,
      hidden: this.hidden,
      recorder: this.grant.recorder === true,
      canUpdateMetadata: this.grant.canUpdateOwnMetadata === true,
    });
  }

  /** Call after every change: clients ignore updates whose version is not newer than what they hold. */
  touch(): void {
    this.version++;
  }

  info(): ParticipantInfo {
    return new ParticipantInfo({
      sid: this.sid,
      identity: this.identity,
      name: this.name,
      state: this.state,
      tracks: [...this.tracks.values()].map((t) => t.info),
      metadata: this.metadata,
      attributes: this.attributes,
      joinedAt: BigInt(Math.floor(this.joinedAtMs / 1000)),
      joinedAtMs: BigInt(this.joinedAtMs),
      version: this.version,
      permission: this.permission(),
      isPublisher: this.tracks.size > 0,
    });
  }
}

export interface RoomOptions {
  emptyTimeoutMs: number;
  onClosed: (room: Room) => void;
}

/** Room state and fan-out of participant updates; media moves in the sessions' peer connections. */
export class Room {
  readonly sid = newSid('RM_');
  readonly creationTimeMs = Date.now();
  readonly participants = new Map<string, Participant>();
  metadata = '';
  closed = false;
  private emptyTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly name: string,
    private readonly options: RoomOptions,
  ) {
    this.armEmptyTimer();
  }

  get emptyTimeoutMs(): number {
    return this.options.emptyTimeoutMs;
  }
  set emptyTimeoutMs(ms: number) {
    this.options.emptyTimeoutMs = ms;
    if (this.emptyTimer) this.armEmptyTimer();
  }

  info(): RoomInfo {
    const visible = this.visibleParticipants();
    return new RoomInfo({
      sid: this.sid,
      name: this.name,
      emptyTimeout: Math.round(this.emptyTimeoutMs / 1000),
      departureTimeout: Math.round(this.emptyTimeoutMs / 1000),
      creationTime: BigInt(Math.floor(this.creationTimeMs / 1000)),
      creationTimeMs: BigInt(this.creationTimeMs),
      metadata: this.metadata,
      numParticipants: visible.length,
      numPublishers: visible.filter((p) => p.tracks.size > 0).length,
      activeRecording: false,
    });
  }

  visibleParticipants(except?: Participant): Participant[] {
    return [...this.participants.values()].filter((p) => !p.hidden && p !== except);
  }

  /** Adds a participant; one already holding the identity is disconnected first, as LiveKit does. */
  join(participant: Participant): void {
    const existing = this.participants.get(participant.identity);
    if (existing) {
      existing.connection?.disconnect(DisconnectReason.DUPLICATE_IDENTITY);
      this.leave(existing);
    }
    clearTimeout(this.emptyTimer);
    this.emptyTimer = undefined;
    this.participants.set(participant.identity, participant);
    this.broadcast(participant);
  }

  /** Subscribes a newly connected participant to everything already published. */
  subscribeToExisting(subscriber: Participant): void {
    for (const publisher of this.participants.values()) {
      if (publisher === subscriber) continue;
      for (const track of publisher.tracks.values())
        this.maybeSubscribe(subscriber, publisher, track);
    }
  }

  leave(participant: Participant): void {
    if (this.participants.get(participant.identity) !== participant) return;
    this.participants.delete(participant.identity);
    for (const sid of [...participant.tracks.keys()]) this.unpublish(participant, sid, false);
    participant.state = ParticipantInfo_State.DISCONNECTED;
    participant.touch();
    this.broadcast(participant);
    if (this.participants.size === 0) this.armEmptyTimer();
  }

  publish(publisher: Participant, track: PublishedTrack): void {
    publisher.tracks.set(track.info.sid, track);
    publisher.touch();
    this.broadcast(publisher);
    for (const subscriber of this.participants.values()) {
      if (subscriber !== publisher) this.maybeSubscribe(subscriber, publisher, track);
    }
  }

  unpublish(publisher: Participant, trackSid: string, announce = true): void {
    const track = publisher.tracks.get(trackSid);
    if (!track) return;
    publisher.tracks.delete(trackSid);
    for (const p of this.participants.values()) p.connection?.unsubscribe(trackSid);
    track.feed.close();
    publisher.touch();
    if (announce) this.broadcast(publisher);
  }

  setMuted(publisher: Participant, trackSid: string, muted: boolean): TrackInfo | undefined {
    const track = publisher.tracks.get(trackSid);
    if (!track) return undefined;
    if (track.info.muted !== muted) {
      track.info.muted = muted;
      publisher.touch();
      this.broadcast(publisher);
    }
    return track.info;
  }

  /** Tells everyone else about a participant; hidden participants are never announced. */
  broadcast(about: Participant): void {
    if (about.hidden) return;
    const update = new ParticipantUpdate({ participants: [about.info()] });
    for (const p of this.participants.values()) {
      if (p !== about) p.connection?.send({ case: 'update', value: update });
    }
  }

  /** Disconnects everyone (e.g. DeleteRoom) and closes the room. */
  close(reason: DisconnectReason): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.emptyTimer);
    for (const p of [...this.participants.values()]) {
      p.connection?.disconnect(reason);
      this.participants.delete(p.identity);
      for (const track of p.tracks.values()) track.feed.close();
    }
    this.options.onClosed(this);
  }

  private maybeSubscribe(
    subscriber: Participant,
    publisher: Participant,
    track: PublishedTrack,
  ): void {
    const connection = subscriber.connection;
    if (!connection || !subscriber.canSubscribe || !connection.autoSubscribe) return;
    connection.subscribe(publisher, track);
  }

  private armEmptyTimer(): void {
    clearTimeout(this.emptyTimer);
    this.emptyTimer = setTimeout(() => {
      if (this.participants.size === 0) this.close(DisconnectReason.ROOM_DELETED);
    }, this.emptyTimeoutMs);
    this.emptyTimer.unref();
  }
}
