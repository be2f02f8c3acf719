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
import { tileRates, type Snapshot } from './tile-rates';

export interface GridResult {
  tiles: number;
  tileSize: string;
  windowSec: number;
  /** Frames painted per second, per tile (getVideoPlaybackQuality: total - dropped). */
  fpsPerTile: number[];
  fpsMin: number;
  fpsMedian: number;
  /** requestVideoFrameCallback's presentedFrames per second (frames handed to the compositor, drawn or not), per tile. */
  presentedFpsPerTile: number[];
  /** getVideoPlaybackQuality() over the window, per tile: frames the player took, and of them dropped before shown, per second. */
  playbackQualityPerTile?: { totalFps: number; droppedFps: number }[];
  chromiumCpuPct: number;
  chromiumProcesses: number;
  /** Chromium's CPU by process kind (browser, renderer, gpu-process, utility:audio...), % of a core. */
  chromiumByKind?: { kind: string; pct: number }[];
  /** The page's main thread (CDP Performance metrics), % of a core: task (all), script, recalcstyle, layout. */
  pageMainThread?: Record<string, number>;
  /** WebRTC's inbound-rtp video over the window: frames received and decoded per tile per second, drops, losses. */
  inboundVideo?: { receivedFps: number; decodedFps: number; droppedFrames: number; packetsLost: number; freezes: number; nacks: number; plis: number; sizes?: Record<string, number> };
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
    // Keeps the page's peer connections within reach, for their inbound-rtp stats.
    await page.addInitScript(`(() => {
      const Native = window.RTCPeerConnection;
      window.__pcs = [];
      window.RTCPeerConnection = class extends Native {
        constructor(...args) { super(...args); window.__pcs.push(this); }
      };
    })()`);
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

