/**
 * `npm run bench` (inside tests/netns-run): what recording costs, against ffmpeg's own floor.
 *
 *   npm run bench                                  sweep 1,4,8,12 streams x 20 s + floor + 9/16-tile grid;
 *                                                  then the Ns between the largest in real time and the
 *                                                  next tried, halving the gap (--no-refine: not)
 *   npm run bench -- --streams 1,4,8 --seconds 20  a shorter sweep
 *   npm run bench -- --soak 600 --streams 4        RSS growth over 10 minutes of 4 streams
 *   npm run bench -- --streams 1,2 --jitter 80 --loss 0.01 --no-renderer
 *                                                  the same through a simulated bad network
 *   npm run bench -- --report-only                 re-render the table and docs from the JSON
 *   npm run bench -- --no-sweep                    the grid only
 *   npm run bench -- --no-renderer --no-floor      options: --width --height --fps --preset --json
 *                                                  --tiles 9,16 --tile-size 1280x720 --wait-load 1.5
 *
 * Three kinds of process: this one (orchestrates, reads /proc, runs the floor's ffmpegs and the
 * web shell), the test server with its replay publishers (tests/sfu/server-worker.ts), and the
 * recorder (tests/bench/recorder-proc.ts: the app's RecordingService, rtc-node, ffmpeg children).
 * Recorder CPU is that process plus its ffmpeg children, from /proc utime+stime.
 * Writes a table to stdout, JSON (default tests/bench/results/latest.json) and docs/benchmarks.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AccessToken } from 'livekit-server-sdk';
import { locateFfmpeg, type FfmpegToolchain } from '../../native/ffmpeg';
import type { X264Preset } from '../../main/recording/mp4-encoder-process';
import { RECORDER_V8_FLAGS } from '../../main/recording/v8-flags';
import { findBeepOnsets, findFlashes, matchMarkers } from '../integration/recording-fixtures';
import { killFloor, runFloor, type FloorResult } from './floor';
import { killAllWorkers, startWorker, type Worker } from '../helpers/worker';
import { startServerProcess, type RemoteReplay, type ServerProcess } from '../sfu/server-process';
import { cpuDelta, loadAverage, machineBusyCores, machineInfo, readProc, readThreads, readTree, threadDelta, type MachineInfo } from './proc';
import { killBrowser, measureGrid, rendererBuilt, type GridResult } from './renderer';
import { gcSummary, renderMarkdown, renderTable, TARGETS, type BenchResults, type RssPoint, type StreamRun, type SoakRun } from './report';

const { values: opt } = parseArgs({
  options: {
    streams: { type: 'string', default: '1,4,8,12' },
    seconds: { type: 'string', default: '20' },
    width: { type: 'string', default: '1280' },
    height: { type: 'string', default: '720' },
    fps: { type: 'string', default: '30' },
    preset: { type: 'string', default: 'ultrafast' },
    json: { type: 'string', default: 'tests/bench/results/latest.json' },
    docs: { type: 'string', default: 'docs/benchmarks.md' },
    renderer: { type: 'boolean', default: true },
    'no-renderer': { type: 'boolean', default: false },
    'no-floor': { type: 'boolean', default: false },
    'no-sweep': { type: 'boolean', default: false },
    'no-docs': { type: 'boolean', default: false },
    'no-refine': { type: 'boolean', default: false },
    tiles: { type: 'string', default: '9,16' },
    'tile-size': { type: 'string', default: '1280x720' },
    soak: { type: 'string' },
    jitter: { type: 'string' },
    loss: { type: 'string', default: '0' },
    'wait-load': { type: 'string', default: '1.5' },
    'wait-max': { type: 'string', default: '300' },
    'report-only': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});

if (opt.help) {
  console.log(fs.readFileSync(new URL(import.meta.url), 'utf8').split('*/')[0]);
  process.exit(0);
}

