/**
 * The synthetic publisher's picture and sound, and how to read them back.
 *
 * Every SYNC_PERIOD_S seconds the video frame is entirely white and, at the same instant, the
 * audio carries a BEEP_MS long BEEP_HZ tone; in between, a dark picture with a moving bar and a
 * burned-in frame counter (decimal digits for people, a binary strip for tests), and quiet audio.
 * A recording of it lets a test measure the A/V offset and count lost frames.
 */

export const SYNC_PERIOD_S = 2;
export const BEEP_MS = 100;
export const BEEP_HZ = 1000;
export const SAMPLE_RATE = 48_000;
/** Audio is produced in 10 ms frames. */
export const AUDIO_FRAME_SAMPLES = SAMPLE_RATE / 100;

const BACKGROUND_Y = 24;
const BAR_Y = 70;
const DIGIT_Y = 180;
const WHITE_Y = 255;
export const COUNTER_BITS = 20;

export function isMarkerFrame(frameIndex: number, fps: number): boolean {
  return frameIndex % Math.round(SYNC_PERIOD_S * fps) === 0;
}

/** 3x5 bitmap digits, rows top to bottom, 3 bits per row. */
const FONT: readonly number[][] = [
  [7, 5, 5, 5, 7],
  [2, 6, 2, 2, 7],
  [7, 1, 7, 4, 7],
  [7, 1, 7, 1, 7],
  [5, 5, 7, 1, 1],
  [7, 4, 7, 1, 7],
  [7, 4, 7, 5, 7],
  [7, 1, 2, 2, 2],
  [7, 5, 7, 5, 7],
  [7, 5, 7, 1, 7],
];

/** Geometry of the binary counter strip, shared by the painter and the reader. */
function counterCells(width: number, height: number) {
  const cell = Math.max(4, Math.floor(Math.min(width / (COUNTER_BITS + 4), height / 12)));
  return { cell, x0: cell, y0: cell };
}

/**
 * Paints I420 frames into a reusable ring of buffers: filling rows of a Uint8Array is fast
 * enough for 720p at 30 fps, where computing every pixel in JS is not.
 */
export class FramePainter {
  private readonly ring: Uint8Array[];
  private next = 0;
  readonly frameBytes: number;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.frameBytes = width * height + 2 * (Math.ceil(width / 2) * Math.ceil(height / 2));
    // rtc-node copies the frame during captureFrame, but keep a few so none is reused too early.
    this.ring = Array.from({ length: 3 }, () => new Uint8Array(this.frameBytes));
  }

  paint(frameIndex: number, fps: number): Uint8Array {
    const buf = this.ring[this.next]!;
    this.next = (this.next + 1) % this.ring.length;
    const ySize = this.width * this.height;
    buf.fill(128, ySize); // neutral chroma: a grey-scale picture
    if (isMarkerFrame(frameIndex, fps)) {
      buf.fill(WHITE_Y, 0, ySize);
      return buf;
    }
    buf.fill(BACKGROUND_Y, 0, ySize);
    // A vertical bar sweeping across once per sync period: motion a viewer can see.
    const period = Math.round(SYNC_PERIOD_S * fps);
    const barWidth = Math.max(8, Math.floor(this.width / 16));
    const barX = Math.floor(((frameIndex % period) / period) * (this.width - barWidth));
    this.rect(buf, barX, 0, barWidth, this.height, BAR_Y);
    // Binary counter: one cell per bit, least significant first, bright for 1.
    const { cell, x0, y0 } = counterCells(this.width, this.height);
    for (let bit = 0; bit < COUNTER_BITS; bit++) {
      const on = (frameIndex >> bit) & 1;
      this.rect(buf, x0 + bit * cell, y0, cell, cell, on ? WHITE_Y : 0);
    }
    // Decimal counter for people looking at it.
    const scale = Math.max(2, Math.floor(this.height / 60));
    const digits = String(frameIndex);
    const dx = x0;
    const dy = y0 + cell * 2;
    for (let d = 0; d < digits.length; d++) {
      const glyph = FONT[Number(digits[d])]!;
      for (let row = 0; row < 5; row++) {
        for (let col = 0; col < 3; col++) {
          if ((glyph[row]! >> (2 - col)) & 1) {
            this.rect(buf, dx + (d * 4 + col) * scale, dy + row * scale, scale, scale, DIGIT_Y);
          }
        }
      }
    }
    return buf;
  }

  private rect(buf: Uint8Array, x: number, y: number, w: number, h: number, value: number): void {
    const x1 = Math.min(this.width, x + w);
    const y1 = Math.min(this.height, y + h);
    if (x >= x1) return;
    for (let row = Math.max(0, y); row < y1; row++) {
      buf.fill(value, row * this.width + x, row * this.width + x1);
    }
  }
}

/** Reads the binary counter from a decoded frame's luma plane; undefined on a marker frame. */
export function readFrameCounter(
  luma: Uint8Array,
  width: number,
  height: number,
  stride = width,
): number | undefined {
  const { cell, x0, y0 } = counterCells(width, height);
  let value = 0;
  for (let bit = 0; bit < COUNTER_BITS; bit++) {
    const cx = x0 + bit * cell + (cell >> 1);
    const cy = y0 + (cell >> 1);
    if (luma[cy * stride + cx]! > 128) value |= 1 << bit;
  }
  return value;
}

/** Mean luma of a sparse grid of samples: > 200 on a marker (white) frame, < 60 otherwise. */
export function meanLuma(luma: Uint8Array, width: number, height: number, stride = width): number {
  let sum = 0;
  let n = 0;
  for (let y = height >> 4; y < height; y += height >> 3) {
    for (let x = width >> 4; x < width; x += width >> 3) {
      sum += luma[y * stride + x]!;
      n++;
    }
  }
  return sum / n;
}

/**
 * Audio sample `index` (mono, SAMPLE_RATE): a loud BEEP_HZ tone for BEEP_MS at every sync
 * instant, otherwise a quiet 220 Hz hum (-40 dBFS) so the track is never digital silence.
 */
export function audioSample(index: number): number {
  const t = index / SAMPLE_RATE;
  const sinceMarker = t % SYNC_PERIOD_S;
  if (sinceMarker < BEEP_MS / 1000) return Math.round(16000 * Math.sin(2 * Math.PI * BEEP_HZ * t));
  return Math.round(320 * Math.sin(2 * Math.PI * 220 * t));
}

/** Root mean square of a block of PCM samples. */
export function rms(samples: Int16Array): number {
  let sum = 0;
  for (const s of samples) sum += s * s;
  return Math.sqrt(sum / Math.max(1, samples.length));
}
