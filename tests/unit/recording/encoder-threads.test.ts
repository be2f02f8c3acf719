import { describe, expect, it } from 'vitest';
import { buildMp4EncoderArgs, x264ThreadsFor } from '../../../main/recording/mp4-encoder-process';

describe('x264 threads', () => {
  it('shares the cores out among the encoders running, one thread at least', () => {
    expect(x264ThreadsFor(0, 2)).toBe(2);
    expect(x264ThreadsFor(1, 2)).toBe(1);
    expect(x264ThreadsFor(5, 2)).toBe(1);
    expect(x264ThreadsFor(0, 16)).toBe(16);
    expect(x264ThreadsFor(3, 16)).toBe(4);
  });

  it('passes -threads to ffmpeg only when set', () => {
    const base = { toolchain: undefined as never, outputPath: '/tmp/x.mp4', width: 640, height: 360, fps: 30 };
    const args = buildMp4EncoderArgs({ ...base, threads: 3 });
    expect(args[args.indexOf('-threads') + 1]).toBe('3');
    // Output options: after the encoder is chosen, before the file.
    expect(args.indexOf('-threads')).toBeGreaterThan(args.indexOf('libx264'));
    expect(buildMp4EncoderArgs(base)).not.toContain('-threads');
  });
});
