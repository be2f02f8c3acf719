import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../api/app-error';

/**
 * Creates `folder` if needed and checks it can be written. Missing folders are created one level
 * at a time from the nearest existing ancestor: `fs.mkdirSync(p, {recursive: true})` never
 * returns for a path under /proc (Node retries ENOENT forever), which would hang the app on a
 * mistyped setting.
 */
export function ensureWritableFolder(folder: string): void {
  if (!path.isAbsolute(folder)) {
    throw new AppError('folder_unwritable', `Use a full path for the recordings folder (got "${folder}").`);
  }
  const missing: string[] = [];
  let existing = path.resolve(folder);
  while (!fs.existsSync(existing)) {
    missing.unshift(existing);
    const parent = path.dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  try {
    if (!fs.statSync(existing).isDirectory()) {
      throw Object.assign(new Error(`${existing} is a file`), { code: 'ENOTDIR' });
    }
    for (const dir of missing) fs.mkdirSync(dir);
    fs.accessSync(folder, fs.constants.W_OK);
    // access() says yes to root everywhere, and read-only mounts fool it: try for real.
    const probe = path.join(folder, `.haven-write-test-${process.pid}`);
    fs.writeFileSync(probe, '');
    fs.rmSync(probe);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new AppError(
      'folder_unwritable',
      `Can't write to the recordings folder ${folder} (${code}). Choose a folder you can write to.`,
      { cause: error },
    );
  }
}