const soakSec = opt.soak ? Number(opt.soak) : null;
if (soakSec && opt.jitter) {
  // The soak's result is the one RSS growth is judged on; a jittery one would replace it.
  console.error('--soak and --jitter measure different things: run them one at a time');
  process.exit(2);
}
// Through the test server's simulated network: the sweep's runs go to the `network` part.
const network = opt.jitter ? { jitterMs: Number(opt.jitter), loss: Number(opt.loss) } : null;
const streamsList = opt['no-sweep'] && !opt.soak ? [] : (soakSec ? (process.argv.includes('--streams') ? opt.streams! : '4') : opt.streams!).split(',').map(Number);
const seconds = soakSec ?? Number(opt.seconds);
const width = Number(opt.width);
const height = Number(opt.height);
const fps = Number(opt.fps);
const preset = opt.preset as X264Preset;
const withRenderer = opt.renderer! && !opt['no-renderer'] && !soakSec && !network;
const withFloor = !opt['no-floor'] && !soakSec && !network;
const tiles = opt.tiles!.split(',').map(Number);
const [tileW, tileH] = opt['tile-size']!.split('x').map(Number) as [number, number];
// After the listed N, the Ns between the largest in real time and the smallest not, one at a time
// (halving the gap), so that capacity is a number of streams and not a bracket (1 of 1,4,8,12).
const refine = !opt['no-refine'] && !soakSec;
const WARMUP_SEC = 2;
/** Cores busy below which the machine counts as quiet between two N (an idle machine: 0.02-0.1). */
const QUIET_CORES = 0.4;
const SETTLE_MAX_SEC = 120;
const CLIP_SEC = 10;

const log = (line: string) => console.error(line);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let server: ServerProcess | undefined;
let recorder: Worker | undefined;

const rooms = new Map<string, RemoteReplay[]>();

/** Puts `count` replay publishers p01, p02... in `room`; returns the clip they replay. */
async function addRoom(room: string, count: number, w: number, h: number, simulcast = false): Promise<{ video: string; audio: string }> {
  // The first one encodes the clip (once per size); the rest reuse it.
  const identity = (i: number) => `p${String(i + 1).padStart(2, '0')}`;
  const first = await server!.addReplayParticipant({ room, identity: identity(0), width: w, height: h, fps, seconds: CLIP_SEC, markers: true, simulcast });
  const rest = await Promise.all(
    Array.from({ length: count - 1 }, (_, i) => server!.addReplayParticipant({ room, identity: identity(i + 1), width: w, height: h, fps, seconds: CLIP_SEC, markers: true, simulcast })),
  );
  rooms.set(room, [first, ...rest]);
  return first.files;
}

async function removeRoom(room: string): Promise<void> {
  await Promise.all((rooms.get(room) ?? []).map((p) => p.stop()));
  rooms.delete(room);
}

async function cleanup(): Promise<void> {
  killFloor();
  await killBrowser();
  killAllWorkers();
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    void cleanup().finally(() => process.exit(130));
  });
}
process.on('exit', () => {
  killFloor();
  killAllWorkers();
});

async function waitForQuiet(threshold: number, maxSec: number): Promise<number[]> {
  const deadline = Date.now() + maxSec * 1000;
  let load = loadAverage();
  while (load[0]! >= threshold && Date.now() < deadline) {
    log(`load ${load.join(' ')} >= ${threshold}: waiting (at most ${Math.round((deadline - Date.now()) / 1000)} s more)`);
    await sleep(15_000);
    load = loadAverage();
  }
  return load;
}

/**
 * Waits until the machine is quiet (under QUIET_CORES busy over 3 s), at most SETTLE_MAX_SEC:
 * the last N's encoders, files and server may still be busy for a while after it stops. Returns
 * the last reading, kept with the run.
 */
async function settle(): Promise<number> {
  const deadline = Date.now() + SETTLE_MAX_SEC * 1000;
  let busy = await machineBusyCores(3000);
  while (busy >= QUIET_CORES && Date.now() < deadline) {
    log(`machine busy (${busy} cores over 3 s): waiting (at most ${Math.round((deadline - Date.now()) / 1000)} s more)`);
    busy = await machineBusyCores(3000);
  }
  return busy;
}

/** The N to try next to close the gap between capacity and the smallest N that missed, if any. */
function nextToRefine(runs: StreamRun[]): number | null {
  const capacity = capacityOf(runs);
  const missed = runs.map((r) => r.streams).filter((n) => n > capacity).sort((a, b) => a - b)[0];
  if (missed === undefined) return null;
  const next = Math.floor((capacity + missed) / 2);
  return next > capacity && next < missed && !runs.some((r) => r.streams === next) ? next : null;
}

