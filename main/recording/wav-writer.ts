import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

/** PCM layout of a WAV file. */
export interface WavFormat {
  readonly sampleRate: number;
  readonly channels: number;
  /** Only 16 is written; other values are read. */
  readonly bitsPerSample: number;
}

/**
 * Size of the header this module writes: RIFF/RF64 (12) + JUNK/ds64 (8 + 28) + fmt (8 + 16)
 * + data header (8). The 28-byte JUNK chunk is where a ds64 chunk goes when the file passes
 * 4 GiB (EBU Tech 3306), so the upgrade to RF64 rewrites the header in place.
 */
export const WAV_HEADER_BYTES = 80;
const DS64_BYTES = 28;
const MAX_U32 = 0xffff_ffff;

/** The header for `dataBytes` of PCM: plain RIFF while sizes fit 32 bits, RF64 beyond. */
export function buildWavHeader(format: WavFormat, dataBytes: number): Buffer {
  const header = Buffer.alloc(WAV_HEADER_BYTES);
  const blockAlign = (format.channels * format.bitsPerSample) / 8;
  const riffBytes = WAV_HEADER_BYTES - 8 + dataBytes;
  const rf64 = riffBytes > MAX_U32;

  header.write(rf64 ? 'RF64' : 'RIFF', 0, 'ascii');
  header.writeUInt32LE(rf64 ? MAX_U32 : riffBytes, 4);
  header.write('WAVE', 8, 'ascii');
  header.write(rf64 ? 'ds64' : 'JUNK', 12, 'ascii');
  header.writeUInt32LE(DS64_BYTES, 16);
  if (rf64) {
    header.writeBigUInt64LE(BigInt(riffBytes), 20);
    header.writeBigUInt64LE(BigInt(dataBytes), 28);
    header.writeBigUInt64LE(BigInt(Math.floor(dataBytes / blockAlign)), 36);
    header.writeUInt32LE(0, 44); // no table of other large chunks
  }
  header.write('fmt ', 48, 'ascii');
  header.writeUInt32LE(16, 52);
  header.writeUInt16LE(1, 56); // PCM
  header.writeUInt16LE(format.channels, 58);
  header.writeUInt32LE(format.sampleRate, 60);
  header.writeUInt32LE(format.sampleRate * blockAlign, 64);
  header.writeUInt16LE(blockAlign, 68);
  header.writeUInt16LE(format.bitsPerSample, 70);
  header.write('data', 72, 'ascii');
  header.writeUInt32LE(rf64 ? MAX_U32 : dataBytes, 76);
  return header;
}

/** What a WAV header declares. */
export interface ParsedWavHeader {
  readonly format: WavFormat;
  readonly rf64: boolean;
  /** Offset of the first PCM byte. */
  readonly dataOffset: number;
  /** Data size the header claims (may be stale after a crash). */
  readonly declaredDataBytes: number;
  /** Offset of the data chunk's 32-bit size field. */
  readonly dataSizeFieldOffset: number;
}

/**
 * Parses a WAV/RF64 header by walking its chunks (not only the layout written here).
 * Returns null when the bytes are not a PCM WAV header.
 */
export function parseWavHeader(bytes: Buffer): ParsedWavHeader | null {
  if (bytes.length < 12) return null;
  const magic = bytes.toString('ascii', 0, 4);
  if ((magic !== 'RIFF' && magic !== 'RF64') || bytes.toString('ascii', 8, 12) !== 'WAVE')
    return null;
  let format: WavFormat | null = null;
  let ds64DataBytes: number | null = null;
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const id = bytes.toString('ascii', offset, offset + 4);
    const size = bytes.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'ds64' && body + 16 <= bytes.length) {
      ds64DataBytes = Number(bytes.readBigUInt64LE(body + 8));
    } else if (id === 'fmt ' && body + 16 <= bytes.length) {
      format = {
        channels: bytes.readUInt16LE(body + 2),
        sampleRate: bytes.readUInt32LE(body + 4),
        bitsPerSample: bytes.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!format) return null;
      const declared =
        magic === 'RF64' && size === MAX_U32 && ds64DataBytes !== null ? ds64DataBytes : size;
      return {
        format,
        rf64: magic === 'RF64',
        dataOffset: body,
        declaredDataBytes: declared,
        dataSizeFieldOffset: offset + 4,
      };
    }
    offset = body + size + (size % 2); // chunks are padded to even sizes
  }
  return null;
}

/** Seconds of audio in `dataBytes` of PCM. */
export function wavDurationSec(format: WavFormat, dataBytes: number): number {
  const blockAlign = (format.channels * format.bitsPerSample) / 8;
  return Math.floor(dataBytes / blockAlign) / format.sampleRate;
}

/** Options of {@link WavWriter.open}. */
export interface WavWriterOptions {
  /** Default 48000. */
  readonly sampleRate?: number;
  /** Default 2. */
  readonly channels?: number;
  /** Rewrite the header after this much audio, bounding what a crash can lose. Default 1000 ms. */
  readonly headerIntervalMs?: number;
  /** Audio allowed to wait for the disk before new audio is dropped. Default 10 s. */
  readonly maxPendingMs?: number;
}

/**
 * Writes 16-bit PCM to a WAV file as it arrives. The header is rewritten about once a second
 * (so a crash loses at most that much to a stale header, and {@link repairWav} recovers even
 * that) and becomes RF64 in place once the file passes 4 GiB. Writes are queued in order
 * and bounded: if the disk stalls, new audio is dropped and counted rather than held.
 */
