/**
 * The Electron shell: builds the same services as the web shell and connects them to one
 * sandboxed window. The only folder that imports `electron`.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, shell } from 'electron';
import { createDispatcher } from '../api/dispatcher';
import { HavenApp } from '../app';
import { setupIpc } from './ipc';
import { registerMediaScheme, setupMediaProtocol } from './media-protocol';
import { SafeStorageSecretStore } from './safe-storage-secret-store';
import { setupSecurity } from './security';

const here = path.dirname(fileURLToPath(import.meta.url));
const rendererIndex = path.join(here, '../renderer/index.html');
const devServerUrl = process.env.ELECTRON_RENDERER_URL;
const appOrigin = devServerUrl ? new URL(devServerUrl).origin : null;

function isAppUrl(url: string): boolean {
  if (appOrigin) return url.startsWith(`${appOrigin}/`) || url === appOrigin;
  return url.startsWith(pathToFileURL(rendererIndex).href);
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 800,
    minHeight: 560,
    title: 'Haven Player',
    backgroundColor: '#0f1115',
    show: false,
    webPreferences: {
      preload: path.join(here, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window.show());
  if (devServerUrl) void window.loadURL(devServerUrl);
  else void window.loadFile(rendererIndex);
  return window;
}

async function main(): Promise<void> {
  app.enableSandbox();
  registerMediaScheme();
  await app.whenReady();
  const havenApp = new HavenApp({
    dataFolder: app.getPath('userData'),
    shell: 'electron',
    version: app.getVersion(),
    secrets: new SafeStorageSecretStore(),
    env: process.env,
    resourcesPath: app.isPackaged ? process.resourcesPath : null,
    revealInFolder: (file) => shell.showItemInFolder(file),
  });
  setupSecurity(isAppUrl);
  setupMediaProtocol((kind, id) => havenApp.library.filePath(kind, id));
  setupIpc(
    createDispatcher({
      handlers: havenApp.handlers(),
      isTrustedCaller: (caller) => isAppUrl(caller.origin),
      logError: (method, error) => console.error(`${method} failed:`, error),
    }),
    havenApp.events,
  );
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  // Recordings are finalized before the app exits (remux to a normal MP4, WAV header).
  let closing = false;
  app.on('before-quit', (event) => {
    if (closing) return;
    closing = true;
    event.preventDefault();
    void havenApp.close().finally(() => app.exit(0));
  });
  void havenApp.init();
}

void main();
