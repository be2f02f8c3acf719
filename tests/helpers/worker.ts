/**
 * Helper processes of the tests and the benchmark (the test server, the bench's recorder):
 * TypeScript run by node with tsx's loader, talking over Node's IPC channel: request -> one
 * reply per id. Children die with the parent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Request {
  id: number;
  type: string;
  [key: string]: unknown;
}

export interface Reply {
  id: number;
  ok: boolean;
  value?: unknown;
  error?: string;
}

export interface Worker {
  child: ChildProcess;
  pid: number;
  request<T>(type: string, body?: Record<string, unknown>, timeoutMs?: number): Promise<T>;
  /** Asks it to exit, then kills it (SIGKILL) if it hasn't within `graceMs`. */
  close(graceMs?: number): Promise<void>;
}

const live = new Set<ChildProcess>();

/** Kills every worker still running (called on exit and on signals). */
export function killAllWorkers(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  live.clear();
}

/**
 * Starts `script` (a module URL, e.g. `new URL('./x.ts', import.meta.url)`), which must call
 * serveRequests, with `nodeFlags` (V8/node flags, e.g. the app's RECORDER_V8_FLAGS).
 */
export function startWorker(script: URL, env: NodeJS.ProcessEnv = {}, nodeFlags: readonly string[] = []): Promise<Worker> {
  const file = path.basename(script.pathname);
  // HAVEN_BENCH_PROFILE=dir: a V8 CPU profile of each worker, for finding hot spots.
  const profile = process.env.HAVEN_BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.HAVEN_BENCH_PROFILE}`] : [];
  // HAVEN_BENCH_NODE_FLAGS: extra node/V8 flags for the workers (experiments, e.g. GC sizing).
  const flags = process.env.HAVEN_BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeFlags, ...flags, ...profile, '--import', 'tsx', fileURLToPath(script)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...env },
  });
  live.add(child);
  let nextId = 1;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      live.delete(child);
      for (const p of pending.values()) p.reject(new Error(`${file} exited (${signal ?? code}) before replying`));
      pending.clear();
      resolve();
    }),
  );
  child.on('message', (message: Reply | { type: 'ready' }) => {
    if ('id' in message) {
      const p = pending.get(message.id);
      pending.delete(message.id);
      if (message.ok) p?.resolve(message.value);
      else p?.reject(new Error(message.error ?? 'failed'));
    }
  });
  const worker: Worker = {
    child,
    pid: child.pid!,
    request<T>(type: string, body: Record<string, unknown> = {}, timeoutMs = 120_000) {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${file}: ${type} took more than ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, {
          resolve: (v) => {
            clearTimeout(timer);
            resolve(v as T);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        child.send({ id, type, ...body } satisfies Request);
      });
    },
    async close(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (child.connected) child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  return new Promise((resolve, reject) => {
    const onReady = (message: { type?: string }) => {
      if (message.type !== 'ready') return;
      child.off('message', onReady);
      resolve(worker);
    };
    child.on('message', onReady);
    child.once('exit', (code) => reject(new Error(`${file} exited (${code}) while starting`)));
  });
}

/** Worker side: answers requests with `handlers`, exits when the parent goes away. */
export function serveRequests(handlers: Record<string, (req: Request) => Promise<unknown>>, onExit: () => Promise<void>): void {
  let exiting = false;
  const exit = () => {
    if (exiting) return;
    exiting = true;
    // Bounded: whatever onExit does, the process is gone within 30 s.
    setTimeout(() => process.exit(1), 30_000).unref();
    void onExit().finally(() => process.exit(0));
  };
  process.on('disconnect', exit);
  process.on('SIGTERM', exit);
  process.on('SIGINT', exit);
  process.on('message', (req: Request) => {
    const handler = handlers[req.type];
    if (!handler) {
      process.send?.({ id: req.id, ok: false, error: `unknown request ${req.type}` } satisfies Reply);
      return;
    }
    handler(req).then(
      (value) => process.send?.({ id: req.id, ok: true, value } satisfies Reply),
      (error: unknown) => process.send?.({ id: req.id, ok: false, error: error instanceof Error ? error.stack ?? error.message : String(error) } satisfies Reply),
    );
  });
  process.send?.({ type: 'ready' });
}
