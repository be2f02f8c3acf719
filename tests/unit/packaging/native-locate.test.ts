// native/ finds ffmpeg, ffprobe and the native addons in this checkout and in a packaged
// layout (resourcesPath with ffmpeg/<platform>-<arch>/ and app.asar.unpacked/), built in a temp
// folder from the real binaries, and what it finds really runs and loads.
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateFfmpeg } from '../../../native/ffmpeg';
import {
  asarUnpackedPath,
  locateNativeModules,
  NativeModuleNotFoundError,
  rtcBindingPackages,
} from '../../../native/native-modules';
import { makeTempDir } from '../../helpers/temp-dir';
import { projectDir } from './builder-config';

const platformDir = `${process.platform}-${process.arch}`;
const exe = process.platform === 'win32' ? '.exe' : '';
// No PATH and no HAVEN_FFMPEG: only the location under test can be the one found.
const bareEnv: NodeJS.ProcessEnv = { PATH: '' };

function systemBinary(name: string): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, `${name}${exe}`);
    if (dir && fs.existsSync(candidate)) return fs.realpathSync(candidate);
  }
  throw new Error(`${name} is not on PATH (apt-get install ffmpeg)`);
}

function openWithBinding(nativeBinding: string): string {
  const db = new BetterSqlite3(':memory:', { nativeBinding });
  try {
    return (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  } finally {
    db.close();
  }
}

/** Loads an addon the way `require` does, without caching it: its exported names. */
function addonExports(file: string): string[] {
  const module = { exports: {} as Record<string, unknown> };
  process.dlopen(module, file);
  return Object.keys(module.exports);
}

describe('in a checkout', () => {
  it('finds ffmpeg and ffprobe that run and encode H.264/AAC', async () => {
    const toolchain = await locateFfmpeg();
    expect(toolchain.ffmpeg.version).toMatch(/^ffmpeg version/);
    expect(toolchain.ffprobe.version).toMatch(/^ffprobe version/);
  });

  it('finds the better-sqlite3 and rtc-node addons in node_modules, and they load', () => {
    const found = locateNativeModules();
    expect(found.betterSqlite3).toBe(
      path.join(
        projectDir,
        'node_modules',
        'better-sqlite3',
        'build',
        'Release',
        'better_sqlite3.node',
      ),
    );
    const [bindingPackage] = rtcBindingPackages(process.platform, process.arch);
    expect(found.rtcNode.startsWith(path.join(projectDir, 'node_modules', '@livekit'))).toBe(true);
    expect(found.rtcNode).toContain(path.join(...bindingPackage!.split('/')));
    expect(openWithBinding(found.betterSqlite3)).toMatch(/^3\./);
    expect(addonExports(found.rtcNode)).toContain('livekitFfiRequest');
  });
});

describe('in a packaged layout', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let resourcesPath: string;
  let source: ReturnType<typeof locateNativeModules>;

  beforeAll(() => {
    temp = makeTempDir('haven-packaged-');
    resourcesPath = path.join(temp.dir, 'resources');
    source = locateNativeModules();
    const copy = (from: string, to: string) => {
      fs.mkdirSync(path.dirname(to), { recursive: true });
      fs.copyFileSync(from, to);
      fs.chmodSync(to, 0o755);
    };
    // What electron-builder.yml's extraResources and asarUnpack produce.
    copy(systemBinary('ffmpeg'), path.join(resourcesPath, 'ffmpeg', platformDir, `ffmpeg${exe}`));
    copy(systemBinary('ffprobe'), path.join(resourcesPath, 'ffmpeg', platformDir, `ffprobe${exe}`));
    const unpacked = path.join(resourcesPath, 'app.asar.unpacked', 'node_modules');
    copy(
      source.betterSqlite3,
      path.join(unpacked, 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'),
    );
    const bindingDir = path.dirname(source.rtcNode);
    const bindingRelative = path.relative(path.join(projectDir, 'node_modules'), bindingDir);
    copy(
      path.join(bindingDir, 'package.json'),
      path.join(unpacked, bindingRelative, 'package.json'),
    );
    copy(source.rtcNode, path.join(unpacked, bindingRelative, path.basename(source.rtcNode)));
    fs.writeFileSync(path.join(resourcesPath, 'app.asar'), ''); // never read: its contents are JS only
  });
  afterAll(() => temp.cleanup());

  it('finds the ffmpeg and ffprobe shipped in resources/ffmpeg/<platform>-<arch>/', async () => {
    const toolchain = await locateFfmpeg({
      resourcesPath,
      env: bareEnv,
      resolveFfmpegStatic: () => null,
    });
    const dir = path.join(resourcesPath, 'ffmpeg', platformDir);
    expect(toolchain.ffmpeg).toMatchObject({
      source: 'resources',
      path: path.join(dir, `ffmpeg${exe}`),
    });
    expect(toolchain.ffprobe).toMatchObject({
      source: 'resources',
      path: path.join(dir, `ffprobe${exe}`),
    });
    const probe = await toolchain.runFfprobe(['-hide_banner', '-version']);
    expect(probe.code).toBe(0);
  });

  it('prefers the packaged ffmpeg to ffmpeg-static and PATH', async () => {
    const toolchain = await locateFfmpeg({
      resourcesPath,
      env: { PATH: path.dirname(systemBinary('ffmpeg')) },
      resolveFfmpegStatic: () => systemBinary('ffmpeg'),
    });
    expect(toolchain.ffmpeg.source).toBe('resources');
    expect(toolchain.ffprobe.source).toBe('resources');
  });

  it('finds the addons in app.asar.unpacked, and they load from there', () => {
    const found = locateNativeModules({ resourcesPath });
    const unpacked = path.join(resourcesPath, 'app.asar.unpacked', 'node_modules');
    expect(found.betterSqlite3).toBe(
      path.join(unpacked, 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'),
    );
    expect(found.rtcNode.startsWith(unpacked + path.sep)).toBe(true);
    expect(openWithBinding(found.betterSqlite3)).toMatch(/^3\./);
    expect(addonExports(found.rtcNode)).toContain('livekitFfiRequest');
  });

  it('says what it looked for when an addon was left inside the archive', () => {
    const empty = makeTempDir('haven-packaged-empty-');
    try {
      expect(() => locateNativeModules({ resourcesPath: empty.dir })).toThrow(
        NativeModuleNotFoundError,
      );
      expect(() => locateNativeModules({ resourcesPath: empty.dir })).toThrow(
        /app\.asar\.unpacked/,
      );
    } finally {
      empty.cleanup();
    }
  });

  it('maps paths inside app.asar to app.asar.unpacked', () => {
    const inside = path.join(resourcesPath, 'app.asar', 'node_modules', 'x', 'x.node');
    expect(asarUnpackedPath(inside)).toBe(
      path.join(resourcesPath, 'app.asar.unpacked', 'node_modules', 'x', 'x.node'),
    );
    expect(asarUnpackedPath('/usr/lib/x.node')).toBe('/usr/lib/x.node');
  });

  it('resolves a checkout-style tree inside app.asar to its unpacked twin', () => {
    // Electron resolves modules through the archive; plain Node sees app.asar as a folder here.
    const asarDir = path.join(temp.dir, 'asar-as-folder', 'resources');
    const inside = path.join(asarDir, 'app.asar', 'node_modules');
    const outside = path.join(asarDir, 'app.asar.unpacked', 'node_modules');
    const write = (root: string, rel: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), text);
    };
    const [bindingPackage] = rtcBindingPackages(process.platform, process.arch);
    const addonName = path.basename(source.rtcNode);
    for (const root of [inside, outside]) {
      write(root, 'better-sqlite3/package.json', '{"name":"better-sqlite3","main":"lib/index.js"}');
      write(
        root,
        `${bindingPackage}/package.json`,
        JSON.stringify({ name: bindingPackage, main: addonName }),
      );
    }
    write(
      inside,
      '@livekit/rtc-node/package.json',
      '{"name":"@livekit/rtc-node","main":"index.js"}',
    );
    write(inside, '@livekit/rtc-node/index.js', '');
    write(inside, '@livekit/rtc-ffi-bindings/package.json', '{"name":"@livekit/rtc-ffi-bindings"}');
    // The .node files exist only unpacked, as in a real package.
    write(outside, 'better-sqlite3/build/Release/better_sqlite3.node', 'x');
    write(outside, `${bindingPackage}/${addonName}`, 'x');

    const found = locateNativeModules({
      resolveFrom: path.join(asarDir, 'app.asar', 'out', 'main', 'electron.js'),
    });
    expect(found.betterSqlite3).toBe(
      path.join(outside, 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'),
    );
    expect(found.rtcNode).toBe(path.join(outside, ...bindingPackage!.split('/'), addonName));
  });
});
