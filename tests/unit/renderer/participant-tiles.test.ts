import { describe, expect, it } from 'vitest';
import { initials, isPrimaryTile, tilesOf, type ParticipantSnapshot } from '../../../renderer/src/watch/participant-snapshot';

function person(identity: string, patch: Partial<ParticipantSnapshot> = {}): ParticipantSnapshot {
  return { identity, name: identity, speaking: false, quality: 'good', camera: null, screen: null, hasAudio: true, audioMuted: false, joinedAt: 0, ...patch };
}
const video = { sid: 'TR_x', track: null, muted: false };

describe('tilesOf', () => {
  it('gives everyone a tile, audio-only people too, and screen shares their own', () => {
    const tiles = tilesOf([person('alice', { camera: video, screen: video }), person('carol')]);
    expect(tiles.map((t) => [t.id, t.kind])).toEqual([
      ['alice:camera', 'camera'],
      ['alice:screen', 'screen'],
      ['carol:camera', 'camera'],
    ]);
    expect(tiles[2]!.video).toBeNull();
  });

  it('shows a screen sharer without a camera by the screen alone, which then carries their state', () => {
    const tiles = tilesOf([person('dave', { screen: video })]);
    expect(tiles.map((t) => t.id)).toEqual(['dave:screen']);
    expect(isPrimaryTile(tiles[0]!)).toBe(true);
    const withCamera = tilesOf([person('erin', { camera: video, screen: video })]);
    expect(withCamera.map(isPrimaryTile)).toEqual([true, false]);
  });
});

describe('initials', () => {
  it.each([
    ['Ada Lovelace', 'AL'],
    ['bob-7', 'B'],
    ['carol', 'C'],
    ['élise martin', 'ÉM'],
    ['42', '4'],
    ['', '?'],
  ])('%s -> %s', (name, expected) => expect(initials(name)).toBe(expected));
});
