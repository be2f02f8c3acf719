import { defineConfig } from '@playwright/test';
import { chromiumArgs, chromiumPath } from './tests/helpers/chromium';

// Debian's Chromium, never a downloaded browser. Tests start their own web shell (and test
// server) per file, so they run one at a time on these 2-core machines.
export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'test-results',
  timeout: 120_000,
  workers: 1,
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    launchOptions: { executablePath: chromiumPath, args: chromiumArgs },
    viewport: { width: 1280, height: 800 },
    screenshot: 'only-on-failure',
    trace: 'off',
  },
});
