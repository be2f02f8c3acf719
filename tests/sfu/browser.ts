/**
 * livekit-client in Debian's Chromium for the conformance tests: bundles page/livekit-page.ts
 * with esbuild, serves it from a throwaway static server on 127.0.0.1 (a secure context, so
 * getUserMedia works), and launches Chromium with fake camera and microphone.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumArgs, chromiumPath, fakeMediaArgs } from '../helpers/chromium.js';
import { chromium } from '@playwright/test';
import type { Browser, Page } from '@playwright/test';
import { build } from 'esbuild';

export interface BrowserHarness {
  browser: Browser;
  /** A new page with the livekit-client test page loaded (window.lkTest ready). */
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export async function startBrowser(): Promise<BrowserHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'haven-lk-page-'));
  await build({
    entryPoints: [fileURLToPath(new URL('./page/livekit-page.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    target: 'chrome120',
    outfile: join(dir, 'page.js'),
    logLevel: 'error',
  });
  await writeFile(
    join(dir, 'index.html'),
    '<!doctype html><meta charset="utf-8"><title>lk</title><script type="module" src="/page.js"></script>',
  );
  const files: Record<string, string> = { '/': 'index.html', '/page.js': 'page.js' };
  const types: Record<string, string> = { 'index.html': 'text/html', 'page.js': 'text/javascript' };
  const { readFile } = await import('node:fs/promises');
  const http = createServer((req, res) => {
    const file = files[req.url ?? ''];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    void readFile(join(dir, file)).then((body) =>
      res.writeHead(200, { 'content-type': types[file]! }).end(body),
    );
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: [...chromiumArgs, ...fakeMediaArgs],
  });
  return {
    browser,
    async newPage() {
      const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
      const page = await context.newPage();
      page.on('pageerror', (err) => console.error(`[page] ${err.message}`));
      await page.goto(origin);
      await page.waitForFunction(() => 'lkTest' in globalThis);
      return page;
    },
    async close() {
      await browser.close();
      http.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
