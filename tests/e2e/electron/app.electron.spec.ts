import { createRequire } from 'node:module';
import path from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import { makeTempDir } from '../../helpers/temp-dir';

/**
 * The Electron shell for real. Electron 45 fetches its binary the first time it is resolved; on
 * machines where that can't happen these specs are skipped and say why.
 */
function electronBinary(): string | null {
  try {
    return createRequire(import.meta.url)('electron') as string;
  } catch {
    return null;
  }
}

const binary = electronBinary();

test.describe('Electron shell', () => {
  test.skip(!binary, 'SKIPPED: the Electron binary is not installed on this machine (it downloads on first use; no internet here). These specs run wherever it exists.');

  test('opens a sandboxed window that saves a profile through window.haven', async () => {
    const temp = makeTempDir('haven-electron-');
    const app = await electron.launch({
      executablePath: binary!,
      args: [path.resolve('out/main/electron.js'), `--user-data-dir=${temp.dir}`, '--no-sandbox'],
    });
    try {
      const window = await app.firstWindow();
      await expect(window.getByRole('heading', { name: 'Settings' })).toBeVisible();
      // The renderer sees the contract, not Node.
      expect(await window.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe('undefined');
      expect(await window.evaluate(() => typeof (window as unknown as { haven?: { call?: unknown } }).haven?.call)).toBe('function');
      await window.getByRole('button', { name: 'Add server' }).click();
      await window.getByLabel('Name', { exact: true }).fill('Electron');
      await window.getByLabel('LiveKit URL').fill('wss://e.example.com');
      await window.getByRole('button', { name: 'Save', exact: true }).click();
      await expect(window.getByTestId('profile')).toContainText('Electron');
      await window.reload();
      await expect(window.getByTestId('profile')).toContainText('Electron');
    } finally {
      await app.close();
      temp.cleanup();
    }
  });
});
