import { describe, expect, it } from 'vitest';
import { blackI420 } from '../../../main/recording/i420-image.js';
import type { I420Image } from '../../../main/recording/i420-image.js';
import { AUDIO_DELAY_WAIT_MS, RecordingTimeline } from '../../../main/recording/timeline.js';
import type { Clock, PcmFrame } from '../../../main/recording/timeline.js';

class FakeClock implements Clock {
  constructor(public ms = 1000) {}
  now(): number {
    return this.ms;
  }
}

function image(tag: number, width = 4, height = 4): I420Image {
  const frame = blackI420(width, height);
  frame.data.fill(tag, 0, width * height);
  return frame;
}

function pcm(samples: number, value = 1000): PcmFrame {
  return {
    data: new Int16Array(samples * 2).fill(value),
    sampleRate: 48_000,
    channels: 2,
    samplesPerChannel: samples,
  };
}

function lumaTag(frame: I420Image | null): number | null {
  return frame ? frame.data[0]! : null;
}

describe('RecordingTimeline video', () => {
  it('is black before the first frame, then repeats the last frame through a gap', () => {
    const clock = new FakeClock();
    const timeline = new RecordingTimeline({ clock, fps: 10, latencyMs: 0, video: true });
    clock.ms += 250; // ticks at 0, 100, 200 ms: black
    timeline.pushVideo(image(50));
    clock.ms += 50;
    const first = timeline.drain();
    // Ticks 0-100, 100-200, 200-300 are over and black; the frame that arrived at 250
    // belongs to the tick starting at 300.
    expect(first.video.map((t) => t.kind)).toEqual(['black', 'black', 'black']);
    clock.ms += 600; // nothing new through 900: the frame repeats
    const second = timeline.drain();
    expect(second.video.map((t) => t.kind)).toEqual(['new', ...Array(5).fill('repeat')]);
    expect(second.video.every((t) => lumaTag(t.image) === 50)).toBe(true);
    expect(timeline.counters).toMatchObject({
      videoFramesIn: 1,
      videoFramesOut: 9,
      videoFramesRepeated: 5,
      videoFramesBlack: 3,
      videoFramesDropped: 0,
    });
  });

  it('shows the newest frame per tick and counts the frames it skipped as dropped', () => {
    const clock = new FakeClock();
    const timeline = new RecordingTimeline({
      clock,
      fps: 10,
      latencyMs: 0,
      maxPendingVideoFrames: 100,
    });
    for (let i = 1; i <= 30; i++) {
      clock.ms += 10; // 100 fps in, 10 fps out
      timeline.pushVideo(image(i));
    }
    const out = timeline.drain();
    expect(out.video.length).toBe(3); // ticks starting at 0, 100, 200
    // Each tick shows the newest frame less than half a tick past its start.
    expect(out.video.map((t) => lumaTag(t.image))).toEqual([4, 14, 24]);
    expect(timeline.counters.videoFramesDropped).toBe(21);
  });

  it('moves a frame that jitter put in the same tick as its predecessor to the empty next tick', () => {
    const clock = new FakeClock();
    const timeline = new RecordingTimeline({ clock, fps: 10, latencyMs: 0 });
    // 10 fps in and out; frame 2 arrives late, next to frame 3 (ticks cover -50..50, 50..150, ...).
    for (const [at, tag] of [[0, 1], [140, 2], [145, 3], [300, 4], [400, 5]] as const) {
      clock.ms = 1000 + at;
      timeline.pushVideo(image(tag));
    }
    clock.ms = 1000 + 500;
    const out = timeline.drain();
    expect(out.video.map((t) => lumaTag(t.image))).toEqual([1, 2, 3, 4, 5]);
    expect(out.video.map((t) => t.kind)).toEqual(['new', 'new', 'new', 'new', 'new']);
    expect(timeline.counters.videoFramesDropped).toBe(0);
  });

  it('still drops when the sender is faster than the output rate', () => {
    const clock = new FakeClock();
    const timeline = new RecordingTimeline({ clock, fps: 10, latencyMs: 0 });
    for (let i = 0; i < 10; i++) {
      clock.ms = 1000 + i * 50; // 20 fps in: every tick has two frames of its own
      timeline.pushVideo(image(i + 1));
    }
    clock.ms = 1000 + 500;
    const out = timeline.drain();
    expect(out.video).toHaveLength(5);
    expect(out.video.every((t) => t.kind === 'new')).toBe(true);
    expect(timeline.counters.videoFramesDropped).toBe(4);
  });

  it('holds output back by the latency so a delay-corrected frame lands in its tick', () => {
    const clock = new FakeClock();
    const timeline = new RecordingTimeline({ clock, fps: 10, latencyMs: 200 });
    timeline.setTrackDelay('video', 90);
    clock.ms += 190; // arrived at 190 but belongs at 100 -> tick at 100
    timeline.pushVideo(image(7));
    clock.ms += 210;
    const out = timeline.drain(); // up to 400 - 200 = 200: ticks 0 and 100
    expect(out.video.map((t) => lumaTag(t.image))).toEqual([null, 7]);
  });

  // After a stall in a track's first seconds libwebrtc held video frames 390-560 ms (its
  // schedule had learned the stall's late arrivals): held to the latency, the frames came out
  // that much late.
  it('waits for a video delay beyond the latency, up to maxLatencyMs', () => {
    const clock = new FakeClock();
    const timeline = new RecordingTimeline({ clock, fps: 10, latencyMs: 200, maxLatencyMs: 2000 });
    timeline.setTrackDelay('video', 600);
    expect(timeline.currentLatencyMs).toBe(700);
    clock.ms += 700; // arrived at 700 but belongs at 100 -> tick at 100
    timeline.pushVideo(image(7));
    clock.ms += 200;
    const out = timeline.drain(); // up to 900 - 700 = 200: ticks 0 and 100
    expect(out.video.map((t) => lumaTag(t.image))).toEqual([null, 7]);
  });

  it('bounds the frames it holds when nobody drains', () => {
    const clock = new FakeClock();
    const timeline = new RecordingTimeline({
      clock,
      fps: 30,
      latencyMs: 0,
      maxPendingVideoFrames: 5,
    });
    for (let i = 0; i < 100; i++) {
      clock.ms += 33;
      timeline.pushVideo(image(i % 200));
    }
    expect(timeline.counters.videoFramesDropped).toBe(95);
  });

  it('fits frames of a new size into the first size', () => {
    const clock = new FakeClock();
    const timeline = new RecordingTimeline({ clock, fps: 10, latencyMs: 0 });
    timeline.pushVideo(image(90, 8, 4));
    clock.ms += 100;
    timeline.pushVideo(image(90, 4, 4)); // narrower: pillarboxed into 8x4
    clock.ms += 100;
    const [, tick] = timeline.drain().video;
    expect(tick!.image!.width).toBe(8);
    expect(tick!.image!.height).toBe(4);
    const row = Array.from(tick!.image!.data.subarray(0, 8));
    expect(row).toEqual([16, 16, 90, 90, 90, 90, 16, 16]);
  });
});