async function mint(room: string, identity: string, apiKey: string, apiSecret: string): Promise<string> {
  const at = new AccessToken(apiKey, apiSecret, { identity, ttl: '2h' });
  at.addGrant({ roomJoin: true, room, canSubscribe: true, canPublish: false, canPublishData: false, hidden: true });
  return at.toJwt();
}

interface Snapshot {
  atMs: number;
  rssBytes: number;
  heapUsedBytes: number;
  loop: { p99Ms: number; maxMs: number };
  gc: { major: number; majorMs: number; minor: number; minorMs: number };
  files: { path: string; framesIn: number; framesOut: number; droppedFrames: number; encoderDroppedFrames: number; audioDroppedMs: number; avDriftMs: number | null; elapsedSec: number }[];
}

/**
 * A/V offset at each marker of a file: where it is (s) and audio minus video (ms); `afterDrop`:
 * ticks were dropped just before the flash, so its onset may be late by whole frames (seen:
 * -74, -107, -140 ms in a run dropping 20%); those are counted apart, as frames dropped.
 */
async function avMarkers(toolchain: FfmpegToolchain, file: string): Promise<{ atSec: number; offsetMs: number; afterDrop: boolean }[]> {
  const [flashes, beeps] = await Promise.all([findFlashes(toolchain, file), findBeepOnsets(toolchain, file)]);
  const gapBefore = new Map(flashes.map((f) => [f.at, f.gapBefore]));
  return matchMarkers(flashes.map((f) => f.at), beeps)
    .filter((m) => Math.abs(m.offset) < 0.5)
    .map((m) => ({ atSec: round(m.at, 1), offsetMs: Math.round(m.offset * 1000), afterDrop: (gapBefore.get(m.at) ?? 0) > 1.5 / fps }));
}

