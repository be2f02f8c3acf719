import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  WAV_HEADER_BYTES,
  WavWriter,
  buildWavHeader,
  parseWavHeader,
  repairWav,
  wavDurationSec,
} from '../../../main/recording/wav-writer.js';

const format = { sampleRate: 48_000, channels: 2, bitsPerSample: 16 };
const GiB = 1024 ** 3;

describe('WAV header math', () => {
  it('writes a plain RIFF with a JUNK placeholder while sizes fit 32 bits', () => {
    const header = buildWavHeader(format, 1_000);
    expect(header.length).toBe(WAV_HEADER_BYTES);
    expect(header.toString('ascii', 0, 4)).toBe('RIFF');
    expect(header.readUInt32LE(4)).toBe(WAV_HEADER_BYTES - 8 + 1_000);
    expect(header.toString('ascii', 12, 16)).toBe('JUNK');
    expect(header.readUInt32LE(16)).toBe(28);
    expect(header.readUInt32LE(64)).toBe(192_000); // byte rate
    expect(header.readUInt16LE(68)).toBe(4); // block align
    expect(header.readUInt32LE(76)).toBe(1_000);
    expect(parseWavHeader(header)).toMatchObject({
      rf64: false,
      dataOffset: 80,
      declaredDataBytes: 1_000,
      format,
    });
  });

  it('stays RIFF up to the last size a 32-bit RIFF chunk can hold', () => {
    const largest = 0xffff_ffff - (WAV_HEADER_BYTES - 8);
    expect(buildWavHeader(format, largest).toString('ascii', 0, 4)).toBe('RIFF');
    expect(buildWavHeader(format, largest + 4).toString('ascii', 0, 4)).toBe('RF64');
  });

  it('switches to RF64 with a ds64 chunk in the same place past 4 GiB', () => {
    const dataBytes = 5 * GiB;
    const header = buildWavHeader(format, dataBytes);
    expect(header.length).toBe(WAV_HEADER_BYTES);
    expect(header.toString('ascii', 0, 4)).toBe('RF64');
    expect(header.readUInt32LE(4)).toBe(0xffff_ffff);
    expect(header.toString('ascii', 12, 16)).toBe('ds64');
    expect(Number(header.readBigUInt64LE(20))).toBe(dataBytes + WAV_HEADER_BYTES - 8);
    expect(Number(header.readBigUInt64LE(28))).toBe(dataBytes);
    expect(Number(header.readBigUInt64LE(36))).toBe(dataBytes / 4);
    expect(header.readUInt32LE(76)).toBe(0xffff_ffff);
    const parsed = parseWavHeader(header)!;
    expect(parsed.rf64).toBe(true);
    expect(parsed.declaredDataBytes).toBe(dataBytes);
    expect(wavDurationSec(format, dataBytes)).toBeCloseTo(dataBytes / 192_000, 6);
  });

  it('parses a standard 44-byte WAV', () => {
    const header = Buffer.alloc(44);
    header.write('RIFF', 0);
    header.writeUInt32LE(36 + 960, 4);
    header.write('WAVE', 8);
    header.write('fmt ', 12);
    header.writeUInt32LE(16, 16);
    header.writeUInt16LE(1, 20);
    header.writeUInt16LE(1, 22);
    header.writeUInt32LE(16_000, 24);
    header.writeUInt32LE(32_000, 28);
    header.writeUInt16LE(2, 32);
    header.writeUInt16LE(16, 34);
    header.write('data', 36);
    header.writeUInt32LE(960, 40);
    expect(parseWavHeader(header)).toMatchObject({
      dataOffset: 44,
      declaredDataBytes: 960,
      format: { sampleRate: 16_000, channels: 1, bitsPerSample: 16 },
    });
    expect(parseWavHeader(Buffer.from('not a wav file at all'))).toBeNull();
  });
});

describe('WavWriter and repairWav', () => {
  let folder: string;
  beforeEach(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'haven-wav-'));
  });
  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('writes samples in order and a final header', async () => {
    const file = path.join(folder, 'a.wav');
    const writer = await WavWriter.open(file, { headerIntervalMs: 10 });
    for (let i = 0; i < 100; i++) writer.write(new Int16Array(960).fill(i));
    const { dataBytes, durationSec } = await writer.close();
    expect(dataBytes).toBe(100 * 960 * 2);
    expect(durationSec).toBeCloseTo(1, 6);
    const bytes = await readFile(file);
    expect(bytes.length).toBe(WAV_HEADER_BYTES + dataBytes);
    expect(parseWavHeader(bytes)!.declaredDataBytes).toBe(dataBytes);
    expect(bytes.readInt16LE(WAV_HEADER_BYTES + 99 * 1920)).toBe(99);
  });

  it('repairWav rewrites a stale header from the file size, ignoring a partial last frame', async () => {
    const file = path.join(folder, 'crashed.wav');
    const pcm = Buffer.alloc(192_000 * 2 + 3); // 2 s and a torn sample frame
    await writeFile(file, Buffer.concat([buildWavHeader(format, 192_000), pcm]));
    const result = await repairWav(file);
    expect(result.rewritten).toBe(true);
    expect(result.durationSec).toBeCloseTo(2, 6);
    expect(parseWavHeader(await readFile(file))!.declaredDataBytes).toBe(192_000 * 2);
    expect((await repairWav(file)).rewritten).toBe(false);
  });

  it('repairWav refuses a file that is not a WAV', async () => {
    const file = path.join(folder, 'x.wav');
    await writeFile(file, 'hello');
    await expect(repairWav(file)).rejects.toThrow(/not a WAV/);
  });
});