describe('RecordingTimeline audio', () => {
  it('emits as many samples as video time, and fills a gap with silence', () => {
    const clock = new FakeClock();
    const timeline = new RecordingTimeline({ clock, fps: 10, latencyMs: 0 });
    let audio: number[] = [];
    const drainAll = () => {
      audio = audio.concat(Array.from(timeline.drain().audio));
    };
    for (let i = 0; i < 50; i++) {
      clock.ms += 10; // 500 ms of 10 ms chunks arriving in real time
      timeline.pushAudio(pcm(480));
      drainAll();
    }
    clock.ms += 500; // the sender goes quiet for 500 ms
    drainAll();
    for (let i = 0; i < 20; i++) {
      clock.ms += 10;
      timeline.pushAudio(pcm(480, 2000));
      drainAll();
    }
    clock.ms += 100;
    drainAll();
    // 1.3 s elapsed -> 13 ticks -> 1.3 s of audio, as long as the video
    expect(audio.length / 2).toBe(Math.round((13 * 48_000) / 10));
    const perChannel = audio.filter((_, i) => i % 2 === 0);
    const sampleAt = (ms: number) => perChannel[Math.round((ms * 48_000) / 1000)];
    expect(sampleAt(250)).toBe(1000);
    expect(sampleAt(700)).toBe(0); // gap -> silence
    expect(sampleAt(1100)).toBe(2000); // resumed audio in its place
    expect(timeline.counters.audioSilenceInserted).toBeGreaterThan(0.45 * 48_000);
  });

  it('keeps audio contiguous through small jitter', () => {
    const clock = new FakeClock();
    const timeline = new RecordingTimeline({ clock, fps: 30, latencyMs: 300 });
    for (let i = 0; i < 300; i++) {
      clock.ms += 10 + (i % 3 === 0 ? 8 : i % 3 === 1 ? -4 : -4); // late, then early, averaging 10 ms
      timeline.pushAudio(pcm(480));
      timeline.drain();
    }
    expect(timeline.counters.audioSamplesTrimmed).toBe(0);
    // Only the underrun before the first chunk is silence.
    expect(timeline.counters.audioSilenceInserted).toBeLessThan(48 * 30);
  });

  it('trims audio that arrives faster than time passes, within bounds', () => {
    const clock = new FakeClock();
    const timeline = new RecordingTimeline({ clock, fps: 30, latencyMs: 300 });
    for (let i = 0; i < 100; i++) {
      clock.ms += 10;
      timeline.pushAudio(pcm(480));
    }
    // A burst: 1 s of audio arrives at once.
    for (let i = 0; i < 100; i++) timeline.pushAudio(pcm(480));
    clock.ms += 1000;
    const out = timeline.flush();
    expect(timeline.counters.audioSamplesTrimmed).toBeGreaterThanOrEqual(0.8 * 48_000);
    expect(out.audio.length / 2).toBe(Math.round((timeline.counters.videoFramesOut * 48_000) / 30));
  });

  it('upmixes mono and refuses a wrong sample rate with a clear message', () => {
    const clock = new FakeClock();
    const timeline = new RecordingTimeline({ clock, video: false, latencyMs: 0 });
    clock.ms += 10;
    timeline.pushAudio({
      data: new Int16Array(480).fill(5),
      sampleRate: 48_000,
      channels: 1,
      samplesPerChannel: 480,
    });
    const out = timeline.drain();
    expect(out.video).toEqual([]);
    expect(Array.from(out.audio.subarray(0, 4))).toEqual([5, 5, 5, 5]);
    expect(() =>
      timeline.pushAudio({
        data: new Int16Array(441),
        sampleRate: 44_100,
        channels: 1,
        samplesPerChannel: 441,
      }),
    ).toThrow(/sampleRate 48000/);
  });

  it('shifts audio earlier by its track delay', () => {
    const clock = new FakeClock();
    const timeline = new RecordingTimeline({ clock, fps: 10, latencyMs: 200 });
    timeline.setTrackDelay('audio', 100);
    clock.ms += 210; // 10 ms chunk arriving at 210 with 100 ms delay belongs at 100..110
    timeline.pushAudio(pcm(480, 300));
    clock.ms += 200;
    const out = timeline.drain();
    const left = Array.from(out.audio).filter((_, i) => i % 2 === 0);
    expect(left[4799]).toBe(0);
    expect(left[4800]).toBe(300);
    expect(left[5279]).toBe(300);
    expect(left[5280]).toBe(0);
  });

  it('places a burst after a stall where it belongs instead of by its first chunk', () => {
    const clock = new FakeClock();
    const timeline = new RecordingTimeline({ clock, fps: 10, latencyMs: 300 });
    clock.ms += 80; // the event loop stalled: 8 chunks (0-80 ms) arrive at once
    for (let i = 0; i < 8; i++) timeline.pushAudio(pcm(480, i === 0 ? 7 : 1));
    for (let i = 0; i < 92; i++) {
      clock.ms += 10;
      timeline.pushAudio(pcm(480, 1));
      timeline.drain();
    }
    clock.ms += 300;
    const out = timeline.drain();
    void out;
    expect(timeline.counters.audioSilenceInserted).toBe(0);
    expect(timeline.counters.audioSamplesTrimmed).toBe(0);
  });
});

