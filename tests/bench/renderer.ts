/**
 * The watch grid in Chromium, through the web shell and the app's own renderer: join a room of
 * N replay participants with a URL and a token, count frames painted per tile with
 * requestVideoFrameCallback, and read Chromium's CPU (browser and every child process) from /proc.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type BrowserServer } from '@playwright/test';
import { chromiumArgs, chromiumPath } from '../helpers/chromium';
import { startWebApp } from '../../main/web/start-web-app';
import { defaultSettings } from '../../main/settings/settings-service';
import { makeTempDir } from '../helpers/temp-dir';
import { cpuDelta, readProc, readTree } from './proc';

export interface GridResult {
  tiles: number;
  tileSize: string;
  windowSec: number;
  /** rVFC callbacks per second, per tile. */
  fpsPerTile: number[];
  fpsMin: number;
  fpsMedian: number;
  /** metadata.presentedFrames per second (frames handed to the compositor), per tile. */
  presentedFpsPerTile: number[];
  chromiumCpuPct: number;
  chromiumProcesses: number;
  serverCpuPct: number;
  error: string | null;
}

export interface GridOptions {
  url: string;
  token: (room: string) => Promise<string>;
  addRoom: (room: string, count: number) => Promise<void>;
  removeRoom: (room: string) => Promise<void>;
  serverPid: number;
  tiles: number;
  tileSize: string;
  windowSec: number;
  log: (line: string) => void;
}

const rendererDir = path.resolve('out/renderer');

export function rendererBuilt(): boolean {
  return fs.existsSync(path.join(rendererDir, 'index.html'));
}

let browserServer: BrowserServer | null = null;

export async function killBrowser(): Promise<void> {
  const server = browserServer;
  browserServer = null;
  if (server) await server.kill().catch(() => undefined);
}

export async function measureGrid(options: GridOptions): Promise<GridResult> {
  const temp = makeTempDir('haven-bench-web-');
  const web = await startWebApp({
    dataFolder: path.join(temp.dir, 'data'),
    rendererDir,
    version: 'bench',
    token: 'bench-token-7c1e',
    settingsDefaults: { ...defaultSettings(temp.dir), recordingsFolder: path.join(temp.dir, 'recordings') },
  });
  const room = `grid-${options.tiles}-${Date.now()}`;
  try {
    await options.addRoom(room, options.tiles);
    browserServer = await chromium.launchServer({ executablePath: chromiumPath, args: chromiumArgs });
    const browserPid = browserServer.process().pid!;
    const browser = await chromium.connect(browserServer.wsEndpoint());
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(web.shell.url);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Rooms' }).click();
    await page.getByText('Join with a URL and a token').click();
    await page.getByLabel('Server URL').fill(options.url);
    await page.getByLabel('Access token').fill(await options.token(room));
    await page.getByRole('button', { name: 'Join', exact: true }).click();
    const playing = page.locator('[data-testid="tile"] video[data-playing="true"]');
    const deadline = Date.now() + 60_000;
    while ((await playing.count()) < options.tiles && Date.now() < deadline) await page.waitForTimeout(250);
    const playingCount = await playing.count();
    if (playingCount < options.tiles) throw new Error(`only ${playingCount} of ${options.tiles} tiles played within 60 s`);
    options.log(`  ${options.tiles} tiles playing; warming up 3 s`);
    await page.waitForTimeout(3000);

    // Plain strings, not functions: tsx's transform would wrap functions in helpers the page lacks.
    await page.evaluate(`(() => {
      window.__bench = [];
      for (const video of document.querySelectorAll('[data-testid="tile"] video')) {
        const rec = { frames: 0, presented0: -1, presented: 0, stop: false };
        window.__bench.push(rec);
        const onFrame = (now, meta) => {
          if (rec.stop) return;
          rec.frames++;
          if (rec.presented0 < 0) rec.presented0 = meta.presentedFrames;
          rec.presented = meta.presentedFrames;
          video.requestVideoFrameCallback(onFrame);
        };
        video.requestVideoFrameCallback(onFrame);
      }
    })()`);
    const treeBefore = readTree(browserPid);
    const serverBefore = readProc(options.serverPid);
    const t0 = performance.now();
    await page.waitForTimeout(options.windowSec * 1000);
    const counts = await page.evaluate<{ frames: number; presented: number }[]>(`window.__bench.map((r) => {
      r.stop = true;
      return { frames: r.frames, presented: r.presented - r.presented0 };
    })`);
    const windowSec = (performance.now() - t0) / 1000;
    const treeAfter = readTree(browserPid);
    const serverAfter = readProc(options.serverPid);
    const chromiumCpu = cpuDelta(treeBefore, treeAfter).reduce((sum, s) => sum + s.cpuSec, 0);
    const fps = counts.map((c) => round1(c.frames / windowSec));
    const sorted = [...fps].sort((a, b) => a - b);
    await browser.close();
    return {
      tiles: options.tiles,
      tileSize: options.tileSize,
      windowSec: round1(windowSec),
      fpsPerTile: fps,
      fpsMin: sorted[0] ?? 0,
      fpsMedian: sorted[Math.floor(sorted.length / 2)] ?? 0,
      presentedFpsPerTile: counts.map((c) => round1(c.presented / windowSec)),
      chromiumCpuPct: round1((chromiumCpu / windowSec) * 100),
      chromiumProcesses: treeAfter.length,
      serverCpuPct: round1((((serverAfter?.cpuSec ?? 0) - (serverBefore?.cpuSec ?? 0)) / windowSec) * 100),
      error: null,
    };
  } finally {
    await killBrowser();
    await options.removeRoom(room).catch(() => undefined);
    await web.close();
    temp.cleanup();
  }
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