export class WavWriter {
  /** Samples per channel dropped because the disk fell behind. */
  droppedSamples = 0;
  private dataBytes = 0;
  private bytesSinceHeader = 0;
  private pendingBytes = 0;
  private queue: Promise<void> = Promise.resolve();
  private failure: Error | null = null;
  private closed: Promise<{ dataBytes: number; durationSec: number }> | null = null;
  private readonly blockAlign: number;
  private readonly headerIntervalBytes: number;
  private readonly maxPendingBytes: number;

  private constructor(
    readonly path: string,
    readonly format: WavFormat,
    private readonly handle: FileHandle,
    options: WavWriterOptions,
  ) {
    this.blockAlign = (format.channels * format.bitsPerSample) / 8;
    const bytesPerMs = (format.sampleRate * this.blockAlign) / 1000;
    this.headerIntervalBytes = Math.round((options.headerIntervalMs ?? 1000) * bytesPerMs);
    this.maxPendingBytes = Math.round((options.maxPendingMs ?? 10_000) * bytesPerMs);
  }

  /** Creates (or truncates) the file and writes an empty header. */
  static async open(path: string, options: WavWriterOptions = {}): Promise<WavWriter> {
    const format = {
      sampleRate: options.sampleRate ?? 48_000,
      channels: options.channels ?? 2,
      bitsPerSample: 16,
    };
    const handle = await open(path, 'w');
    try {
      await handle.write(buildWavHeader(format, 0), 0, WAV_HEADER_BYTES, 0);
    } catch (error) {
      await handle.close();
      throw error;
    }
    return new WavWriter(path, format, handle, options);
  }

  /** PCM bytes accepted so far (queued or written). */
  get bytes(): number {
    return this.dataBytes;
  }

  get durationSec(): number {
    return wavDurationSec(this.format, this.dataBytes);
  }

  /** The first write error, if any; after one, further audio is dropped. */
  get error(): Error | null {
    return this.failure;
  }

  /** Appends interleaved PCM. Returns false when it was dropped (disk behind, failed or closed). */
  write(pcm: Int16Array): boolean {
    if (pcm.length === 0) return true;
    const bytes = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
    if (this.closed || this.failure || this.pendingBytes + bytes.length > this.maxPendingBytes) {
      this.droppedSamples += bytes.length / this.blockAlign;
      return false;
    }
    const position = WAV_HEADER_BYTES + this.dataBytes;
    this.dataBytes += bytes.length;
    this.bytesSinceHeader += bytes.length;
    this.pendingBytes += bytes.length;
    const patchHeader = this.bytesSinceHeader >= this.headerIntervalBytes;
    if (patchHeader) this.bytesSinceHeader = 0;
    const dataBytesNow = this.dataBytes;
    this.enqueue(async () => {
      await this.handle.write(bytes, 0, bytes.length, position);
      this.pendingBytes -= bytes.length;
      if (patchHeader) await this.writeHeader(dataBytesNow);
    });
    return true;
  }

  /** Finishes pending writes, writes the final header and closes the file. Idempotent. */
  close(): Promise<{ dataBytes: number; durationSec: number }> {
    this.closed ??= (async () => {
      const dataBytes = this.dataBytes;
      this.enqueue(() => this.writeHeader(dataBytes));
      await this.queue;
      await this.handle.close();
      if (this.failure) throw this.failure;
      return { dataBytes, durationSec: this.durationSec };
    })();
    return this.closed;
  }

  private writeHeader(dataBytes: number): Promise<unknown> {
    return this.handle.write(buildWavHeader(this.format, dataBytes), 0, WAV_HEADER_BYTES, 0);
  }

  private enqueue(task: () => Promise<unknown>): void {
    this.queue = this.queue.then(async () => {
      if (this.failure) return;
      try {
        await task();
      } catch (error) {
        this.failure = error as Error;
      }
    });
  }
}

/** Result of {@link repairWav}. */
export interface WavRepairResult {
  readonly format: WavFormat;
  readonly dataBytes: number;
  readonly durationSec: number;
  /** Whether the header had to change. */
  readonly rewritten: boolean;
}

/**
 * Rewrites a WAV header from the file's actual size, for files left behind by a crash.
 * Files in this module's layout get a full header (RF64 when over 4 GiB); other WAVs get
 * their size fields patched (capped at 4 GiB, which is all a plain RIFF can say). A partial
 * trailing sample frame is ignored. Throws when the file is not a PCM WAV.
 */
export async function repairWav(path: string): Promise<WavRepairResult> {
  const handle = await open(path, 'r+');
  try {
    const head = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const parsed = parseWavHeader(head.subarray(0, bytesRead));
    if (!parsed) throw new Error(`${path} is not a WAV file with a readable header`);
    const fileBytes = (await handle.stat()).size;
    const blockAlign = (parsed.format.channels * parsed.format.bitsPerSample) / 8;
    const dataBytes =
      Math.floor(Math.max(0, fileBytes - parsed.dataOffset) / blockAlign) * blockAlign;
    const rewritten = dataBytes !== parsed.declaredDataBytes;
    if (rewritten) {
      if (parsed.dataOffset === WAV_HEADER_BYTES && head.toString('ascii', 48, 52) === 'fmt ') {
        await handle.write(buildWavHeader(parsed.format, dataBytes), 0, WAV_HEADER_BYTES, 0);
      } else {
        const sizes = Buffer.alloc(4);
        sizes.writeUInt32LE(Math.min(MAX_U32, parsed.dataOffset - 8 + dataBytes));
        await handle.write(sizes, 0, 4, 4);
        sizes.writeUInt32LE(Math.min(MAX_U32, dataBytes));
        await handle.write(sizes, 0, 4, parsed.dataSizeFieldOffset);
      }
    }
    return {
      format: parsed.format,
      dataBytes,
      durationSec: wavDurationSec(parsed.format, dataBytes),
      rewritten,
    };
  } finally {
    await handle.close();
  }
}