describe('RecordingTimeline jitter-buffer correction', () => {
  it('moves audio by the measured jitter-buffer delay and by each change of it at once, not after a window', () => {
    const clock = new FakeClock();
    const timeline = new RecordingTimeline({ clock, fps: 10, latencyMs: 300, video: false });
    // 200 ms of audio arriving in real time, placed by arrival (delay still unknown).
    for (let i = 0; i < 20; i++) {
      clock.ms += 10;
      timeline.pushAudio(pcm(480), clock.ms);
    }
    // Sets a delay, pushes the next 10 ms chunk, and says how many samples came off / went in.
    const withDelay = (delayMs: number) => {
      const { audioSamplesTrimmed: trimmed, audioSilenceInserted: silence } = timeline.counters;
      timeline.setTrackDelay('audio', delayMs);
      clock.ms += 10;
      timeline.pushAudio(pcm(480), clock.ms);
      return { trimmed: timeline.counters.audioSamplesTrimmed - trimmed, silence: timeline.counters.audioSilenceInserted - silence };
    };
    // The first stats reading: audio waited 100 ms in WebRTC's buffer before it reached us, so
    // the next chunk is placed 100 ms earlier straight away: 100 ms (4800 samples) come off.
    expect(withDelay(100).trimmed).toBeGreaterThanOrEqual(4700);
    // A later change moves audio by exactly the change, at once: 30 ms more delay, 1440 samples off.
    expect(withDelay(130).trimmed).toBe(1440);
    // 25 ms less: 1200 samples of silence go in.
    expect(withDelay(105).silence).toBe(1200);
    // Changes under the 10 ms tolerance are left to the measuring window, even two in a row
    // that each stay under it; together past it, they move audio (12 ms: 576 samples).
    expect(withDelay(111).trimmed).toBe(0);
    expect(withDelay(117).trimmed).toBe(576);
  });
});

