// `npm run dist [-- electron-builder args]`: stage ffmpeg, build, package for this platform.
//
// electron-builder rebuilds native modules for Electron's ABI (npmRebuild) inside node_modules,
// which would leave the checkout's better-sqlite3 unloadable by Node (`npm test`, `npm run web`,
// the haven-player CLI) until `npm rebuild`. So its Node build is put aside first and put back
// afterwards, whether packaging succeeded or not.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const NODE_ADDON_BUILDS = [path.join('node_modules', 'better-sqlite3', 'build')];

function run(command, args, env = process.env) {
  console.log(`\n> ${[command, ...args].join(' ')}`);
  const result = spawnSync(command, args, {
    cwd: root,
    env,
    stdio: 'inherit',
    shell: process.platform === 'win32' && command === 'npx',
  });
  return result.status ?? 1;
}

function step(command, args) {
  const status = run(command, args);
  if (status !== 0) process.exit(status);
}

step(process.execPath, ['scripts/stage-ffmpeg.mjs']);
step('npx', ['electron-vite', 'build']);

const saved = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-dist-'));
const backups = [];
for (const [index, relative] of NODE_ADDON_BUILDS.entries()) {
  const dir = path.join(root, relative);
  if (!fs.existsSync(dir)) continue;
  const copy = path.join(saved, String(index));
  fs.cpSync(dir, copy, { recursive: true, verbatimSymlinks: true });
  backups.push({ dir, copy });
}

// An npm `nodedir` setting would make node-gyp compile against those (Node) headers instead of
// Electron's, and the package would ship an addon Electron can't load.
const builderEnv = { ...process.env };
for (const key of Object.keys(builderEnv)) {
  if (key.toLowerCase() === 'npm_config_nodedir') {
    console.log(
      `dist: ignoring ${key}=${builderEnv[key]} so native modules build against Electron's headers`,
    );
    delete builderEnv[key];
  }
}
const builderCli = path.join(root, 'node_modules', 'electron-builder', 'cli.js');

let status;
try {
  status = run(process.execPath, [builderCli, ...process.argv.slice(2)], builderEnv);
} finally {
  for (const { dir, copy } of backups) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.cpSync(copy, dir, { recursive: true, verbatimSymlinks: true });
    console.log(`dist: restored the Node build of ${path.relative(root, dir)}`);
  }
  fs.rmSync(saved, { recursive: true, force: true });
}
if (status !== 0) {
  console.error(
    '\ndist: electron-builder failed. It downloads Electron (and Electron headers to rebuild ' +
      'native modules) on first use, so packaging needs internet access.',
  );
}
process.exit(status);
