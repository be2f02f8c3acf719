// Runs the real electron-builder on this project (`--linux dir`: the unpacked app every Linux
// target starts from) and checks what it produced: native addons unpacked beside app.asar, the
// staged ffmpeg in resources, the fuses flipped, and native/ finding all of it.
//
// The Electron binary can't be downloaded here, so `electronDist` points at a stand-in: a file
// carrying Electron's fuse wire (sentinel + version + one byte per fuse, as @electron/fuses reads
// and writes it) with Electron 45's defaults. npmRebuild is off because rebuilding for Electron
// downloads its headers; everything else is electron-builder.yml as `npm run dist` uses it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateFfmpeg } from '../../../native/ffmpeg';
import { locateNativeModules } from '../../../native/native-modules';
import { makeTempDir } from '../../helpers/temp-dir';
import { electronBuilderCli, projectDir } from './builder-config';

interface AsarEntry {
  unpacked?: boolean;
}
interface AsarModule {
  listPackage(archive: string, options: { isPack: boolean }): string[];
  statFile(archive: string, filename: string, followLinks?: boolean): AsarEntry;
}
interface FusesModule {
  getCurrentFuseWire(electronPath: string): Promise<Record<string | number, unknown>>;
  FuseV1Options: Record<string, number>;
}
// Both are electron-builder's own dependencies (through app-builder-lib).
const requireFromBuilderLib = createRequire(
  createRequire(createRequire(import.meta.url).resolve('electron-builder')).resolve(
    'app-builder-lib',
  ),
);
const asar = requireFromBuilderLib('@electron/asar') as AsarModule;
const fuses = requireFromBuilderLib('@electron/fuses') as FusesModule;

const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
// Electron 45's shipped fuse states, in FuseV1Options order (1 = on, 0 = off).
const ELECTRON_DEFAULT_WIRE = '101100001';
const FUSE_DISABLED = '0'.charCodeAt(0);
const FUSE_ENABLED = '1'.charCodeAt(0);

const platformDir = `${process.platform}-${process.arch}`;
const stagedDir = path.join(projectDir, 'build', 'ffmpeg', platformDir);
let temp: ReturnType<typeof makeTempDir>;
let appOutDir: string;
let resourcesPath: string;
let archive: string;
let stagedHere = false;
let builderOutput = '';

function which(name: string): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && fs.existsSync(path.join(dir, name))) return path.join(dir, name);
  }
  throw new Error(`${name} is not on PATH (apt-get install ffmpeg)`);
}