describe('RecordingTimeline after a stall (transient audio delay)', () => {
  it('places audio played out late where it belongs, drops what belongs where output is already written, and waits for the rest', () => {
    const clock = new FakeClock(0);
    const timeline = new RecordingTimeline({ clock, latencyMs: 300, maxLatencyMs: 1000, video: false, startMs: 0 });
    const out: number[] = [];
    const append = (audio: Int16Array) => {
      for (let i = 0; i < audio.length; i += 2) out.push(audio[i]!);
    };
    const drain = () => append(timeline.drain().audio);
    const step = (value: number) => {
      clock.ms += 10;
      timeline.pushAudio(pcm(480, value));
      drain();
    };
    timeline.setTrackDelay('audio', 50);
    for (let i = 0; i < 100; i++) step(1); // 0-1000 ms, in real time
    // The process stops for a second; when it resumes, output catches up to now - 300 ms.
    clock.ms += 1000;
    drain();
    expect(out.length).toBe(1700 * 48);
    // WebRTC plays out what it got during the stall, 1050 ms late at first, then speeds up:
    // 50 ms of lag less every 100 ms (each 10 ms chunk is 15 ms of audio), until it is back.
    const chunks: { value: number; placeMs: number; writtenMs: number }[] = [];
    let delay = 1050;
    for (let k = 0; k < 100; k++) {
      if (k % 10 === 0) {
        delay = Math.max(250, delay - (k === 0 ? 0 : 50));
        timeline.setTrackDelay('audio', delay, { transient: delay > 250 });
        // While the delay is over the latency, output waits for it (up to maxLatencyMs).
        expect(timeline.currentLatencyMs).toBe(Math.min(1000, Math.max(300, delay + 100)));
      }
      chunks.push({ value: 100 + k, placeMs: clock.ms + 10 - delay - 10, writtenMs: out.length / 48 });
      step(100 + k);
    }
    clock.ms += 2000;
    append(timeline.flush().audio);
    const dropped = chunks.filter((c) => c.placeMs + 10 <= c.writtenMs);
    const placed = chunks.filter((c) => c.placeMs >= c.writtenMs);
    // Audio whose place was already written is gone, not placed late...
    expect(dropped.length).toBeGreaterThan(10);
    for (const c of dropped) expect(out.indexOf(c.value), `chunk ${c.value}`).toBe(-1);
    // ...and the rest starts exactly where it belongs, with output having waited for it.
    expect(placed.length).toBeGreaterThanOrEqual(50);
    for (const c of placed) expect(out.indexOf(c.value) / 48, `chunk ${c.value}`).toBe(c.placeMs);
  });

  it('waits for a jitter buffer that holds more than the latency, and keeps audio past the most it waits, late', () => {
    const clock = new FakeClock(1000);
    const timeline = new RecordingTimeline({ clock, latencyMs: 300, maxLatencyMs: 1000, video: false, startMs: 0 });
    const out: number[] = [];
    const step = (value: number) => {
      clock.ms += 10;
      timeline.pushAudio(pcm(480, value));
      const audio = timeline.drain().audio;
      for (let i = 0; i < audio.length; i += 2) out.push(audio[i]!);
    };
    // 450 ms in WebRTC's buffer, steadily: output trails by 550 ms and every chunk is in place.
    timeline.setTrackDelay('audio', 450);
    expect(timeline.currentLatencyMs).toBe(550);
    for (let k = 1; k <= 100; k++) step(k);
    expect(timeline.counters.audioSamplesTrimmed).toBe(0);
    for (let k = 1; k <= 50; k++) expect(out.indexOf(k) / 48, `chunk ${k}`).toBe(1000 + k * 10 - 450 - 10);
    // 1.5 s, past the 1 s output may trail: held to 900 ms, so the audio is late but all there.
    timeline.setTrackDelay('audio', 1500);
    expect(timeline.currentLatencyMs).toBe(1000);
    const trimmed = timeline.counters.audioSamplesTrimmed;
    for (let k = 101; k <= 200; k++) step(k);
    clock.ms += 1000;
    const rest = timeline.flush().audio;
    for (let i = 0; i < rest.length; i += 2) out.push(rest[i]!);
    // (The delay growing by 450 ms takes that much off, as a jitter buffer growing stretched it.)
    for (let k = 150; k <= 200; k++) expect(out.indexOf(k), `chunk ${k}`).toBeGreaterThan(0);
    expect(timeline.counters.audioSamplesTrimmed - trimmed).toBeLessThanOrEqual(450 * 48);
  });
});

