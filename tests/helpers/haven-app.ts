import path from 'node:path';
import { createDispatcher, type Dispatch } from '../../main/api/dispatcher';
import { HavenApp, type HavenAppOptions } from '../../main/app';
import { KeyFileSecretStore } from '../../main/secrets/key-file-secret-store';
import { defaultSettings } from '../../main/settings/settings-service';
import { makeTempDir } from './temp-dir';

/** A real HavenApp (SQLite file, key-file secrets) in a temp folder, with its dispatcher. */
export function makeTestApp(env: NodeJS.ProcessEnv = {}, options: Pick<HavenAppOptions, 'createRecorder'> = {}): { app: HavenApp; dispatch: Dispatch; dir: string; close(): Promise<void> } {
  const temp = makeTempDir();
  const app = new HavenApp({
    dataFolder: path.join(temp.dir, 'data'),
    shell: 'web',
    version: 'test',
    secrets: new KeyFileSecretStore(path.join(temp.dir, 'data')),
    env,
    settingsDefaults: { ...defaultSettings(temp.dir), recordingsFolder: path.join(temp.dir, 'recordings') },
    ...options,
  });
  const dispatch = createDispatcher({ handlers: app.handlers(), isTrustedCaller: (c) => c.origin === 'test://app' });
  return {
    app,
    dispatch,
    dir: temp.dir,
    close: async () => {
      await app.close();
      temp.cleanup();
    },
  };
}

export const trustedCaller = { origin: 'test://app' };
