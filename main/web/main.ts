/**
 * `npm run web`: the app for a browser on this machine (headless boxes, remote desktops over SSH
 * tunnels). Binds 127.0.0.1 only.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { defaultDataFolder } from './data-folder';
import { startWebApp } from './start-web-app';

const here = path.dirname(fileURLToPath(import.meta.url));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: process.env.HAVEN_WEB_PORT ?? '0' },
      'data-dir': { type: 'string' },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be a number from 0 to 65535 (got "${values.port}").`);
    process.exit(2);
  }
  const dataFolder = values['data-dir'] ? path.resolve(values['data-dir']) : defaultDataFolder();
  const { app, shell, close } = await startWebApp({
    dataFolder,
    rendererDir: path.resolve(here, '../renderer'),
    version: process.env.npm_package_version ?? '0.0.0',
    port,
    env: process.env,
    log: (message) => console.error(message),
  });
  for (const notice of app.notices) console.error(`${notice.level}: ${notice.message}`);
  console.log(`Haven Player data: ${dataFolder}`);
  console.log(`WEB_URL=${shell.url}`);
  console.log('Open that address in a browser on this machine. Ctrl-C stops.');
  const stop = () => {
    void close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
