import fs from 'node:fs';
import path from 'node:path';
import type { Configuration } from 'electron-builder';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  asarUnpackPatterns,
  filePatterns,
  loadBuilderConfig,
  projectDir,
  validateBuilderConfig,
} from './builder-config';

let config: Configuration;
beforeAll(async () => {
  config = await loadBuilderConfig();
});

describe('electron-builder.yml', () => {
  // The first validation loads electron-builder's schema machinery: seconds on a busy machine.
  it("passes electron-builder's own schema validation", { timeout: 60_000 }, async () => {
    await expect(validateBuilderConfig(config)).resolves.toBeUndefined();
  });

  it('is really checked: a misspelt key is rejected', async () => {
    const broken = { ...config, electronFuses: { runAsNod: false } } as unknown as Configuration;
    await expect(validateBuilderConfig(broken)).rejects.toThrow(/electronFuses/);
  });

  it('names the app and builds AppImage + deb, dmg and nsis', () => {
    expect(config.appId).toBe('app.havenplayer.desktop');
    expect(config.productName).toBe('Haven Player');
    expect(config.directories?.buildResources).toBe('resources');
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.mac?.target).toEqual(['dmg']);
    expect(config.win?.target).toEqual(['nsis']);
  });

  it('sets the Electron fuses', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
    });
  });

  it('packs the compiled app, not sources or tests, into an asar', () => {
    const files = filePatterns(config);
    expect(files).toEqual(expect.arrayContaining(['out/**', 'package.json']));
    for (const pattern of files.filter((p) => !p.startsWith('!'))) {
      expect(pattern).toMatch(/^(out\/|package\.json$)/);
    }
    expect(config.asar).not.toBe(false);
    // package.json's entry point is what the packaged app starts.
    const main = (
      JSON.parse(fs.readFileSync(path.join(projectDir, 'package.json'), 'utf8')) as { main: string }
    ).main;
    expect(main.startsWith('out/')).toBe(true);
  });

  it('unpacks better-sqlite3 and the rtc-node platform binaries', () => {
    expect(asarUnpackPatterns(config)).toEqual(
      expect.arrayContaining([
        '**/node_modules/better-sqlite3/**',
        '**/node_modules/@livekit/rtc-ffi-bindings-*/**',
      ]),
    );
  });

  it('rebuilds native modules for Electron at pack time', () => {
    expect(config.npmRebuild).not.toBe(false);
    expect(config.buildDependenciesFromSource).not.toBe(true);
  });

  it('ships the staged ffmpeg where native/ffmpeg.ts looks for it', () => {
    const sets = Array.isArray(config.extraResources)
      ? config.extraResources
      : [config.extraResources];
    // The macros electron-builder expands in FileSet paths (${platform} is the build host's).
    const expand = (p: string) =>
      p.replaceAll('${platform}', process.platform).replaceAll('${arch}', process.arch);
    const ffmpeg = sets.find((s) => typeof s === 'object' && s?.to?.startsWith('ffmpeg'));
    expect(ffmpeg).toBeDefined();
    if (typeof ffmpeg !== 'object' || !ffmpeg?.from || !ffmpeg.to) return;
    // scripts/stage-ffmpeg.mjs writes here ...
    expect(expand(ffmpeg.from)).toBe(
      path.join('build', 'ffmpeg', `${process.platform}-${process.arch}`),
    );
    // ... and locateFfmpeg({resourcesPath}) reads <resourcesPath>/ffmpeg/<platform>-<arch>/.
    expect(expand(ffmpeg.to)).toBe(path.join('ffmpeg', `${process.platform}-${process.arch}`));
    // A second copy inside the archive would be dead weight: the package is excluded.
    expect(filePatterns(config)).toContain('!**/node_modules/ffmpeg-static{,/**}');
  });

  it('is what `npm run dist` uses', () => {
    const scripts = (
      JSON.parse(fs.readFileSync(path.join(projectDir, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    expect(scripts.dist).toBe('node scripts/dist.mjs');
    const dist = fs.readFileSync(path.join(projectDir, 'scripts', 'dist.mjs'), 'utf8');
    const order = [
      'scripts/stage-ffmpeg.mjs',
      "'electron-vite', 'build'",
      "'electron-builder'",
    ].map((s) => dist.indexOf(s));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });
});
