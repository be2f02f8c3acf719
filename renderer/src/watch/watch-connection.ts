/**
 * One watched room: owns the livekit-client Room, its audio elements and per-participant volume,
 * and reports plain snapshots. Lives outside React; the watch store keeps one per open tab.
 */
import {
  ConnectionQuality,
  DisconnectReason,
  type RemoteAudioTrack,
  type RemoteParticipant,
  type RemoteTrack,
  RemoteVideoTrack,
  Room,
  RoomEvent,
  Track,
} from 'livekit-client';
import type { ParticipantSnapshot, Quality, VideoSnapshot } from './participant-snapshot';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected' | 'failed';

export interface ConnectionUpdate {
  state?: ConnectionState;
  error?: string | null;
  participants?: ParticipantSnapshot[];
  audioBlocked?: boolean;
}

export interface Listening {
  /** 0..1 */
  volume: number;
  muted: boolean;
}

const qualities: Record<string, Quality> = {
  [ConnectionQuality.Excellent]: 'excellent',
  [ConnectionQuality.Good]: 'good',
  [ConnectionQuality.Poor]: 'poor',
  [ConnectionQuality.Lost]: 'lost',
};

const disconnectReasons: Partial<Record<DisconnectReason, string>> = {
  [DisconnectReason.ROOM_DELETED]: 'The room was closed on the server.',
  [DisconnectReason.PARTICIPANT_REMOVED]: 'The server removed this viewer from the room.',
  [DisconnectReason.DUPLICATE_IDENTITY]: 'Someone else joined with the same identity (the same token).',
  [DisconnectReason.SERVER_SHUTDOWN]: 'The server shut down.',
  [DisconnectReason.JOIN_FAILURE]: 'Joining the room failed.',
};

function audioHost(): HTMLElement {
  let host = document.getElementById('haven-audio');
  if (!host) {
    host = document.createElement('div');
    host.id = 'haven-audio';
    host.hidden = true;
    document.body.append(host);
  }
  return host;
}

function videoSnapshot(participant: RemoteParticipant, screen: boolean): VideoSnapshot | null {
  for (const publication of participant.videoTrackPublications.values()) {
    const isScreen = publication.source === Track.Source.ScreenShare;
    if (isScreen !== screen) continue;
    const track = publication.track instanceof RemoteVideoTrack ? publication.track : null;
    return { sid: publication.trackSid, track, muted: publication.isMuted };
  }
  return null;
}

export function snapshotOf(participant: RemoteParticipant): ParticipantSnapshot {
  const audio = [...participant.audioTrackPublications.values()];
  const mic = audio.find((p) => p.source !== Track.Source.ScreenShareAudio) ?? audio[0];
  return {
    identity: participant.identity,
    name: participant.name || participant.identity,
    speaking: participant.isSpeaking,
    quality: qualities[participant.connectionQuality] ?? 'unknown',
    camera: videoSnapshot(participant, false),
    screen: videoSnapshot(participant, true),
    hasAudio: mic !== undefined,
    audioMuted: mic?.isMuted ?? false,
    joinedAt: participant.joinedAt?.getTime() ?? null,
  };
}

export class WatchConnection {
  readonly room = new Room({ adaptiveStream: true, dynacast: false });
  private readonly listening = new Map<string, Listening>();
  private scheduled = false;
  private closed = false;

