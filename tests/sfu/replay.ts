import type { RoomRegistry } from './registry.js';

export interface ReplayOptions {
  room: string;
  identity: string;
  width?: number;
  height?: number;
  fps?: number;
  seconds?: number;
}

export interface ReplayParticipant {
  identity: string;
  stop(): void;
}

export class ReplayLibrary {
  async dispose(): Promise<void> {}
}

export async function startReplayParticipant(
  _rooms: RoomRegistry,
  _library: ReplayLibrary,
  _options: ReplayOptions,
): Promise<ReplayParticipant> {
  throw new Error('not implemented yet');
}