describe('RecordingTimeline at the start of a track', () => {
  const values = (audio: Int16Array, out: number[]) => {
    for (let i = 0; i < audio.length; i += 2) out.push(audio[i]!);
  };

  it("holds a new track's audio until its first delay reading and places it by that, output waiting meanwhile", () => {
    const clock = new FakeClock(0);
    const timeline = new RecordingTimeline({ clock, latencyMs: 300, maxLatencyMs: 1000, video: false, startMs: 0 });
    const out: number[] = [];
    const step = (k: number) => {
      clock.ms += 10; // chunk k (value k + 1) arrives at 10k + 10, in real time
      timeline.pushAudio(pcm(480, k + 1));
      values(timeline.drain().audio, out);
    };
    timeline.awaitAudioDelay();
    for (let k = 0; k < 20; k++) step(k);
    expect(timeline.currentLatencyMs).toBe(1000);
    // The track's first reading: its audio waited 80 ms in WebRTC's jitter buffer.
    timeline.setTrackDelay('audio', 80);
    expect(timeline.currentLatencyMs).toBe(300);
    for (let k = 20; k < 60; k++) step(k);
    clock.ms += 1000;
    values(timeline.flush().audio, out);
    // Chunk k belongs at 10k + 10 - 80 - 10 ms: from the first one in the file on, each is
    // exactly there (before it, the audio of the first 80 ms belongs before the file's start).
    for (let k = 8; k < 60; k++) expect(out.indexOf(k + 1) / 48, `chunk ${k}`).toBe(10 * k - 80);
  });

  it('places held audio without a delay after AUDIO_DELAY_WAIT_MS: a track that never gets a reading still records', () => {
    const clock = new FakeClock(0);
    const timeline = new RecordingTimeline({ clock, latencyMs: 300, maxLatencyMs: 2000, video: false, startMs: 0 });
    const out: number[] = [];
    timeline.awaitAudioDelay();
    const chunks = AUDIO_DELAY_WAIT_MS / 10 + 50;
    for (let k = 0; k < chunks; k++) {
      clock.ms += 10;
      timeline.pushAudio(pcm(480, k + 1));
      values(timeline.drain().audio, out);
      if (k === AUDIO_DELAY_WAIT_MS / 10 - 2) expect(timeline.currentLatencyMs).toBe(2000);
      if (k === AUDIO_DELAY_WAIT_MS / 10 + 10) expect(timeline.currentLatencyMs).toBe(300);
    }
    clock.ms += 2000;
    values(timeline.flush().audio, out);
    for (let k = 0; k < chunks; k++) expect(out.indexOf(k + 1) / 48, `chunk ${k}`).toBe(10 * k);
    expect(timeline.counters.audioSamplesTrimmed).toBe(0);
  });

  it("holds a settling track's audio and places each burst by the delay at its arrival", () => {
    // A new track's jitter buffer fills: the audio played out at t (ms) is 10 + t / 5 ms behind
    // until t = 300 (WebRTC stretched it by 60 ms meanwhile), then 70. Chunk k plays out by
    // 10k + 10, so it ends where what was sent at 10k + 10 - lag belongs; k + 1 marks it.
    const lag = (t: number) => 10 + Math.min(t, 300) / 5;
    const clock = new FakeClock(0);
    const timeline = new RecordingTimeline({ clock, latencyMs: 300, maxLatencyMs: 2000, video: false, startMs: 0 });
    const out: number[] = [];
    timeline.awaitAudioDelay();
    for (let k = 0; k < 80; k++) {
      clock.ms += 10;
      timeline.pushAudio(pcm(480, k + 1));
      values(timeline.drain().audio, out);
      // Readings every 100 ms: averages over the interval, which trail the lag, while settling;
      // the one at 400 ms gives the delay through it.
      const t = clock.ms;
      if (t % 100 === 0 && t < 400) timeline.setTrackDelay('audio', lag(t - 50), { settling: true });
      if (t === 400) {
        expect(timeline.currentLatencyMs).toBe(2000);
        const history = [0, 100, 200, 300, 400].map((atMs) => ({ atMs, delayMs: lag(atMs) }));
        timeline.setTrackDelay('audio', lag(t), { history });
      }
    }
    clock.ms += 2000;
    values(timeline.flush().audio, out);
    // Each chunk within the 10 ms a stretch is cut in (and the chunks cut out are gone).
    let found = 0;
    for (let k = 0; k < 80; k++) {
      const at = out.indexOf(k + 1);
      if (at === -1) continue;
      found++;
      expect(Math.abs(at / 48 - (10 * k + 10 - lag(10 * k + 10) - 10)), `chunk ${k}`).toBeLessThanOrEqual(10);
    }
    expect(found).toBeGreaterThanOrEqual(74);
  });

  it('moves a queue placed by a late burst earlier, whole, as soon as audio on time shows where it belongs', () => {
    // The file starts at 40 ms. A busy event loop delivers the first 50 ms of audio (true times
    // 0-50) at once at 100 ms, the next 50 ms in two bursts at 104 and 108, then in real time.
    const clock = new FakeClock(0);
    const timeline = new RecordingTimeline({ clock, latencyMs: 300, video: false, startMs: 40 });
    const out: number[] = [];
    const push = (at: number, ...chunks: number[]) => {
      clock.ms = at;
      for (const k of chunks) timeline.pushAudio(pcm(480, k + 1));
      values(timeline.drain().audio, out);
    };
    push(100, 0, 1, 2, 3, 4);
    push(104, 5, 6, 7);
    push(108, 8, 9);
    for (let k = 10; k < 100; k++) push(10 * k + 10, k);
    clock.ms += 1000;
    values(timeline.flush().audio, out);
    // Chunk k belongs at 10k - 40 ms in the file. Placed by the late burst, the first ones were
    // 50 ms late until the measuring window corrected them (half a second later, when they
    // were written already). Now they are within the 10 ms tolerance, and of what belongs in
    // the file nothing is lost: only the 40 ms from before its start went.
    for (let k = 4; k < 100; k++) expect(Math.abs(out.indexOf(k + 1) / 48 - (10 * k - 40)), `chunk ${k}`).toBeLessThanOrEqual(10);
    expect(timeline.counters.audioSamplesTrimmed).toBeLessThanOrEqual(40 * 48);
  });

  it('moves frames not yet written by the first video delay reading', () => {
    const clock = new FakeClock(0);
    const timeline = new RecordingTimeline({ clock, fps: 10, latencyMs: 300, startMs: 0 });
    // Frame k is captured at 100k + 40 ms, early in tick k, and arrives 60 ms later.
    for (let k = 0; k < 5; k++) {
      clock.ms = 100 * k + 100;
      timeline.pushVideo(image(k + 1));
    }
    timeline.setTrackDelay('video', 60);
    clock.ms = 800;
    const ticks = timeline.drain().video;
    expect(ticks.slice(0, 5).map((t) => lumaTag(t.image))).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('RecordingTimeline, the first audio delay after audio placed without one', () => {
  it('moves all the audio not yet written by it, not only what comes after', () => {
    const clock = new FakeClock(0);
    const timeline = new RecordingTimeline({ clock, latencyMs: 300, video: false, startMs: 0 });
    const out: number[] = [];
    const step = (k: number) => {
      clock.ms += 10; // chunk k (value k + 1) arrives at 10k + 10, in real time, 80 ms after it was due
      timeline.pushAudio(pcm(480, k + 1));
      const audio = timeline.drain().audio;
      for (let i = 0; i < audio.length; i += 2) out.push(audio[i]!);
    };
    for (let k = 0; k < 40; k++) step(k); // no reading yet (its file did not wait for one)
    timeline.setTrackDelay('audio', 80);
    for (let k = 40; k < 100; k++) step(k);
    clock.ms += 1000;
    const rest = timeline.flush().audio;
    for (let i = 0; i < rest.length; i += 2) out.push(rest[i]!);
    // Written by then (output trails by 300 ms): up to 100 ms, the first ten chunks, 80 ms late.
    // Everything after is where it belongs (10k - 80 ms), the queued chunks included; the
    // ones whose place was written already are gone.
    for (let k = 18; k < 100; k++) expect(out.indexOf(k + 1) / 48, `chunk ${k}`).toBe(10 * k - 80);
  });
});
