/**
 * A planar YUV 4:2:0 image packed the way @livekit/rtc-node lays out an I420 `VideoFrame`:
 * Y (width x height), then U and V (each ceil(width/2) x ceil(height/2)), no row padding.
 * An rtc-node `VideoFrame` of type I420 satisfies this interface as is; convert other types
 * first with `frame.convert(VideoBufferType.I420)`.
 */
export interface I420Image {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** Bytes in a packed I420 image of this size. */
export function i420ByteLength(width: number, height: number): number {
  const chroma = ((width + 1) >> 1) * ((height + 1) >> 1);
  return width * height + 2 * chroma;
}

/** Limited-range black (Y 16, U/V 128), the value x264 and players treat as black. */
export function blackI420(width: number, height: number): I420Image {
  const data = new Uint8Array(i420ByteLength(width, height));
  data.fill(16, 0, width * height);
  data.fill(128, width * height);
  return { width, height, data };
}

/** The largest even size not above `width` x `height` (x264 needs even sizes for 4:2:0). */
export function evenSize(width: number, height: number): { width: number; height: number } {
  return { width: Math.max(2, width & ~1), height: Math.max(2, height & ~1) };
}

/**
 * Fits `source` into a `width` x `height` image, keeping its aspect ratio and filling the
 * bars with black (letterbox or pillarbox), by nearest-neighbour sampling.
 *
 * Why scale here instead of in ffmpeg: a raw-video input has one fixed size for the life
 * of the process, and restarting the encoder on every simulcast layer switch would split
 * the recording into parts. Nearest neighbour costs ~2-4 ms for 720p in JS and only runs
 * while the incoming size differs from the file's size. Returns `source` itself when the
 * sizes already match.
 */
export function fitI420(source: I420Image, width: number, height: number): I420Image {
  if (source.width === width && source.height === height) return source;
  if (source.data.length < i420ByteLength(source.width, source.height)) {
    throw new Error(
      `I420 frame ${source.width}x${source.height} has only ${source.data.length} bytes`,
    );
  }
  const out = blackI420(width, height);
  const scale = Math.min(width / source.width, height / source.height);
  // Even offsets and sizes keep the luma and chroma grids aligned.
  const fitWidth = Math.min(width, Math.max(2, Math.round((source.width * scale) / 2) * 2));
  const fitHeight = Math.min(height, Math.max(2, Math.round((source.height * scale) / 2) * 2));
  const left = ((width - fitWidth) >> 2) << 1;
  const top = ((height - fitHeight) >> 2) << 1;

  const srcLuma = source.width * source.height;
  const srcChromaWidth = (source.width + 1) >> 1;
  const srcChromaHeight = (source.height + 1) >> 1;
  const srcChroma = srcChromaWidth * srcChromaHeight;
  const dstLuma = width * height;
  const dstChromaWidth = (width + 1) >> 1;
  const dstChroma = dstChromaWidth * ((height + 1) >> 1);

  copyPlane(
    source.data,
    0,
    source.width,
    source.width,
    source.height,
    out.data,
    0,
    width,
    left,
    top,
    fitWidth,
    fitHeight,
  );
  for (const [srcOffset, dstOffset] of [
    [srcLuma, dstLuma],
    [srcLuma + srcChroma, dstLuma + dstChroma],
  ] as const) {
    copyPlane(
      source.data,
      srcOffset,
      srcChromaWidth,
      srcChromaWidth,
      srcChromaHeight,
      out.data,
      dstOffset,
      dstChromaWidth,
      left >> 1,
      top >> 1,
      fitWidth >> 1,
      fitHeight >> 1,
    );
  }
  return out;
}

function copyPlane(
  src: Uint8Array,
  srcOffset: number,
  srcStride: number,
  srcWidth: number,
  srcHeight: number,
  dst: Uint8Array,
  dstOffset: number,
  dstStride: number,
  left: number,
  top: number,
  fitWidth: number,
  fitHeight: number,
): void {
  const columns = new Int32Array(fitWidth);
  for (let x = 0; x < fitWidth; x++) {
    columns[x] = Math.min(srcWidth - 1, Math.floor(((x + 0.5) * srcWidth) / fitWidth));
  }
  for (let y = 0; y < fitHeight; y++) {
    const srcY = Math.min(srcHeight - 1, Math.floor(((y + 0.5) * srcHeight) / fitHeight));
    const srcRow = srcOffset + srcY * srcStride;
    const dstRow = dstOffset + (top + y) * dstStride + left;
    for (let x = 0; x < fitWidth; x++) dst[dstRow + x] = src[srcRow + columns[x]!]!;
  }
}
