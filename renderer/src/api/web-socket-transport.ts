import type { EventName, HavenApi, MethodName, Result } from '../../../preload/contract';

type Pending = { resolve: (result: Result<unknown>) => void };

/**
 * The contract over the web shell's WebSocket. The access token travels in an HttpOnly cookie
 * set when the page was opened with `?token=`, so the page never reads it. Calls made while the
 * socket is (re)connecting wait for it; a dropped socket reconnects with backoff.
 */
export class WebSocketTransport implements HavenApi {
  private socket: WebSocket | null = null;
  private opening: Promise<WebSocket> | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  private retryMs = 250;

  constructor(private readonly url: string) {}

  async call<M extends MethodName>(method: M, input: unknown): Promise<Result<never>> {
    let socket: WebSocket;
    try {
      socket = await this.connect();
    } catch {
      return { ok: false, error: { code: 'unreachable', message: 'Lost contact with Haven Player. Is `npm run web` still running?' } };
    }
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, { resolve: resolve as Pending['resolve'] });
      socket.send(JSON.stringify({ id, method, payload: input }));
    });
  }

  on<E extends EventName>(event: E, listener: (payload: never) => void): () => void {
    const set = this.listeners.get(event) ?? new Set();
    set.add(listener as (payload: unknown) => void);
    this.listeners.set(event, set);
    void this.connect().catch(() => undefined);
    return () => set.delete(listener as (payload: unknown) => void);
  }

  private connect(): Promise<WebSocket> {
    if (this.socket?.readyState === WebSocket.OPEN) return Promise.resolve(this.socket);
    if (this.opening) return this.opening;
    this.opening = new Promise<WebSocket>((resolve, reject) => {
      const socket = new WebSocket(this.url);
      socket.onopen = () => {
        this.socket = socket;
        this.opening = null;
        this.retryMs = 250;
        resolve(socket);
      };
      socket.onerror = () => undefined;
      socket.onclose = () => {
        const wasOpen = this.socket === socket;
        this.socket = null;
        this.opening = null;
        for (const [, pending] of this.pending) {
          pending.resolve({ ok: false, error: { code: 'unreachable', message: 'Lost contact with Haven Player. Is `npm run web` still running?' } });
        }
        this.pending.clear();
        if (!wasOpen) reject(new Error('closed'));
        if (this.listeners.size > 0) {
          setTimeout(() => void this.connect().catch(() => undefined), this.retryMs);
          this.retryMs = Math.min(this.retryMs * 2, 5000);
        }
      };
      socket.onmessage = (message) => this.receive(String(message.data));
    });
    return this.opening;
  }

  private receive(text: string): void {
    const message = JSON.parse(text) as { id?: number; result?: Result<unknown>; event?: EventName; payload?: unknown };
    if (typeof message.id === 'number') {
      const pending = this.pending.get(message.id);
      this.pending.delete(message.id);
      pending?.resolve(message.result!);
    } else if (message.event) {
      for (const listener of this.listeners.get(message.event) ?? []) listener(message.payload);
    }
  }
}
