import { Room } from './room.js';

/** All open rooms by name; rooms are created on first join (or CreateRoom) and removed when they close. */
export class RoomRegistry {
  private readonly rooms = new Map<string, Room>();

  constructor(private readonly emptyTimeoutMs: number) {}

  get(name: string): Room | undefined {
    return this.rooms.get(name);
  }

  list(): Room[] {
    return [...this.rooms.values()];
  }

  getOrCreate(name: string): Room {
    let room = this.rooms.get(name);
    if (!room) {
      room = new Room(name, {
        emptyTimeoutMs: this.emptyTimeoutMs,
        onClosed: (closed) => {
          if (this.rooms.get(closed.name) === closed) this.rooms.delete(closed.name);
        },
      });
      this.rooms.set(name, room);
    }
    return room;
  }
}
