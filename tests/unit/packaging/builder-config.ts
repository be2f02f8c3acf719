// Shared by the packaging tests: electron-builder's own config loading and schema validation
// (app-builder-lib, the library behind the electron-builder CLI), and the production
// dependency tree it packs.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Configuration } from 'electron-builder';

export const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

interface AppBuilderConfigModule {
  getConfig(
    projectDir: string,
    configPath: string | null,
    configFromOptions: Configuration | null,
  ): Promise<Configuration>;
  validateConfiguration(
    config: Configuration,
    debugLogger: { isEnabled: boolean; add(key: string, value: unknown): void },
  ): Promise<void>;
}

// app-builder-lib is electron-builder's dependency, so resolve it from there.
const requireFromBuilder = createRequire(
  createRequire(import.meta.url).resolve('electron-builder'),
);
const configModule = requireFromBuilder(
  'app-builder-lib/out/util/config/config.js',
) as AppBuilderConfigModule;

/** The path of electron-builder's CLI entry, for running it with `node`. */
export const electronBuilderCli = path.join(
  path.dirname(createRequire(import.meta.url).resolve('electron-builder/package.json')),
  'cli.js',
);

/** Loads electron-builder.yml exactly as `electron-builder` does (same loader, same merging). */
export function loadBuilderConfig(): Promise<Configuration> {
  return configModule.getConfig(projectDir, null, null);
}

/** electron-builder's own validation against app-builder-lib's scheme.json; rejects when invalid. */
export function validateBuilderConfig(config: Configuration): Promise<void> {
  return configModule.validateConfiguration(config, { isEnabled: false, add: () => undefined });
}

/** The `files` patterns as plain strings (electron-builder normalizes them into one FileSet). */
export function filePatterns(config: Configuration): string[] {
  const files = config.files;
  const list = Array.isArray(files) ? files : files == null ? [] : [files];
  return list.flatMap((entry) => {
    if (typeof entry === 'string') return [entry];
    const filter = entry.filter;
    return Array.isArray(filter) ? filter : filter ? [filter] : [];
  });
}

export function asarUnpackPatterns(config: Configuration): string[] {
  const value = config.asarUnpack;
  return Array.isArray(value) ? value : value ? [value] : [];
}

/**
 * Folders of every package npm installed for production (dependencies and optional
 * dependencies, transitively, resolved the way Node resolves them); missing optionals are skipped.
 */
export function productionPackageDirs(): string[] {
  const seen = new Set<string>();
  const visit = (dir: string) => {
    const manifest = readManifest(dir);
    const names = {
      ...(manifest.dependencies ?? {}),
      ...(manifest.optionalDependencies ?? {}),
    };
    for (const name of Object.keys(names)) {
      const found = findPackageDir(dir, name);
      if (!found || seen.has(found)) continue; // a missing optional dependency is fine
      seen.add(found);
      visit(found);
    }
  };
  visit(projectDir);
  return [...seen].sort();
}

interface Manifest {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

function readManifest(dir: string): Manifest {
  return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;
}

function findPackageDir(from: string, name: string): string | null {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', ...name.split('/'));
    if (fs.existsSync(path.join(candidate, 'package.json'))) return fs.realpathSync(candidate);
    if (path.dirname(dir) === dir) return null;
  }
}

/** Files under `dir` whose names end with `suffix`, skipping nested node_modules (own packages). */
export function filesEndingWith(dir: string, suffix: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules')
      found.push(...filesEndingWith(full, suffix));
    else if (entry.isFile() && entry.name.endsWith(suffix)) found.push(full);
  }
  return found;
}
