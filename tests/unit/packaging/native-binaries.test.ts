import path from 'node:path';
import type { Configuration } from 'electron-builder';
import { minimatch } from 'minimatch';
import { beforeAll, describe, expect, it } from 'vitest';
import { locateNativeModules } from '../../../native/native-modules';
import {
  asarUnpackPatterns,
  filePatterns,
  filesEndingWith,
  loadBuilderConfig,
  productionPackageDirs,
  projectDir,
} from './builder-config';

// electron-builder matches `files` and `asarUnpack` with minimatch, `dot: true`, on paths
// relative to the app directory (app-builder-lib/out/fileMatcher.js).
const match = (file: string, pattern: string) => minimatch(file, pattern, { dot: true });

let config: Configuration;
let nativeFiles: string[];
beforeAll(async () => {
  config = await loadBuilderConfig();
  nativeFiles = productionPackageDirs()
    .flatMap((dir) => filesEndingWith(dir, '.node'))
    .map((file) => path.relative(projectDir, file).split(path.sep).join('/'));
});

/** Production node_modules are always packed, minus the `!` patterns of `files`. */
function isPacked(file: string): boolean {
  return !filePatterns(config).some((p) => p.startsWith('!') && match(file, p.slice(1)));
}

function isUnpacked(file: string): boolean {
  return asarUnpackPatterns(config).some((p) => match(file, p));
}

describe('native binaries in the package', () => {
  it('finds the addons of the production dependencies', () => {
    const found = locateNativeModules();
    const relative = (p: string) => path.relative(projectDir, p).split(path.sep).join('/');
    expect(nativeFiles).toContain(relative(found.betterSqlite3));
    expect(nativeFiles).toContain(relative(found.rtcNode));
    expect(nativeFiles.some((f) => f.startsWith('node_modules/@livekit/rtc-ffi-bindings-'))).toBe(
      true,
    );
  });

  it('packs the addons the app loads and unpacks every .node it packs', () => {
    const found = locateNativeModules();
    const loaded = [found.betterSqlite3, found.rtcNode].map((p) =>
      path.relative(projectDir, p).split(path.sep).join('/'),
    );
    for (const file of loaded) expect(isPacked(file), `${file} is packed`).toBe(true);
    const packed = nativeFiles.filter(isPacked);
    expect(packed.filter((f) => !isUnpacked(f))).toEqual([]);
    // Only build leftovers are dropped (test extension, intermediate objects).
    for (const dropped of nativeFiles.filter((f) => !isPacked(f))) {
      expect(dropped).toMatch(
        /better-sqlite3\/build\/Release\/(obj\.target\/|test_extension\.node)/,
      );
    }
  });

  it('unpacks the whole better-sqlite3 and rtc-node platform packages', () => {
    expect(isUnpacked('node_modules/better-sqlite3/lib/database.js')).toBe(true);
    expect(isUnpacked('node_modules/better-sqlite3/build/Release/better_sqlite3.node')).toBe(true);
    for (const triple of [
      'linux-x64-gnu',
      'linux-arm64-gnu',
      'darwin-arm64',
      'darwin-x64',
      'win32-x64-msvc',
    ]) {
      const file = `node_modules/@livekit/rtc-ffi-bindings-${triple}/rtc-node.${triple}.node`;
      expect(isUnpacked(file), file).toBe(true);
      expect(isPacked(file), file).toBe(true);
    }
    // The JavaScript of the app itself stays in the archive.
    expect(isUnpacked('out/main/electron.js')).toBe(false);
  });

  it('leaves ffmpeg-static out of the archive (ffmpeg ships in resources/ffmpeg/)', () => {
    expect(isPacked('node_modules/ffmpeg-static/ffmpeg')).toBe(false);
    expect(isPacked('node_modules/ffmpeg-static/index.js')).toBe(false);
  });
});
