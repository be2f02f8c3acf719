/**
 * A simulated network between the server and one subscriber, for testing what a client does
 * on a real network (the private veth the tests run on delivers every packet at once, in order).
 * The kernel's netem would do this, but this machine's kernel has no sch_netem.
 */
export interface NetworkConditions {
  /**
   * Queueing delay, varying between 0 and this many ms: it holds a level for a while (an
   * exponentially distributed time, `holdMs` on average), then moves to a new one drawn
   * uniformly. Packets keep their order (one queue), so a falling delay releases a burst and a
   * rising one leaves a gap: the arrival pattern jitter buffers exist for.
   */
  readonly jitterMs: number;
  /** Mean time a delay level holds; default 200 ms. */
  readonly holdMs?: number;
  /**
   * Fraction of packets lost on the way; default 0. The sender still keeps them, so a client's
   * NACK gets them retransmitted (straight away, not through the path), as from a LiveKit SFU.
   */
  readonly loss?: number;
  /** Random source in [0, 1); default Math.random. */
  readonly random?: () => number;
}

/** One subscriber's path: every packet to it goes through `send`, audio and video alike. */
export class NetworkPath {
  private readonly queue: { at: number; send: () => void }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private levelMs = 0;
  private levelUntil = 0;
  private lastAt = 0;
  private closed = false;
  private readonly random: () => number;
  packetsLost = 0;

  constructor(private readonly conditions: NetworkConditions) {
    this.random = conditions.random ?? Math.random;
  }

  /**
   * Delivers a packet (`send` sends it) after the path's current delay, or loses it (`lose`
   * hands it to the sender without putting it on the wire).
   */
  send(send: () => void, lose: () => void = () => {}): void {
    if (this.closed) return;
    if (this.conditions.loss && this.random() < this.conditions.loss) {
      this.packetsLost++;
      lose();
      return;
    }
    const now = performance.now();
    if (now >= this.levelUntil) {
      this.levelMs = this.random() * this.conditions.jitterMs;
      this.levelUntil = now - Math.log(1 - this.random()) * (this.conditions.holdMs ?? 200);
    }
    const at = Math.max(now + this.levelMs, this.lastAt);
    this.lastAt = at;
    this.queue.push({ at, send });
    this.schedule();
  }

  close(): void {
    this.closed = true;
    this.queue.length = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.timer || this.queue.length === 0) return;
    this.timer = setTimeout(() => this.flush(), Math.max(0, this.queue[0]!.at - performance.now()));
  }

  private flush(): void {
    this.timer = null;
    const now = performance.now();
    // Timers fire up to a millisecond early or late: what is due within 1 ms goes now.
    while (this.queue.length > 0 && this.queue[0]!.at <= now + 1) this.queue.shift()!.send();
    this.schedule();
  }
}
