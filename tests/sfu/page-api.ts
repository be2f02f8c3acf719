/** What the Chromium test page (page/livekit-page.ts) exposes as `window.lkTest`. */
export interface PixelSample {
  width: number;
  height: number;
  /** Mean of R, G and B over the sampled pixels. */
  mean: number;
  /** Brightest sampled value (R+G+B)/3: far above 0 unless the picture is black. */
  max: number;
  /** Sum of sampled values: changes when the picture moves. */
  checksum: number;
}

export interface LkTest {
  publish(url: string, token: string): Promise<string>;
  /**
   * Subscribes to everything; `adaptive`: with adaptiveStream on and the <video> sized so (CSS
   * px), as an app's tile (the server then sends the simulcast layer that covers it).
   */
  view(url: string, token: string, adaptive?: { width: number; height: number }): Promise<void>;
  /** Resizes the remote <video> (adaptiveStream tells the server). */
  resizeVideo(width: number, height: number): void;
  /** Hides or shows the remote <video> (adaptiveStream disables the track while hidden). */
  setVideoHidden(hidden: boolean): void;
  /** Video frames received so far on the first remote video track (its inbound-rtp stats). */
  framesReceived(): Promise<number>;
  /** Draws the first remote <video> onto a canvas and samples it; undefined until one plays. */
  sampleVideo(): PixelSample | undefined;
  disconnect(): Promise<void>;
}

/** The page's global scope, for page.evaluate callbacks (type-checked without the DOM library). */
export type PageGlobal = typeof globalThis & { lkTest: LkTest };
