import fs from 'node:fs';
import path from 'node:path';
import { test as base, type Page } from '@playwright/test';
import { startWebApp } from '../../main/web/start-web-app';
import { defaultSettings } from '../../main/settings/settings-service';
import { makeTempDir } from '../helpers/temp-dir';

const rendererDir = path.resolve('out/renderer');

export interface HavenWeb {
  url: string;
  dataFolder: string;
  recordingsFolder: string;
  restart(): Promise<void>;
}

/** A real web shell over a temp data folder, serving the built renderer. */
export const test = base.extend<{ haven: HavenWeb }>({
  // Playwright reads fixture dependencies from the destructuring pattern: this one has none.
  // eslint-disable-next-line no-empty-pattern
  haven: async ({}, use) => {
    if (!fs.existsSync(path.join(rendererDir, 'index.html'))) {
      throw new Error('The renderer is not built: run `npm run build` (npm test does it) before the e2e tests.');
    }
    const temp = makeTempDir('haven-e2e-');
    const dataFolder = path.join(temp.dir, 'data');
    const recordingsFolder = path.join(temp.dir, 'recordings');
    const token = 'e2e-token-5b1d2c';
    const start = (port?: number) =>
      startWebApp({
        dataFolder,
        rendererDir,
        version: 'e2e',
        token,
        port,
        settingsDefaults: { ...defaultSettings(temp.dir), recordingsFolder },
      });
    let web = await start();
    const haven: HavenWeb = {
      url: web.shell.url,
      dataFolder,
      recordingsFolder,
      restart: async () => {
        const port = web.shell.port;
        await web.close();
        web = await start(port);
      },
    };
    await use(haven);
    await web.close();
    temp.cleanup();
  },
});

export { expect } from '@playwright/test';

/** Saves a screenshot as a test artifact under tests/artifacts/. */
export async function keepScreenshot(page: Page, name: string): Promise<void> {
  const dir = path.resolve('tests/artifacts/screens');
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}
