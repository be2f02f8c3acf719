import type { RemoteVideoTrack } from 'livekit-client';

/** A video publication as the UI needs it: the track once subscribed, and the sender's mute. */
export interface VideoSnapshot {
  sid: string;
  track: RemoteVideoTrack | null;
  muted: boolean;
}

export type Quality = 'excellent' | 'good' | 'poor' | 'lost' | 'unknown';

/** Plain data about one remote participant, rebuilt from the SDK after every room event. */
export interface ParticipantSnapshot {
  identity: string;
  name: string;
  speaking: boolean;
  quality: Quality;
  camera: VideoSnapshot | null;
  screen: VideoSnapshot | null;
  hasAudio: boolean;
  /** The sender muted their microphone (not our local mute). */
  audioMuted: boolean;
  joinedAt: number | null;
}

export interface Tile {
  id: string;
  kind: 'camera' | 'screen';
  participant: ParticipantSnapshot;
  video: VideoSnapshot | null;
}

/**
 * One tile per participant (camera, or an avatar when there is no video) plus one per screen
 * share. Someone who shares a screen without a camera gets only the screen tile: an avatar
 * beside it would say nothing more.
 */
export function tilesOf(participants: readonly ParticipantSnapshot[]): Tile[] {
  const tiles: Tile[] = [];
  for (const p of participants) {
    if (p.camera || !p.screen) tiles.push({ id: `${p.identity}:camera`, kind: 'camera', participant: p, video: p.camera });
    if (p.screen) tiles.push({ id: `${p.identity}:screen`, kind: 'screen', participant: p, video: p.screen });
  }
  return tiles;
}

/** The tile that shows a participant's speaking and mic state: the camera tile when there is one. */
export function isPrimaryTile(tile: Tile): boolean {
  return tile.kind === 'camera' || !tile.participant.camera;
}

/** Up to two initials for an avatar: "Ada Lovelace" -> "AL", "bob-7" -> "B". */
export function initials(name: string): string {
  const words = name.split(/[\s._-]+/).filter((w) => /\p{L}/u.test(w));
  const letters = words.slice(0, 2).map((w) => [...w.replace(/[^\p{L}]/gu, '')][0] ?? '');
  const text = letters.join('').toUpperCase();
  return text || [...name.trim()][0]?.toUpperCase() || '?';
}
