/**
 * The demo room: the test server plus publishers alice (camera+mic with sync markers),
 * bob (camera+mic) and carol (audio only) in room `demo`. Runs until interrupted.
 *
 *   tests/netns-run npx tsx tests/sfu/demo.ts [--host 0.0.0.0] [--port 7880]
 *
 * Prints LIVEKIT_URL=, LIVEKIT_API_KEY=, LIVEKIT_API_SECRET= and WEB_URL= lines: the web shell
 * runs beside it with a "Demo server" profile already saved (data in $HAVEN_DATA_DIR, else a
 * temp folder). `npm run demo` builds the renderer first.
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startWebApp } from '../../main/web/start-web-app.js';
import { startTestServer } from './server.js';
import type { TestServer } from './server.js';
import { spawnPublisher } from './spawn-publisher.js';
import type { PublisherHandle, PublisherOptions } from './spawn-publisher.js';

export const DEMO_ROOM = 'demo';

/** The demo's publishers; exported so the web-shell demo can start the same cast. */
export function demoPublishers(
  server: Pick<TestServer, 'url' | 'apiKey' | 'apiSecret'>,
): PublisherOptions[] {
  const common = {
    url: server.url,
    room: DEMO_ROOM,
    apiKey: server.apiKey,
    apiSecret: server.apiSecret,
  };
  return [
    { ...common, identity: 'alice', kind: 'camera', width: 1280, height: 720, fps: 30 },
    { ...common, identity: 'bob', kind: 'camera', width: 640, height: 360, fps: 30 },
    { ...common, identity: 'carol', kind: 'audio' },
  ];
}

/** Starts the server and the cast; `stop()` ends everything. */
export async function startDemo(options: { host?: string; port?: number } = {}) {
  const server = await startTestServer({
    host: options.host,
    port: options.port ?? 7880,
    emptyTimeoutMs: 60_000,
  });
  const publishers: PublisherHandle[] = demoPublishers(server).map((o) => spawnPublisher(o));
  await Promise.all(publishers.map((p) => p.ready));
  return {
    server,
    publishers,
    async stop() {
      await Promise.all(publishers.map((p) => p.stop()));
      await server.close();
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { host: { type: 'string' }, port: { type: 'string' } } });
  const demo = await startDemo({
    host: values.host,
    port: values.port ? Number(values.port) : undefined,
  });
  console.log(`LIVEKIT_URL=${demo.server.url}`);
  console.log(`LIVEKIT_API_KEY=${demo.server.apiKey}`);
  console.log(`LIVEKIT_API_SECRET=${demo.server.apiSecret}`);
  const dataFolder = process.env.HAVEN_DATA_DIR ?? path.join(os.tmpdir(), 'haven-demo');
  const web = await startWebApp({
    dataFolder,
    rendererDir: path.resolve('out/renderer'),
    version: 'demo',
    port: process.env.HAVEN_WEB_PORT ? Number(process.env.HAVEN_WEB_PORT) : 0,
    log: (message) => console.error(message),
  });
  if (!web.app.profiles.list().some((p) => p.name === 'Demo server' && p.url === demo.server.url)) {
    web.app.profiles.save({ name: 'Demo server', url: demo.server.url, apiKey: demo.server.apiKey, apiSecret: demo.server.apiSecret });
  }
  console.log(`WEB_URL=${web.shell.url}`);
  console.log(
    `room "${DEMO_ROOM}": alice (camera+mic, sync markers), bob (camera+mic), carol (audio only). Ctrl-C to stop.`,
  );
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void web
      .close()
      .then(() => demo.stop())
      .then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // If a publisher dies, say so (the demo keeps running with the others).
  for (const p of demo.publishers) {
    void p.exited.then(() => {
      if (!stopping) console.error(`publisher exited: ${p.process.spawnargs.join(' ').slice(-60)}`);
    });
  }
}