async function recordRun(n: number, srv: { url: string; apiKey: string; apiSecret: string }, toolchain: FfmpegToolchain): Promise<{ run: StreamRun; files: { video: string; audio: string } }> {
  const room = `bench-${n}-${Date.now()}`;
  const busyBefore = await settle();
  const files = await addRoom(room, n, width, height);
  await sleep(1000);
  const loadBefore = loadAverage();
  // Launched as the CLI and the web shell launch it (their V8 flags).
  recorder = await startWorker(new URL('./recorder-proc.ts', import.meta.url), {}, RECORDER_V8_FLAGS);
  const token = await mint(room, 'haven-bench-recorder', srv.apiKey, srv.apiSecret);
  const startedAt = performance.now();
  const rec = await recorder.request<{
    rssBeforeStart: number;
    startReturnedMs: number;
    files: { path: string; ffmpegPid?: number; firstReceivedMs: number | null; firstFrameMs: number | null }[];
  }>('record', { url: srv.url, token, room, fps, preset, expectFiles: n }, 90_000);
  await sleep(WARMUP_SEC * 1000);
  const snapA = await recorder.request<Snapshot>('snapshot');
  const treeA = readTree(recorder.pid);
  const threadsA = readThreads(recorder.pid);
  const serverA = readProc(server!.pid);
  const aAt = performance.now();
  // The recording lasts `seconds` from start(); the window is what is left after warm-up.
  const endAt = startedAt + seconds * 1000;
  const rssCurve: RssPoint[] = [];
  while (performance.now() < endAt - 200) {
    await sleep(Math.min(5_000, endAt - performance.now()));
    if (soakSec) {
      const tree = readTree(recorder.pid);
      const mem = await recorder.request<{ heapUsedBytes: number; arrayBuffersBytes: number; loopMaxMs: number }>('memory');
      rssCurve.push({
        atSec: Math.round((performance.now() - startedAt) / 1000),
        rssMiB: mib(tree.find((s) => s.pid === recorder!.pid)?.rssBytes ?? 0),
        ffmpegRssMiB: mib(tree.filter((s) => s.comm === 'ffmpeg').reduce((sum, s) => sum + s.rssBytes, 0)),
        heapMiB: mib(mem.heapUsedBytes),
        arrayBuffersMiB: mib(mem.arrayBuffersBytes),
        loopMaxMs: Math.round(mem.loopMaxMs),
      });
    }
  }
  const snapB = await recorder.request<Snapshot>('snapshot');
  const treeB = readTree(recorder.pid);
  const threadsB = readThreads(recorder.pid);
  const serverB = readProc(server!.pid);
  const windowSec = (performance.now() - aAt) / 1000;
  const stopped = await recorder.request<{ stopTookMs: number; files: { path: string; elapsedMs: number | null; result: { status: string; durationSec: number; error?: string | null } | null }[] }>('stop', {}, 180_000);
  await removeRoom(room);

  const delta = cpuDelta(treeA, treeB);
  const recorderCpu = delta.filter((s) => s.pid === recorder!.pid).reduce((sum, s) => sum + s.cpuSec, 0);
  const ffmpegCpu = delta.filter((s) => s.comm === 'ffmpeg').reduce((sum, s) => sum + s.cpuSec, 0);
  const otherCpu = delta.filter((s) => s.pid !== recorder!.pid && s.comm !== 'ffmpeg').reduce((sum, s) => sum + s.cpuSec, 0);
  const sumFiles = (snap: Snapshot, key: 'framesIn' | 'framesOut' | 'droppedFrames' | 'encoderDroppedFrames' | 'audioDroppedMs') => snap.files.reduce((sum, f) => sum + f[key], 0);
  const framesIn = sumFiles(snapB, 'framesIn') - sumFiles(snapA, 'framesIn');
  const framesOut = sumFiles(snapB, 'framesOut') - sumFiles(snapA, 'framesOut');
  const dropped = sumFiles(snapB, 'droppedFrames') - sumFiles(snapA, 'droppedFrames');
  const droppedByEncoder = sumFiles(snapB, 'encoderDroppedFrames') - sumFiles(snapA, 'encoderDroppedFrames');
  // From the files' start: audio is dropped most as files start (ffmpeg reads none before its first video frame).
  const audioDroppedMs = sumFiles(snapB, 'audioDroppedMs');

  // The files: frames, durations against the time recorded, A/V offset from the markers.
  const fileStats = [];
  for (const [i, f] of stopped.files.entries()) {
    const probe = await toolchain.probeMedia(f.path).catch(() => null);
    const video = probe?.streams.find((s) => s.kind === 'video');
    const audio = probe?.streams.find((s) => s.kind === 'audio');
    // Finding markers decodes the whole file (about 5 minutes for 30 minutes of 720p): a soak
    // reads the first file's only.
    const markers = soakSec && i > 0 ? [] : await avMarkers(toolchain, f.path).catch(() => []);
    fileStats.push({
      status: f.result?.status ?? 'unknown',
      // Why a file is not complete (an encoder that died, frames missing), as the app records it.
      ...(f.result?.error ? { error: f.result.error } : {}),
      wallSec: (f.elapsedMs ?? 0) / 1000,
      durationSec: probe?.durationSec ?? 0,
      videoSec: video?.durationSec ?? 0,
      audioSec: audio?.durationSec ?? 0,
      videoPackets: video?.packetCount ?? 0,
      avOffsetsMs: markers.filter((m) => !m.afterDrop).map((m) => m.offsetMs),
      avAfterDropMs: markers.filter((m) => m.afterDrop).map((m) => m.offsetMs),
      // Where the file strays past the target, to line up with the soak's event-loop samples.
      avOutliers: markers.filter((m) => !m.afterDrop && Math.abs(m.offsetMs) > TARGETS.maxAvOffsetMs),
    });
  }
  const allOffsets = fileStats.flatMap((f) => f.avOffsetsMs);
  const absOffsets = allOffsets.map(Math.abs).sort((a, b) => a - b);
  const firstFrames = rec.files.map((f) => f.firstFrameMs ?? Infinity).sort((a, b) => a - b);
  const firstReceived = rec.files.map((f) => f.firstReceivedMs ?? Infinity).sort((a, b) => a - b);
  const durationRatios = fileStats.map((f) => (f.wallSec > 0 ? f.durationSec / f.wallSec : 0));
  const expectedFrames = n * fps * windowSec;
  const run: StreamRun = {
    streams: n,
    windowSec: round(windowSec, 1),
    loadBefore,
    busyBefore,
    cpu: {
      recorderPctPerStream: round(pct(recorderCpu, windowSec) / n, 1),
      ffmpegPctPerStream: round(pct(ffmpegCpu, windowSec) / n, 1),
      otherPctPerStream: round(pct(otherCpu, windowSec) / n, 1),
      totalPctPerStream: round(pct(recorderCpu + ffmpegCpu + otherCpu, windowSec) / n, 1),
      totalPct: round(pct(recorderCpu + ffmpegCpu + otherCpu, windowSec), 1),
      serverPct: round(pct((serverB?.cpuSec ?? 0) - (serverA?.cpuSec ?? 0), windowSec), 1),
    },
    frames: {
      expected: Math.round(expectedFrames),
      received: framesIn,
      written: framesOut,
      dropped,
      droppedByEncoder,
      audioDroppedMs,
      droppedPct: round((dropped / Math.max(1, expectedFrames)) * 100, 2),
      fpsInPerStream: round(framesIn / windowSec / n, 2),
      fpsOutPerStream: round(framesOut / windowSec / n, 2),
    },
    files: {
      count: fileStats.length,
      statuses: fileStats.map((f) => f.status),
      durationOverWallMin: round(Math.min(...durationRatios), 3),
      durationOverWallMax: round(Math.max(...durationRatios), 3),
      videoPackets: fileStats.reduce((sum, f) => sum + f.videoPackets, 0),
      detail: fileStats.map((f) => ({ ...f, wallSec: round(f.wallSec, 2), durationSec: round(f.durationSec, 2), videoSec: round(f.videoSec, 2), audioSec: round(f.audioSec, 2) })),
    },
    avOffsetMs: {
      markers: allOffsets.length,
      afterDrop: fileStats.reduce((sum, f) => sum + f.avAfterDropMs.length, 0),
      median: absOffsets.length ? absOffsets[Math.floor(absOffsets.length / 2)]! : null,
      maxAbs: absOffsets.length ? absOffsets.at(-1)! : null,
      mean: allOffsets.length ? round(allOffsets.reduce((a, b) => a + b, 0) / allOffsets.length, 1) : null,
    },
    firstFrameMs: {
      startReturned: Math.round(rec.startReturnedMs),
      receivedMedian: round(firstReceived[Math.floor(firstReceived.length / 2)]!, 0),
      median: round(firstFrames[Math.floor(firstFrames.length / 2)]!, 0),
      max: round(firstFrames.at(-1)!, 0),
    },
    rssMiB: {
      beforeStart: mib(rec.rssBeforeStart),
      start: mib(snapA.rssBytes),
      end: mib(snapB.rssBytes),
      growthPct: round(((snapB.rssBytes - snapA.rssBytes) / snapA.rssBytes) * 100, 1),
      ffmpegStart: mib(treeA.filter((s) => s.comm === 'ffmpeg').reduce((sum, s) => sum + s.rssBytes, 0)),
      ffmpegEnd: mib(treeB.filter((s) => s.comm === 'ffmpeg').reduce((sum, s) => sum + s.rssBytes, 0)),
      heapUsedStart: mib(snapA.heapUsedBytes),
      heapUsedEnd: mib(snapB.heapUsedBytes),
      curve: rssCurve.length ? rssCurve : undefined,
    },
    eventLoopMs: snapB.loop,
    gc: {
      fullPerSec: round((snapB.gc.major - snapA.gc.major) / windowSec, 2),
      fullPauseMsPerSec: round((snapB.gc.majorMs - snapA.gc.majorMs) / windowSec, 1),
      youngPerSec: round((snapB.gc.minor - snapA.gc.minor) / windowSec, 2),
      youngPauseMsPerSec: round((snapB.gc.minorMs - snapA.gc.minorMs) / windowSec, 1),
    },
    recorderThreads: threadDelta(threadsA, threadsB, windowSec).slice(0, 12),
    stopTookMs: Math.round(stopped.stopTookMs),
    realTime: false,
    floor: null,
    ratio: null,
  };
  run.realTime =
    run.frames.fpsOutPerStream >= fps * 0.98 &&
    run.frames.fpsInPerStream >= fps * 0.98 &&
    run.files.durationOverWallMin >= 0.98 &&
    run.files.statuses.every((s) => s === 'complete');
  await recorder.close();
  recorder = undefined;
  return { run, files };
}

