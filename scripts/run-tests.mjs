// `npm test`: typecheck (both tsconfigs), lint, build, then every test — vitest (unit and
// integration) and Playwright (Chromium against the web shell) — inside one private network
// namespace (tests/netns-run), because WebRTC ignores loopback. Ends with one summary line.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

if (process.env.HAVEN_NETNS !== 'active' && !process.env.HAVEN_NO_NETNS) {
  const inner = spawnSync('tests/netns-run', [process.execPath, ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(inner.status ?? 1);
}

const reports = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-reports-'));
const stages = [
  { name: 'typecheck (node)', cmd: ['npx', 'tsc', '-p', 'tsconfig.node.json'] },
  { name: 'typecheck (web)', cmd: ['npx', 'tsc', '-p', 'tsconfig.web.json'] },
  { name: 'lint', cmd: ['npx', 'eslint', '.'] },
  { name: 'build', cmd: ['npx', 'electron-vite', 'build'] },
  {
    name: 'vitest',
    cmd: ['npx', 'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${reports}/vitest.json`],
    report: 'vitest',
  },
  {
    name: 'playwright',
    cmd: ['npx', 'playwright', 'test', '--reporter=list,json'],
    env: { PLAYWRIGHT_JSON_OUTPUT_NAME: `${reports}/playwright.json` },
    report: 'playwright',
  },
];

const only = process.argv[2];
let passed = 0;
let failed = 0;
let skipped = 0;
const failedStages = [];
for (const stage of stages) {
  if (only && !stage.name.startsWith(only)) continue;
  console.log(`\n=== ${stage.name}: ${stage.cmd.join(' ')}`);
  const started = Date.now();
  const run = spawnSync(stage.cmd[0], stage.cmd.slice(1), { stdio: 'inherit', env: { ...process.env, ...stage.env } });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const counts = stage.report ? readCounts(stage.report) : null;
  if (counts) {
    passed += counts.passed;
    failed += counts.failed;
    skipped += counts.skipped;
  }
  if (run.status !== 0) {
    failedStages.push(stage.name);
    if (!counts || counts.failed === 0) failed += 1; // a stage that failed outside any test still counts
  }
  console.log(`=== ${stage.name}: ${run.status === 0 ? 'ok' : 'FAILED'} in ${seconds} s`);
}

if (failedStages.length) console.log(`\nFailed stages: ${failedStages.join(', ')}`);
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failedStages.length ? 1 : 0);

function readCounts(kind) {
  const file = path.join(reports, `${kind}.json`);
  if (!fs.existsSync(file)) return null;
  const data = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (kind === 'vitest') {
    return { passed: data.numPassedTests, failed: data.numFailedTests, skipped: data.numPendingTests + (data.numTodoTests ?? 0) };
  }
  const s = data.stats ?? {};
  return { passed: s.expected ?? 0, failed: (s.unexpected ?? 0) + (s.flaky ?? 0), skipped: s.skipped ?? 0 };
}
