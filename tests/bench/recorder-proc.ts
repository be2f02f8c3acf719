/**
 * Benchmark process 2: the app's own RecordingService (HavenApp, rtc-node decode, one ffmpeg
 * child per file), alone in its process so that its CPU is this process plus its ffmpeg
 * children. The only thing added is a look at what goes into ffmpeg's video pipe, to time the
 * first received frame reaching the encoder.
 */
import type { StdioOptions } from 'node:child_process';
import path from 'node:path';
import { PerformanceObserver, constants as perfConstants, monitorEventLoopDelay, type PerformanceEntry } from 'node:perf_hooks';
import { HavenApp } from '../../main/app';
import { disposeRtc } from '../../main/livekit/recorder-connection';
import { createFileRecorder, type FileRecorder, type FileResult } from '../../main/recording/file-recorder';
import { KeyFileSecretStore } from '../../main/secrets/key-file-secret-store';
import { defaultSettings } from '../../main/settings/settings-service';
import type { FfmpegToolchain } from '../../native/ffmpeg';
import { makeTempDir } from '../helpers/temp-dir';
import { serveRequests } from '../helpers/worker';

interface Entry {
  path: string;
  recorder: FileRecorder;
  ffmpegPid: number | undefined;
  /** performance.now() of the first frame from rtc-node. */
  firstReceivedAt: number | null;
  /** performance.now() when ffmpeg got its first tick (black or not) / first received frame. */
  result: FileResult | null;
}

const entries: Entry[] = [];
const temp = makeTempDir('haven-bench-rec-');
let app: HavenApp | undefined;
let sessionId: string | null = null;
let t0 = 0;
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
// The longest stall between two memory samples (a soak correlates RSS steps with stalls).
const sampleLoopDelay = monitorEventLoopDelay({ resolution: 10 });
sampleLoopDelay.enable();

// V8's collections, cumulative: full (mark-compact) and young (scavenge), with their pauses on
// this thread; why they matter here: main/recording/v8-flags.ts.
const gc = { major: 0, majorMs: 0, minor: 0, minorMs: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
    if (entry.detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) {
      gc.major++;
      gc.majorMs += entry.duration;
    } else if (entry.detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MINOR) {
      gc.minor++;
      gc.minorMs += entry.duration;
    }
  }
}).observe({ entryTypes: ['gc'] });

function snapshot() {
  const mem = process.memoryUsage();
  const files = entries.map((e) => ({ path: e.path, ffmpegPid: e.ffmpegPid, ...e.recorder.progress }));
  const loop = { p99Ms: loopDelay.percentile(99) / 1e6, maxMs: loopDelay.max / 1e6 };
  loopDelay.reset();
  return { atMs: performance.now() - t0, rssBytes: mem.rss, heapUsedBytes: mem.heapUsed, externalBytes: mem.external, arrayBuffersBytes: mem.arrayBuffers, loop, gc: { ...gc }, files };
}

serveRequests(
  {
    async record(req) {
      const { url, token, room, fps, preset, expectFiles } = req as unknown as {
        url: string;
        token: string;
        room: string;
        fps: number;
        preset: 'ultrafast';
        expectFiles: number;
      };
      const dataFolder = path.join(temp.dir, 'data');
      app = new HavenApp({
        dataFolder,
        shell: 'web',
        version: 'bench',
        secrets: new KeyFileSecretStore(dataFolder),
        settingsDefaults: { ...defaultSettings(temp.dir), recordingsFolder: path.join(temp.dir, 'recordings') },
        createRecorder: async (spec) => {
          const entry: Entry = { path: spec.path, recorder: undefined as unknown as FileRecorder, ffmpegPid: undefined, firstReceivedAt: null, result: null };
          const toolchain = Object.create(spec.toolchain) as FfmpegToolchain;
          toolchain.spawnFfmpeg = (args: readonly string[], stdio: StdioOptions) => {
            const child = spec.toolchain.spawnFfmpeg(args, stdio);
            entry.ffmpegPid = child.pid;
            return child;
          };
          const recorder = await createFileRecorder({ ...spec, toolchain });
          entry.recorder = recorder;
          entries.push(entry);
          return {
            ...recorder,
            pushVideoFrame: (frame, arrival) => {
              entry.firstReceivedAt ??= performance.now();
              recorder.pushVideoFrame!(frame, arrival);
            },
            pushAudioFrame: recorder.pushAudioFrame,
            setTrackDelay: recorder.setTrackDelay,
            onDidCrash: recorder.onDidCrash,
            get progress() {
              return recorder.progress;
            },
            stop: async () => {
              entry.result = await recorder.stop();
              return entry.result;
            },
          };
        },
      });
      // As the app does at launch: repairs, and ffmpeg located (and checked) before any recording.
      await app.init();
      const rssBeforeStart = process.memoryUsage().rss;
      t0 = performance.now();
      const session = await app.recording.start({ target: { url, token, profileId: null }, room, participants: 'all', options: { frameRate: fps, preset } });
      const startReturnedMs = performance.now() - t0;
      sessionId = session.sessionId;
      // Bounded wait for every file's first received frame to reach its encoder.
      const deadline = performance.now() + 30_000;
      const firstFrameAt = (e: Entry) => e.recorder.progress.firstFrameWrittenAt;
      while (performance.now() < deadline && (entries.length < expectFiles || entries.some((e) => firstFrameAt(e) === null))) {
        await new Promise((r) => setTimeout(r, 10));
      }
      return {
        rssBeforeStart,
        startReturnedMs,
        files: entries.map((e) => ({
          path: e.path,
          ffmpegPid: e.ffmpegPid,
          firstReceivedMs: e.firstReceivedAt === null ? null : e.firstReceivedAt - t0,
          firstFrameMs: firstFrameAt(e) === null ? null : firstFrameAt(e)! - t0,
        })),
      };
    },
    async snapshot() {
      return snapshot();
    },
    /** Memory only (snapshot also resets the event-loop histogram). */
    async memory() {
      const mem = process.memoryUsage();
      const loopMaxMs = sampleLoopDelay.max / 1e6;
      sampleLoopDelay.reset();
      return { rssBytes: mem.rss, heapUsedBytes: mem.heapUsed, arrayBuffersBytes: mem.arrayBuffers, loopMaxMs };
    },
    async stop() {
      const status = app!.recording.status().flatMap((s) => s.files);
      const stopAt = performance.now();
      await app!.recording.stop({ sessionId: sessionId! });
      return {
        stopTookMs: performance.now() - stopAt,
        files: entries.map((e) => ({
          path: e.path,
          elapsedMs: status.find((s) => s.path === e.path)?.elapsedMs ?? null,
          result: e.result,
        })),
      };
    },
  },
  async () => {
    await app?.close().catch(() => undefined);
    await disposeRtc().catch(() => undefined);
    if (!process.env.HAVEN_BENCH_KEEP) temp.cleanup();
  },
);