function pct(cpuSec: number, windowSec: number): number {
  return (cpuSec / windowSec) * 100;
}
function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
function mib(bytes: number): number {
  return round(bytes / 2 ** 20, 1);
}

async function main(): Promise<void> {
  if (opt['report-only']) {
    // Re-renders the table and docs from the JSON without measuring anything.
    const saved = JSON.parse(fs.readFileSync(path.resolve(opt.json!), 'utf8')) as BenchResults;
    console.log(renderTable(saved, { sweep: !!saved.sweep, renderer: !!saved.renderer, soak: !!saved.soak, network: !!saved.network }));
    if (!opt['no-docs']) fs.writeFileSync(path.resolve(opt.docs!), renderMarkdown(saved));
    return;
  }
  const toolchain = await locateFfmpeg();
  const machine: MachineInfo = machineInfo(toolchain.ffmpeg.path);
  const jsonPath = path.resolve(opt.json!);
  const previous: Partial<BenchResults> = fs.existsSync(jsonPath) ? (JSON.parse(fs.readFileSync(jsonPath, 'utf8')) as BenchResults) : {};
  const loadAtStart = await waitForQuiet(Number(opt['wait-load']), Number(opt['wait-max']));
  log(`machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.ramGiB} GiB; ${machine.ffmpeg}; node ${machine.node}; load ${loadAtStart.join(' ')}`);
  if (process.env.HAVEN_NETNS !== 'active') log('note: not inside tests/netns-run; WebRTC uses this machine\'s interfaces');

  if (network) log(`network to the recorder: ${network.jitterMs} ms of jitter, ${network.loss * 100}% loss`);
  server = await startServerProcess(network ?? undefined);
  const srv = server;
  const runs: StreamRun[] = [];
  let soak: SoakRun | undefined;
  const queue = [...streamsList];
  for (let n = queue.shift(); n !== undefined; n = queue.shift()) {
    log(`recording ${n} stream${n === 1 ? '' : 's'} of ${width}x${height}@${fps} for ${seconds} s (${preset})...`);
    const { run, files } = await recordRun(n, srv, toolchain);
    log(`  threads: ${run.recorderThreads.map((t) => `${t.thread} ${t.pct}%`).join(", ")}`);
    log(`  GC: ${gcSummary(run)}`);
    log(`  recorder ${run.cpu.totalPctPerStream}% of a core per stream (process ${run.cpu.recorderPctPerStream}% + ffmpeg ${run.cpu.ffmpegPctPerStream}%), fps out ${run.frames.fpsOutPerStream}, dropped ${run.frames.droppedPct}% (${run.frames.droppedByEncoder} of ${run.frames.dropped} by ffmpeg's queue), A/V max ${run.avOffsetMs.maxAbs} ms`);
    if (withFloor) {
      log(`  floor: ${n} ffmpeg process${n === 1 ? '' : 'es'} decoding the same VP8, same x264 settings, -re...`);
      const floor: FloorResult = await runFloor({ ffmpeg: toolchain.ffmpeg.path, streams: n, files, width, height, fps, preset, seconds: Math.min(seconds, 20), warmupSec: WARMUP_SEC });
      run.floor = { cpuPctPerStream: round(floor.cpuPctPerStream, 1), speed: round(floor.speed, 3), windowSec: round(floor.windowSec, 1), framesWritten: floor.framesWritten, args: floor.args.join(' ') };
      run.ratio = round(run.cpu.totalPctPerStream / floor.cpuPctPerStream, 2);
      log(`  floor ${run.floor.cpuPctPerStream}% per stream (speed ${run.floor.speed}x): ratio ${run.ratio}`);
    }
    if (soakSec) {
      soak = { ranAt: new Date().toISOString(), load: loadAverage(), seconds: soakSec, width, height, fps, preset, run };
    } else {
      runs.push(run);
      const next = refine && !queue.length ? nextToRefine(runs) : null;
      if (next !== null) {
        log(`capacity is between ${capacityOf(runs)} and ${Math.min(...runs.filter((r) => r.streams > capacityOf(runs)).map((r) => r.streams))} streams: trying ${next}`);
        queue.push(next);
      }
    }
  }
  runs.sort((a, b) => a.streams - b.streams);

  const grids: GridResult[] = [];
  let gridLoad = loadAverage();
  if (withRenderer) {
    // After a sweep past the machine (8-12 streams leave the load at 6-8 for minutes), the grid
    // would measure what is left of the machine, not the renderer.
    if (runs.length) {
      await settle();
      gridLoad = loadAverage();
    }
    if (!rendererBuilt()) {
      log('renderer: out/renderer is not built (npm run build); skipping the grid');
    } else {
      for (const count of tiles) {
        log(`renderer: ${count} tiles of ${tileW}x${tileH}@${fps} in Chromium...`);
        try {
          const grid = await measureGrid({
            url: srv.url,
            token: (room) => mint(room, `haven-bench-viewer-${count}`, srv.apiKey, srv.apiSecret),
            addRoom: async (room, c) => void (await addRoom(room, c, tileW, tileH, true)),
            removeRoom,
            serverPid: server.pid,
            tiles: count,
            tileSize: `${tileW}x${tileH}`,
            windowSec: Math.min(seconds, 15),
            log,
          });
          log(`  fps per tile min ${grid.fpsMin} median ${grid.fpsMedian}; Chromium ${grid.chromiumCpuPct}% of a core (${grid.chromiumByKind?.map((k) => `${k.kind} ${k.pct}%`).join(', ')}); page main thread ${Object.entries(grid.pageMainThread ?? {}).map(([k, v]) => `${k} ${v}%`).join(', ')}; inbound video ${JSON.stringify(grid.inboundVideo)}`);
          grids.push(grid);
        } catch (error) {
          log(`  grid of ${count} failed: ${(error as Error).message}`);
          grids.push({ tiles: count, tileSize: `${tileW}x${tileH}`, windowSec: 0, fpsPerTile: [], fpsMin: 0, fpsMedian: 0, presentedFpsPerTile: [], chromiumCpuPct: 0, chromiumProcesses: 0, serverCpuPct: 0, error: (error as Error).message });
        }
      }
    }
  }
  await server.close();
  server = undefined;

  const loadAtEnd = loadAverage();
  const sweep = runs.length ? { ranAt: machine.date, loadAtStart, loadAtEnd, machine, width, height, fps, preset, seconds, runs, capacity: capacityOf(runs) } : null;
  const results: BenchResults = {
    targets: TARGETS,
    machine: soakSec || network ? (previous.machine ?? machine) : machine,
    sweep: sweep && !network ? sweep : previous.sweep,
    network: sweep && network ? { ...sweep, ...network } : previous.network,
    renderer: grids.length ? { ranAt: new Date().toISOString(), load: gridLoad, machine, fps, grids } : previous.renderer,
    soak: soak ?? previous.soak,
  };
  fs.mkdirSync(path.dirname(jsonPath), { recursive: true });
  fs.writeFileSync(jsonPath, `${JSON.stringify(results, null, 2)}\n`);
  console.log(renderTable(results, { sweep: runs.length > 0 && !network, renderer: grids.length > 0, soak: !!soak, network: runs.length > 0 && !!network }));
  if (!opt['no-docs']) {
    fs.mkdirSync(path.dirname(path.resolve(opt.docs!)), { recursive: true });
    fs.writeFileSync(path.resolve(opt.docs!), renderMarkdown(results));
    log(`wrote ${path.relative(process.cwd(), jsonPath)} and ${opt.docs}`);
  }
}

/** The largest N under 0.5% dropped frames that kept real time (and every smaller N did too). */
function capacityOf(runs: StreamRun[]): number {
  let capacity = 0;
  for (const run of [...runs].sort((a, b) => a.streams - b.streams)) {
    if (run.realTime && run.frames.droppedPct < TARGETS.maxDroppedPct) capacity = run.streams;
    else break;
  }
  return capacity;
}

const watchdog = setTimeout(
  () => {
    log('bench: overall time limit reached; stopping');
    void cleanup().finally(() => process.exit(3));
  },
  ((streamsList.length + (refine ? 3 : 0)) * (seconds * 2 + 120 + SETTLE_MAX_SEC) + tiles.length * 180 + Number(opt['wait-max']) + 300) * 1000,
);
watchdog.unref();

main()
  .then(async () => {
    clearTimeout(watchdog);
    await cleanup();
    process.exit(0);
  })
  .catch(async (error: unknown) => {
    console.error(error);
    await recorder?.close(1000).catch(() => undefined);
    await cleanup();
    process.exit(1);
  });
