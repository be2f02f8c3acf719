import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { trimIncompleteBoxes } from '../../../main/recording/mp4-finalize';
import { makeTempDir } from '../../helpers/temp-dir';

/** An ISO-BMFF box: 32-bit size, type, payload of `bytes` zeros. */
function box(type: string, bytes: number): Buffer {
  const b = Buffer.alloc(8 + bytes);
  b.writeUInt32BE(8 + bytes, 0);
  b.write(type, 4, 'latin1');
  return b;
}

const head = Buffer.concat([box('ftyp', 20), box('moov', 300)]);
const fragment = Buffer.concat([box('moof', 100), box('mdat', 5000)]);

function write(dir: string, ...parts: Buffer[]): string {
  const file = path.join(dir, `f${Math.random().toString(36).slice(2)}.mp4`);
  fs.writeFileSync(file, Buffer.concat(parts));
  return file;
}

describe('trimIncompleteBoxes', () => {
  const { dir, cleanup } = makeTempDir('haven-mp4-trim-');
  afterAll(cleanup);

  it('cuts a moof that the disk filling up cut short, keeping every fragment before it', async () => {
    const whole = Buffer.concat([head, fragment, fragment]);
    const file = write(dir, whole, box('moof', 100).subarray(0, 60));
    expect(await trimIncompleteBoxes(file)).toBe(60);
    expect(fs.readFileSync(file)).toEqual(whole);
  });

  it('cuts a box header cut short', async () => {
    const whole = Buffer.concat([head, fragment]);
    const file = write(dir, whole, Buffer.from([0, 0, 1]));
    expect(await trimIncompleteBoxes(file)).toBe(3);
    expect(fs.statSync(file).size).toBe(whole.length);
  });

  it('keeps an mdat cut short (its whole samples still play)', async () => {
    const file = write(dir, head, fragment, fragment.subarray(0, 2000));
    expect(await trimIncompleteBoxes(file)).toBe(0);
    expect(fs.statSync(file).size).toBe(head.length + fragment.length + 2000);
  });

  it('leaves complete files, and files without a whole moov, alone', async () => {
    const complete = write(dir, head, fragment, box('mfra', 40));
    expect(await trimIncompleteBoxes(complete)).toBe(0);
    const headless = write(dir, box('ftyp', 20), box('moov', 300).subarray(0, 100));
    expect(await trimIncompleteBoxes(headless)).toBe(0);
    expect(fs.statSync(headless).size).toBe(28 + 100);
  });

  it('follows 64-bit box sizes', async () => {
    const large = Buffer.alloc(16 + 50);
    large.writeUInt32BE(1, 0);
    large.write('mdat', 4, 'latin1');
    large.writeBigUInt64BE(BigInt(large.length), 8);
    const file = write(dir, head, box('moof', 10), large, box('moof', 10).subarray(0, 9));
    expect(await trimIncompleteBoxes(file)).toBe(9);
  });
});