  constructor(private readonly onUpdate: (update: ConnectionUpdate) => void) {
    const changed = () => this.scheduleSnapshot();
    this.room
      .on(RoomEvent.ParticipantConnected, changed)
      .on(RoomEvent.ParticipantDisconnected, changed)
      .on(RoomEvent.TrackPublished, changed)
      .on(RoomEvent.TrackUnpublished, changed)
      .on(RoomEvent.TrackSubscribed, (track, _pub, participant) => {
        if (track.kind === Track.Kind.Audio) this.attachAudio(track, participant);
        changed();
      })
      .on(RoomEvent.TrackUnsubscribed, (track) => {
        if (track.kind === Track.Kind.Audio) track.detach().forEach((el) => el.remove());
        changed();
      })
      .on(RoomEvent.TrackMuted, changed)
      .on(RoomEvent.TrackUnmuted, changed)
      .on(RoomEvent.ActiveSpeakersChanged, changed)
      .on(RoomEvent.ConnectionQualityChanged, changed)
      .on(RoomEvent.ParticipantNameChanged, changed)
      .on(RoomEvent.Reconnecting, () => this.onUpdate({ state: 'reconnecting' }))
      .on(RoomEvent.SignalReconnecting, () => this.onUpdate({ state: 'reconnecting' }))
      .on(RoomEvent.Reconnected, () => {
        this.onUpdate({ state: 'connected', error: null });
        changed();
      })
      .on(RoomEvent.AudioPlaybackStatusChanged, () => this.onUpdate({ audioBlocked: !this.room.canPlaybackAudio }))
      .on(RoomEvent.Disconnected, (reason) => {
        if (this.closed) return;
        const why = (reason !== undefined && disconnectReasons[reason]) || 'The connection to the server was lost.';
        this.onUpdate({ state: 'disconnected', error: why, participants: [] });
      });
  }

  async connect(url: string, token: string): Promise<void> {
    this.onUpdate({ state: 'connecting', error: null });
    try {
      await this.room.connect(url, token, { autoSubscribe: true });
    } catch (error) {
      if (this.closed) return;
      this.onUpdate({ state: 'failed', error: describeConnectError(error, url) });
      return;
    }
    if (this.closed) return;
    this.onUpdate({ state: 'connected', error: null, audioBlocked: !this.room.canPlaybackAudio });
    this.scheduleSnapshot();
  }

  setListening(identity: string, listening: Listening): void {
    this.listening.set(identity, listening);
    const participant = this.room.remoteParticipants.get(identity);
    if (!participant) return;
    for (const publication of participant.audioTrackPublications.values()) {
      const track = publication.track as RemoteAudioTrack | undefined;
      track?.setVolume(listening.muted ? 0 : listening.volume);
    }
  }

  async startAudio(): Promise<void> {
    await this.room.startAudio();
    this.onUpdate({ audioBlocked: !this.room.canPlaybackAudio });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const participant of this.room.remoteParticipants.values()) {
      for (const publication of participant.audioTrackPublications.values()) {
        publication.track?.detach().forEach((el) => el.remove());
      }
    }
    await this.room.disconnect();
  }

  private attachAudio(track: RemoteTrack, participant: RemoteParticipant): void {
    const element = track.attach();
    element.dataset.identity = participant.identity;
    audioHost().append(element);
    const listening = this.listening.get(participant.identity);
    if (listening) (track as RemoteAudioTrack).setVolume(listening.muted ? 0 : listening.volume);
  }

  // Events come in bursts (a join brings several tracks): one snapshot per burst.
  private scheduleSnapshot(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      if (this.closed) return;
      const participants = [...this.room.remoteParticipants.values()]
        .map(snapshotOf)
        .sort(byJoinThenName);
      this.onUpdate({ participants });
    });
  }
}

function byJoinThenName(a: ParticipantSnapshot, b: ParticipantSnapshot): number {
  return (a.joinedAt ?? 0) - (b.joinedAt ?? 0) || a.name.localeCompare(b.name);
}

/** livekit-client's connect errors are terse; say what likely went wrong and what to try. */
function describeConnectError(error: unknown, url: string): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/401|unauthori[sz]ed|invalid token|token is expired/i.test(message)) {
    return `The server refused the token (${message}). Get a fresh token, or check the API key and secret in Settings.`;
  }
  if (/could not establish (signal|pc) connection|websocket|failed to fetch|network/i.test(message)) {
    return `Could not reach ${url} (${message}). Check the URL and that the server is running.`;
  }
  return `Could not join the room: ${message}`;
}
