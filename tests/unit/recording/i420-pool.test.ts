import { describe, expect, it } from 'vitest';
import { blackI420, I420Pool, PooledI420Image, releaseI420, retainI420 } from '../../../main/recording/i420-image.js';
import type { I420Image } from '../../../main/recording/i420-image.js';
import { RecordingTimeline } from '../../../main/recording/timeline.js';
import type { VideoTick } from '../../../main/recording/timeline.js';

function image(tag: number): I420Image {
  const frame = blackI420(4, 4);
  frame.data.fill(tag, 0, 16);
  return frame;
}

describe('I420Pool', () => {
  it('reuses a buffer only after its last holder released it', () => {
    const pool = new I420Pool();
    const a = pool.copy(image(1));
    retainI420(a);
    releaseI420(a);
    const b = pool.copy(image(2));
    expect(b.data).not.toBe(a.data); // a is still held once
    releaseI420(a);
    const c = pool.copy(image(3));
    expect(c.data).toBe(a.data);
    expect(c.data[0]).toBe(3);
    releaseI420(blackI420(4, 4)); // not pooled: nothing happens
  });
});

describe('RecordingTimeline with pooled frames', () => {
  it('keeps a tick picture intact while the tick is held, and recycles it once released', () => {
    let now = 1000;
    const timeline = new RecordingTimeline({ clock: { now: () => now }, fps: 10, latencyMs: 0 });
    const held: VideoTick[] = [];
    for (let i = 1; i <= 20; i++) {
      timeline.pushVideo(image(i));
      now += 100;
      held.push(...timeline.drain().video);
    }
    // Every tick still shows the frame it was given, although many newer frames came after.
    const shown = held.filter((t) => t.image).map((t) => t.image!.data[0]!);
    expect(shown).toEqual([...shown].sort((x, y) => x - y));
    expect(new Set(shown).size).toBeGreaterThan(15);
    for (const tick of held) expect(tick.image).toBeInstanceOf(PooledI420Image);
    // Released ticks return their buffers: the pool stops allocating.
    for (const tick of held) releaseI420(tick.image);
    const buffers = new Set<Uint8Array>();
    for (let i = 0; i < 20; i++) {
      timeline.pushVideo(image(100 + i));
      now += 100;
      for (const tick of timeline.drain().video) {
        buffers.add(tick.image!.data);
        releaseI420(tick.image);
      }
    }
    expect(buffers.size).toBeLessThanOrEqual(3);
  });
});
