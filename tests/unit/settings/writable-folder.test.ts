import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { AppError } from '../../../main/api/app-error';
import { ensureWritableFolder } from '../../../main/settings/writable-folder';
import { makeTempDir } from '../../helpers/temp-dir';

let temp: ReturnType<typeof makeTempDir>;
beforeEach(() => (temp = makeTempDir()));
afterEach(() => temp.cleanup());

function refusal(folder: string): AppError {
  try {
    ensureWritableFolder(folder);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error(`${folder} was accepted`);
}

it('creates nested missing folders', () => {
  const folder = path.join(temp.dir, 'a', 'b', 'c');
  ensureWritableFolder(folder);
  expect(fs.statSync(folder).isDirectory()).toBe(true);
  expect(fs.readdirSync(folder)).toEqual([]); // the write probe is cleaned up
});

it('refuses a path under /proc at once instead of hanging (Node recursive mkdir loops there)', () => {
  expect(refusal('/proc/haven-test/recordings').code).toBe('folder_unwritable');
});

it('refuses a folder inside a file, and relative paths, with what to do', () => {
  const file = path.join(temp.dir, 'file');
  fs.writeFileSync(file, '');
  expect(refusal(path.join(file, 'recordings')).message).toMatch(/ENOTDIR.*Choose a folder you can write to/);
  expect(refusal('recordings').message).toMatch(/full path/);
});