describe.runIf(process.platform === 'linux')('electron-builder --linux dir', () => {
  beforeAll(() => {
    if (!fs.existsSync(path.join(projectDir, 'out', 'main', 'electron.js'))) {
      throw new Error('out/ is not built: run `npm run build` (npm install does it too)');
    }
    // Stage ffmpeg as `npm run dist` does, unless a build machine already staged its own.
    if (!['ffmpeg', 'ffprobe'].every((tool) => fs.existsSync(path.join(stagedDir, tool)))) {
      const stage = spawnSync(process.execPath, ['scripts/stage-ffmpeg.mjs'], {
        cwd: projectDir,
        encoding: 'utf8',
        env: { ...process.env, HAVEN_FFMPEG: which('ffmpeg'), HAVEN_FFPROBE: which('ffprobe') },
      });
      if (stage.status !== 0) throw new Error(`stage-ffmpeg failed: ${stage.stderr}`);
      stagedHere = true;
    }

    temp = makeTempDir('haven-pack-');
    const electronDist = path.join(temp.dir, 'electron-dist');
    fs.mkdirSync(electronDist);
    const wire = Buffer.from([
      1,
      ELECTRON_DEFAULT_WIRE.length,
      ...Buffer.from(ELECTRON_DEFAULT_WIRE),
    ]);
    fs.writeFileSync(
      path.join(electronDist, 'electron'),
      Buffer.concat([Buffer.from('#!/bin/sh\nexit 0\n'), Buffer.from(FUSE_SENTINEL), wire]),
      { mode: 0o755 },
    );
    const outputDir = path.join(temp.dir, 'dist');
    // builder-util mutes its log under VITEST; the log is part of what is checked.
    const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true' };
    delete env.VITEST;
    const run = spawnSync(
      process.execPath,
      [
        electronBuilderCli,
        '--linux',
        'dir',
        '--publish',
        'never',
        `-c.electronDist=${electronDist}`,
        '-c.npmRebuild=false',
        `-c.directories.output=${outputDir}`,
      ],
      { cwd: projectDir, encoding: 'utf8', env },
    );
    builderOutput = `${run.stdout}\n${run.stderr}`;
    if (run.status !== 0) throw new Error(`electron-builder failed:\n${builderOutput}`);
    appOutDir = path.join(
      outputDir,
      process.arch === 'x64' ? 'linux-unpacked' : `linux-${process.arch}-unpacked`,
    );
    resourcesPath = path.join(appOutDir, 'resources');
    archive = path.join(resourcesPath, 'app.asar');
  }, 180_000);

  afterAll(() => {
    temp?.cleanup();
    if (stagedHere) {
      fs.rmSync(path.join(projectDir, 'build', 'ffmpeg'), { recursive: true, force: true });
      try {
        fs.rmdirSync(path.join(projectDir, 'build')); // only if nothing else lives there
      } catch {
        // not empty: leave it
      }
    }
  });

  it('loads electron-builder.yml, ships the staged ffmpeg and applies the fuses', () => {
    expect(builderOutput).toMatch(/loaded configuration\s+file=.*electron-builder\.yml/);
    expect(builderOutput).not.toContain("file source doesn't exist");
    expect(builderOutput).toContain('executing @electron/fuses');
  });

  it('packs the compiled app and package.json, no sources or tests', () => {
    const entries = asar.listPackage(archive, { isPack: false });
    expect(entries).toEqual(
      expect.arrayContaining([
        '/package.json',
        '/out/main/electron.js',
        '/out/preload/index.cjs',
        '/out/renderer/index.html',
      ]),
    );
    const top = new Set(entries.map((e) => e.split('/')[1]));
    expect([...top].sort()).toEqual(['node_modules', 'out', 'package.json']);
    expect(entries.filter((e) => /\.(ts|tsx|map)$/.test(e))).toEqual([]);
    expect(entries.some((e) => e.startsWith('/node_modules/ffmpeg-static'))).toBe(false);
  });

  it('marks every .node in the archive unpacked and puts it in app.asar.unpacked', () => {
    const addons = asar.listPackage(archive, { isPack: false }).filter((e) => e.endsWith('.node'));
    expect(addons).toEqual(
      expect.arrayContaining([
        '/node_modules/better-sqlite3/build/Release/better_sqlite3.node',
        expect.stringMatching(
          /^\/node_modules\/@livekit\/rtc-ffi-bindings-[^/]+\/rtc-node\.[^/]+\.node$/,
        ),
      ]),
    );
    for (const entry of addons) {
      expect(asar.statFile(archive, entry.slice(1)).unpacked, entry).toBe(true);
      expect(fs.statSync(path.join(`${archive}.unpacked`, entry)).size, entry).toBeGreaterThan(0);
    }
  });

  it('flips the Electron fuses in the executable', async () => {
    const wire = await fuses.getCurrentFuseWire(path.join(appOutDir, 'haven-player'));
    const o = fuses.FuseV1Options;
    expect({
      runAsNode: wire[o.RunAsNode!],
      enableNodeOptionsEnvironmentVariable: wire[o.EnableNodeOptionsEnvironmentVariable!],
      enableNodeCliInspectArguments: wire[o.EnableNodeCliInspectArguments!],
      enableCookieEncryption: wire[o.EnableCookieEncryption!],
      onlyLoadAppFromAsar: wire[o.OnlyLoadAppFromAsar!],
      enableEmbeddedAsarIntegrityValidation: wire[o.EnableEmbeddedAsarIntegrityValidation!],
    }).toEqual({
      runAsNode: FUSE_DISABLED,
      enableNodeOptionsEnvironmentVariable: FUSE_DISABLED,
      enableNodeCliInspectArguments: FUSE_DISABLED,
      enableCookieEncryption: FUSE_ENABLED,
      onlyLoadAppFromAsar: FUSE_ENABLED,
      enableEmbeddedAsarIntegrityValidation: FUSE_ENABLED,
    });
  });

  it('ships only this platform’s ffmpeg, and native/ffmpeg.ts finds it there', async () => {
    expect(fs.readdirSync(path.join(resourcesPath, 'ffmpeg'))).toEqual([platformDir]);
    const toolchain = await locateFfmpeg({
      resourcesPath,
      env: { PATH: '' },
      resolveFfmpegStatic: () => null,
    });
    expect(toolchain.ffmpeg).toMatchObject({
      source: 'resources',
      path: path.join(resourcesPath, 'ffmpeg', platformDir, 'ffmpeg'),
    });
    expect(toolchain.ffprobe).toMatchObject({
      source: 'resources',
      path: path.join(resourcesPath, 'ffmpeg', platformDir, 'ffprobe'),
    });
  });

  it('native/native-modules.ts finds the unpacked addons, and better-sqlite3 loads from there', () => {
    const found = locateNativeModules({ resourcesPath });
    expect(found.betterSqlite3.startsWith(`${archive}.unpacked${path.sep}`)).toBe(true);
    expect(found.rtcNode.startsWith(`${archive}.unpacked${path.sep}`)).toBe(true);
    // npmRebuild is off here, so these are the Node-ABI builds and load in this process.
    const db = new BetterSqlite3(':memory:', { nativeBinding: found.betterSqlite3 });
    expect(db.pragma('quick_check', { simple: true })).toBe('ok');
    db.close();
  });
});