    // Frames painted per tile: the player's frames (getVideoPlaybackQuality's totalVideoFrames)
    // minus those it replaced before the compositor drew them (droppedVideoFrames; Chromium's
    // WebMediaPlayerMSCompositor counts one when a new frame replaces one never drawn). Read at
    // the window's two ends only: a requestVideoFrameCallback on every frame of every tile runs
    // the page's main thread once per new frame (its task time 5% -> 29% of a core at 16 tiles,
    // Chromium 134% -> 152%), and its callbacks coalesce when that thread is late, so counting
    // them counted the observer (22.9 per tile where 26.6 were painted). One callback per tile at
    // each end still reads rVFC's presentedFrames (frames handed to the compositor).
    // Plain strings, not functions: tsx's transform would wrap functions in helpers the page lacks.
    const snapshot = () =>
      page.evaluate<Snapshot[]>(`Promise.all(
        [...document.querySelectorAll('[data-testid="tile"] video')].map(async (video) => {
          const presented = await Promise.race([
            new Promise((resolve) => video.requestVideoFrameCallback((now, meta) => resolve(meta.presentedFrames))),
            new Promise((resolve) => setTimeout(() => resolve(null), 1000)),
          ]);
          const q = video.getVideoPlaybackQuality();
          const identity = video.closest('[data-testid="tile"]').getAttribute('data-identity');
          return { identity, atMs: performance.now(), total: q.totalVideoFrames, dropped: q.droppedVideoFrames, presented };
        }),
      )`);
    const inbound = () =>
      page.evaluate<{ received: number; decoded: number; dropped: number; lost: number; freezes: number; nacks: number; plis: number; sizes: Record<string, number> }>(`(async () => {
        const sum = { received: 0, decoded: 0, dropped: 0, lost: 0, freezes: 0, nacks: 0, plis: 0, sizes: {} };
        for (const pc of window.__pcs) {
          const stats = await pc.getStats();
          stats.forEach((s) => {
            if (s.type !== 'inbound-rtp' || s.kind !== 'video') return;
            sum.received += s.framesReceived ?? 0;
            sum.decoded += s.framesDecoded ?? 0;
            sum.dropped += s.framesDropped ?? 0;
            sum.lost += s.packetsLost ?? 0;
            sum.freezes += s.freezeCount ?? 0;
            sum.nacks += s.nackCount ?? 0;
            sum.plis += s.pliCount ?? 0;
            if (s.frameWidth) sum.sizes[s.frameWidth + 'x' + s.frameHeight] = (sum.sizes[s.frameWidth + 'x' + s.frameHeight] ?? 0) + 1;
          });
        }
        return sum;
      })()`);
    const inboundBefore = await inbound();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const metrics = async () => new Map((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
    const metricsBefore = await metrics();
    // HAVEN_BENCH_PROFILE=dir: the page's V8 CPU profile over the window too.
    const profileDir = process.env.HAVEN_BENCH_PROFILE;
    if (profileDir) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.start');
    }
    const treeBefore = readTree(browserPid);
    const serverBefore = readProc(options.serverPid);
    const t0 = performance.now();
    const first = await snapshot();
    await page.waitForTimeout(options.windowSec * 1000);
    const last = await snapshot();
    const windowSec = (performance.now() - t0) / 1000;
    const tiles = tileRates(first, last);
    const metricsAfter = await metrics();
    if (profileDir) {
      const { profile } = await cdp.send('Profiler.stop');
      fs.writeFileSync(path.join(profileDir, `page-${options.tiles}-tiles.cpuprofile`), JSON.stringify(profile));
    }
    const inboundAfter = await inbound();
    const perTileSec = options.tiles * windowSec;
    const video = {
      receivedFps: round1((inboundAfter.received - inboundBefore.received) / perTileSec),
      decodedFps: round1((inboundAfter.decoded - inboundBefore.decoded) / perTileSec),
      droppedFrames: inboundAfter.dropped - inboundBefore.dropped,
      packetsLost: inboundAfter.lost - inboundBefore.lost,
      freezes: inboundAfter.freezes - inboundBefore.freezes,
      nacks: inboundAfter.nacks - inboundBefore.nacks,
      plis: inboundAfter.plis - inboundBefore.plis,
      sizes: inboundAfter.sizes,
    };
    // The page's main thread, % of a core: all its tasks, and of them script, style and layout.
    const mainThread = Object.fromEntries(
      ['TaskDuration', 'ScriptDuration', 'RecalcStyleDuration', 'LayoutDuration'].map((name) => [
        name.replace('Duration', '').toLowerCase(),
        round1((((metricsAfter.get(name) ?? 0) - (metricsBefore.get(name) ?? 0)) / windowSec) * 100),
      ]),
    );
    const treeAfter = readTree(browserPid);
    const serverAfter = readProc(options.serverPid);
    const deltas = cpuDelta(treeBefore, treeAfter);
    const chromiumCpu = deltas.reduce((sum, s) => sum + s.cpuSec, 0);
    const byKind = new Map<string, number>();
    for (const s of deltas) {
      const kind = processKind(s.pid);
      byKind.set(kind, (byKind.get(kind) ?? 0) + s.cpuSec);
    }
    const fps = tiles.map((t) => t.painted);
    const sorted = [...fps].sort((a, b) => a - b);
    await browser.close();
    return {
      tiles: options.tiles,
      tileSize: options.tileSize,
      windowSec: round1(windowSec),
      fpsPerTile: fps,
      fpsMin: sorted[0] ?? 0,
      fpsMedian: sorted[Math.floor(sorted.length / 2)] ?? 0,
      presentedFpsPerTile: tiles.map((t) => t.presented ?? 0),
      playbackQualityPerTile: tiles.map((t) => ({ totalFps: t.player, droppedFps: t.dropped })),
      chromiumCpuPct: round1((chromiumCpu / windowSec) * 100),
      chromiumProcesses: treeAfter.length,
      pageMainThread: mainThread,
      inboundVideo: video,
      chromiumByKind: [...byKind]
        .map(([kind, sec]) => ({ kind, pct: round1((sec / windowSec) * 100) }))
        .sort((a, b) => b.pct - a.pct),
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

/** A Chromium process's kind from its command line: browser, renderer, gpu-process, utility:audio... */
function processKind(pid: number): string {
  let cmdline: string;
  try {
    // Chromium's children rewrite their command line into one space-separated string.
    cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return 'gone';
  }
  const type = /--type=([\w-]+)/.exec(cmdline)?.[1];
  if (!type) return /crashpad/.test(cmdline) ? 'crashpad' : 'browser';
  const sub = /--utility-sub-type=(?:[\w]+\.)*?(\w+)\.mojom/.exec(cmdline)?.[1];
  return sub ? `${type}:${sub}` : type;
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
