import { createDispatcher } from '../api/dispatcher';
import { HavenApp, type HavenAppOptions } from '../app';
import { KeyFileSecretStore } from '../secrets/key-file-secret-store';
import { startWebShell, type WebShell } from './web-shell';

export interface WebAppOptions {
  dataFolder: string;
  rendererDir: string;
  version: string;
  port?: number;
  token?: string;
  env?: NodeJS.ProcessEnv;
  settingsDefaults?: HavenAppOptions['settingsDefaults'];
  log?: (message: string) => void;
}

/** The web shell wired to the same services as the Electron shell. */
export async function startWebApp(options: WebAppOptions): Promise<{ app: HavenApp; shell: WebShell; close(): Promise<void> }> {
  const app = new HavenApp({
    dataFolder: options.dataFolder,
    shell: 'web',
    version: options.version,
    secrets: new KeyFileSecretStore(options.dataFolder),
    env: options.env,
    settingsDefaults: options.settingsDefaults,
  });
  let origin = '';
  const dispatch = createDispatcher({
    handlers: app.handlers(),
    // The socket was already checked at upgrade; this keeps the rule in the one shared place too.
    isTrustedCaller: (caller) => caller.origin === origin || caller.origin === origin.replace('127.0.0.1', 'localhost'),
    logError: (method, error) => options.log?.(`${method} failed: ${error instanceof Error ? error.stack : String(error)}`),
  });
  const shell = await startWebShell({
    dispatch,
    events: app.events,
    rendererDir: options.rendererDir,
    port: options.port,
    token: options.token,
    resolveMedia: (kind, id) => app.library.filePath(kind, id),
  });
  void app.init().catch((error: unknown) => options.log?.(`start-up repair failed: ${String(error)}`));
  origin = shell.origin;
  return {
    app,
    shell,
    close: async () => {
      await shell.close();
      await app.close();
    },
  };
}
