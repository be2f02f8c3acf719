import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * Where the native addons live, in a checkout and in a packaged app.
 *
 * Native code can't be loaded from inside `app.asar`, so electron-builder.yml unpacks these
 * packages (`asarUnpack`) into `<resourcesPath>/app.asar.unpacked/node_modules/`, keeping their
 * paths. Electron redirects `require` of an unpacked `.node` there by itself; this module names
 * the same files so packaging can be checked without Electron, and so a caller that needs an
 * explicit path (better-sqlite3's `nativeBinding` option) gets the loadable one.
 */

/** Inputs to {@link locateNativeModules}; every field is optional. */
export interface NativeModuleLocateOptions {
  /** Packaged app's `process.resourcesPath`; the addons live in `app.asar.unpacked/node_modules/`. */
  readonly resourcesPath?: string | null;
  readonly platform?: NodeJS.Platform;
  readonly arch?: string;
  /** For testing: a file or folder whose `node_modules` a checkout resolves from (default: here). */
  readonly resolveFrom?: string;
}

/** Absolute paths of the `.node` files the app loads. */
export interface NativeModulePaths {
  /** better-sqlite3's addon; usable as its `nativeBinding` constructor option. */
  readonly betterSqlite3: string;
  /** @livekit/rtc-node's FFI addon, from the platform package `@livekit/rtc-ffi-bindings-<triple>`. */
  readonly rtcNode: string;
}

/** A native addon is missing for this platform, or was left inside the asar archive. */
export class NativeModuleNotFoundError extends Error {
  constructor(
    message: string,
    readonly module: 'better-sqlite3' | '@livekit/rtc-node',
    readonly triedPaths: readonly string[],
  ) {
    super(message);
    this.name = 'NativeModuleNotFoundError';
  }
}

const BETTER_SQLITE3_ADDON = path.join('build', 'Release', 'better_sqlite3.node');

/**
 * The `@livekit/rtc-ffi-bindings-*` packages that may hold rtc-node's addon on this platform,
 * most likely first (napi-rs triples; on Linux glibc before musl).
 */
export function rtcBindingPackages(platform: NodeJS.Platform, arch: string): string[] {
  const prefix = '@livekit/rtc-ffi-bindings';
  if (platform === 'linux') return [`${prefix}-linux-${arch}-gnu`, `${prefix}-linux-${arch}-musl`];
  if (platform === 'win32') return [`${prefix}-win32-${arch}-msvc`];
  return [`${prefix}-${platform}-${arch}`];
}

/** Maps a path inside `app.asar` to the same path in `app.asar.unpacked`; other paths unchanged. */
export function asarUnpackedPath(file: string): string {
  const inside = `${path.sep}app.asar${path.sep}`;
  const index = file.indexOf(inside);
  if (index === -1) return file;
  return `${file.slice(0, index)}${path.sep}app.asar.unpacked${path.sep}${file.slice(index + inside.length)}`;
}

/**
 * Finds better-sqlite3's and rtc-node's addons: in `<resourcesPath>/app.asar.unpacked/` when
 * `resourcesPath` is given (a packaged app), else by Node resolution from this module (a checkout;
 * inside an archive the result is mapped to `app.asar.unpacked`). Throws
 * {@link NativeModuleNotFoundError} naming every path tried.
 */
export function locateNativeModules(options: NativeModuleLocateOptions = {}): NativeModulePaths {
  const platform = options.platform ?? process.platform;
  const arch = options.arch ?? process.arch;
  const bindingPackages = rtcBindingPackages(platform, arch);
  if (options.resourcesPath) {
    return locateUnpacked(
      path.join(options.resourcesPath, 'app.asar.unpacked', 'node_modules'),
      bindingPackages,
    );
  }
  return locateInCheckout(options.resolveFrom ?? import.meta.url, bindingPackages);
}

function locateUnpacked(
  nodeModules: string,
  bindingPackages: readonly string[],
): NativeModulePaths {
  const sqliteTried = [path.join(nodeModules, 'better-sqlite3', BETTER_SQLITE3_ADDON)];
  const betterSqlite3 = sqliteTried.find(isFile);
  if (!betterSqlite3) throw notFound('better-sqlite3', sqliteTried);

  // npm hoists the platform package to the top; an older tree may nest it under its dependants.
  const parents = [
    nodeModules,
    path.join(nodeModules, '@livekit', 'rtc-node', 'node_modules'),
    path.join(nodeModules, '@livekit', 'rtc-ffi-bindings', 'node_modules'),
  ];
  const rtcTried: string[] = [];
  for (const parent of parents) {
    for (const name of bindingPackages) {
      const addon = addonOfPackage(path.join(parent, ...name.split('/')));
      rtcTried.push(addon.path);
      if (addon.exists) return { betterSqlite3, rtcNode: addon.path };
    }
  }
  throw notFound('@livekit/rtc-node', rtcTried);
}

function locateInCheckout(
  resolveFrom: string,
  bindingPackages: readonly string[],
): NativeModulePaths {
  const require = createRequire(
    resolveFrom.startsWith('file:') || isFile(resolveFrom)
      ? resolveFrom
      : path.join(resolveFrom, 'noop.js'),
  );
  const sqliteTried: string[] = [];
  let betterSqlite3: string | undefined;
  const sqliteRoot = resolvePackageRoot(require, 'better-sqlite3');
  if (sqliteRoot) {
    const candidate = asarUnpackedPath(path.join(sqliteRoot, BETTER_SQLITE3_ADDON));
    sqliteTried.push(candidate);
    if (isFile(candidate)) betterSqlite3 = candidate;
  }
  if (!betterSqlite3) throw notFound('better-sqlite3', sqliteTried);

  // Resolve the way rtc-node does at run time: rtc-node -> rtc-ffi-bindings -> platform package.
  const rtcTried: string[] = [];
  const rtcEntry = tryResolve(require, '@livekit/rtc-node');
  const bindingsRoot =
    rtcEntry && resolvePackageRoot(createRequire(rtcEntry), '@livekit/rtc-ffi-bindings');
  if (bindingsRoot) {
    const fromBindings = createRequire(path.join(bindingsRoot, 'package.json'));
    for (const name of bindingPackages) {
      const root = resolvePackageRoot(fromBindings, name);
      if (!root) continue;
      const addon = addonOfPackage(root);
      const unpacked = asarUnpackedPath(addon.path);
      rtcTried.push(unpacked);
      if (isFile(unpacked)) return { betterSqlite3, rtcNode: unpacked };
    }
  }
  throw notFound('@livekit/rtc-node', rtcTried);
}

/** A napi-rs platform package names its addon in `main`. */
function addonOfPackage(packageRoot: string): { path: string; exists: boolean } {
  let main: unknown;
  try {
    main = (
      JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as {
        main?: unknown;
      }
    ).main;
  } catch {
    return { path: packageRoot, exists: false };
  }
  const file = path.join(packageRoot, typeof main === 'string' ? main : 'index.node');
  return { path: file, exists: file.endsWith('.node') && isFile(asarUnpackedPath(file)) };
}

function resolvePackageRoot(require: NodeJS.Require, name: string): string | null {
  const manifest = tryResolve(require, `${name}/package.json`);
  return manifest ? path.dirname(manifest) : null;
}

function tryResolve(require: NodeJS.Require, request: string): string | null {
  try {
    return require.resolve(request);
  } catch {
    return null;
  }
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function notFound(
  module: NativeModuleNotFoundError['module'],
  tried: string[],
): NativeModuleNotFoundError {
  const where = tried.length ? ` (looked at ${tried.join(', ')})` : '';
  const hint =
    module === 'better-sqlite3'
      ? 'run npm install (it builds better-sqlite3), or check asarUnpack in electron-builder.yml'
      : 'this platform has no @livekit/rtc-ffi-bindings package, or asarUnpack missed it';
  return new NativeModuleNotFoundError(
    `${module} native addon not found${where}: ${hint}`,
    module,
    tried,
  );
}
