/** The benchmark's result shapes, its targets (reported, never asserted), and its two renderings. */
import type { MachineInfo } from './proc';
import type { GridResult } from './renderer';

export const TARGETS = {
  /** Recorder CPU per stream / the floor's. */
  maxRatio: 1.3,
  /** Concurrent 1280x720@30 streams in real time on this machine. */
  minCapacity: 8,
  maxAvOffsetMs: 40,
  maxFirstFrameMs: 1000,
  /** Over the soak run (10 minutes of 4 streams). */
  maxRssGrowthPct: 5,
  minGridFps: 25,
  /** Capacity counts runs under this share of dropped frames. */
  maxDroppedPct: 0.5,
} as const;

/** One soak sample; heap and ArrayBuffers are the recorder's own view (process.memoryUsage). */
export interface RssPoint {
  atSec: number;
  rssMiB: number;
  ffmpegRssMiB: number;
  heapMiB?: number;
  arrayBuffersMiB?: number;
  /** The recorder's longest event-loop stall since the previous sample. */
  loopMaxMs?: number;
}

export interface StreamRun {
  streams: number;
  windowSec: number;
  loadBefore: number[];
  /** Cores the machine kept busy over the 3 s before this N began (machineBusyCores). */
  busyBefore?: number;
  cpu: {
    recorderPctPerStream: number;
    ffmpegPctPerStream: number;
    otherPctPerStream: number;
    totalPctPerStream: number;
    totalPct: number;
    serverPct: number;
  };
  frames: {
    expected: number;
    received: number;
    written: number;
    dropped: number;
    /** Of `dropped`, frames ffmpeg's queue could not take (the rest were superseded in the timeline). */
    droppedByEncoder?: number;
    /** Audio ffmpeg could not take in time, all files together (made up for with silence: it keeps its place). */
    audioDroppedMs?: number;
    droppedPct: number;
    fpsInPerStream: number;
    fpsOutPerStream: number;
  };
  files: {
    count: number;
    statuses: string[];
    durationOverWallMin: number;
    durationOverWallMax: number;
    videoPackets: number;
    detail: unknown[];
  };
  /** `afterDrop`: markers left out, their flash right after dropped frames (see avMarkers). */
  avOffsetMs: { markers: number; afterDrop?: number; median: number | null; maxAbs: number | null; mean: number | null };
  firstFrameMs: { startReturned: number; receivedMedian: number | null; median: number | null; max: number | null };
  rssMiB: {
    beforeStart: number;
    start: number;
    end: number;
    growthPct: number;
    ffmpegStart: number;
    ffmpegEnd: number;
    heapUsedStart: number;
    heapUsedEnd: number;
    curve?: RssPoint[];
  };
  eventLoopMs: { p99Ms: number; maxMs: number };
  /** V8's collections in the recorder process over the window (pauses: on its JS thread only). */
  gc?: { fullPerSec: number; fullPauseMsPerSec: number; youngPerSec: number; youngPauseMsPerSec: number };
  /** The recorder process's CPU by thread name (% of one core, all streams together). */
  recorderThreads: { thread: string; pct: number }[];
  stopTookMs: number;
  realTime: boolean;
  floor: { cpuPctPerStream: number; speed: number; windowSec: number; framesWritten: number; args: string } | null;
  ratio: number | null;
}

export interface SoakRun {
  ranAt: string;
  load: number[];
  seconds: number;
  width: number;
  height: number;
  fps: number;
  preset: string;
  run: StreamRun;
}

/** Recordings of N streams, for each N asked for. */
export interface SweepResult {
  ranAt: string;
  loadAtStart: number[];
  loadAtEnd: number[];
  machine: MachineInfo;
  width: number;
  height: number;
  fps: number;
  preset: string;
  seconds: number;
  runs: StreamRun[];
  capacity: number;
}

export interface BenchResults {
  targets: typeof TARGETS;
  machine: MachineInfo;
  sweep?: SweepResult;
  /** The same through the test server's simulated network (`--jitter`, `--loss`). */
  network?: SweepResult & { jitterMs: number; loss: number };
  renderer?: { ranAt: string; load: number[]; machine: MachineInfo; fps: number; grids: GridResult[] };
  soak?: SoakRun;
}

const mark = (ok: boolean | null) => (ok === null ? '—' : ok ? 'PASS' : 'MISS');

function table(header: string[], rows: (string | number)[][]): string[] {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

/** V8's collections of one run, in words. */
export function gcSummary(r: StreamRun): string {
  const g = r.gc;
  if (!g) return 'not measured';
  return `${g.fullPerSec} full/s (${g.fullPauseMsPerSec} ms/s paused), ${g.youngPerSec} young/s (${g.youngPauseMsPerSec} ms/s)`;
}

function sweepRows(results: BenchResults, sweep: SweepResult | undefined = results.sweep): string[] {
  if (!sweep) return ['(no sweep yet)'];
  const t = results.targets;
  return table(
    ['streams', 'busy before (cores) / load', 'CPU/stream: recorder + ffmpeg = total (% of a core)', 'floor/stream', 'ratio', 'fps in / out', 'dropped', 'real time', 'A/V offset median / max', 'first frame median / max', 'RSS start → end (MiB)', 'server CPU'],
    sweep.runs.map((r) => [
      r.streams,
      r.busyBefore === undefined ? r.loadBefore[0]! : `${r.busyBefore} / ${r.loadBefore[0]!}`,
      `${r.cpu.recorderPctPerStream} + ${r.cpu.ffmpegPctPerStream} = **${r.cpu.totalPctPerStream}**`,
      r.floor ? `${r.floor.cpuPctPerStream}${r.floor.speed < 0.98 ? ` (floor ran at ${r.floor.speed}x)` : ''}` : '—',
      r.ratio === null ? '—' : r.realTime ? `${r.ratio} ${mark(r.ratio <= t.maxRatio)}` : `(${r.ratio}: not real time)`,
      `${r.frames.fpsInPerStream} / ${r.frames.fpsOutPerStream}`,
      `${r.frames.dropped} (${r.frames.droppedPct}%)` + (r.frames.audioDroppedMs ? `, audio ${r.frames.audioDroppedMs} ms as silence` : ''),
      `${r.realTime ? 'yes' : 'no'} (file/wall ${r.files.durationOverWallMin}–${r.files.durationOverWallMax})`,
      (r.avOffsetMs.maxAbs === null ? 'no markers found' : `${r.avOffsetMs.median} / ${r.avOffsetMs.maxAbs} ms ${mark(r.avOffsetMs.maxAbs <= t.maxAvOffsetMs)}`) +
        (r.avOffsetMs.afterDrop ? ` (${r.avOffsetMs.afterDrop} after dropped frames left out)` : ''),
      r.firstFrameMs.max === null || !Number.isFinite(r.firstFrameMs.max) ? 'not every file within 30 s' : `${r.firstFrameMs.median} / ${r.firstFrameMs.max} ms ${mark(r.firstFrameMs.max <= t.maxFirstFrameMs)}`,
      `${r.rssMiB.start} → ${r.rssMiB.end} (+ffmpeg ${r.rssMiB.ffmpegStart} → ${r.rssMiB.ffmpegEnd})`,
      `${r.cpu.serverPct}%`,
    ]),
  );
}

function gridRows(results: BenchResults): string[] {
  const r = results.renderer;
  if (!r) return ['(no renderer run yet)'];
  return table(
    ['tiles', 'publishers', 'received (tiles at each size)', 'painted fps per tile min / median', 'replaced unpainted (median per tile)', 'received / decoded per tile', 'Chromium CPU (% of a core, all processes)', 'page main thread', 'server CPU', 'target'],
    r.grids.map((g) => [
      g.tiles,
      g.inboundVideo?.sizes ? `${g.tileSize}@${r.fps} simulcast (½, ¼)` : `${g.tileSize}@${r.fps}`,
      g.inboundVideo?.sizes ? Object.entries(g.inboundVideo.sizes).map(([size, n]) => `${size} × ${n}`).join(', ') : '—',
      g.error ? `failed: ${g.error}` : `${g.fpsMin} / ${g.fpsMedian}`,
      g.error || !g.playbackQualityPerTile ? '—' : `${round1(median(g.playbackQualityPerTile.map((q) => q.droppedFps)))} fps`,
      g.error || !g.inboundVideo ? '—' : `${g.inboundVideo.receivedFps} / ${g.inboundVideo.decodedFps} fps`,
      g.error
        ? '—'
        : `${g.chromiumCpuPct}%${g.chromiumByKind ? ` (${g.chromiumByKind.filter((k) => k.pct >= 1).map((k) => `${k.kind} ${k.pct}`).join(', ')})` : ` (${g.chromiumProcesses} processes)`}`,
      g.error || !g.pageMainThread ? '—' : `${g.pageMainThread.task}% (script ${g.pageMainThread.script}%)`,
      g.error ? '—' : `${g.serverCpuPct}%`,
      g.tiles === 16 ? `≥ ${results.targets.minGridFps} fps: ${mark(!g.error && g.fpsMin >= results.targets.minGridFps)}` : '',
    ]),
  );
}

function soakRows(results: BenchResults): string[] {
  const s = results.soak;
  if (!s) return ['(no soak run yet: `npm run bench -- --soak 600 --streams 4`)'];
  const r = s.run;
  return table(
    ['streams', 'load', 'seconds', 'recorder RSS start → end', 'growth', 'growth after the first minute (judged: median of its second minute vs its last)', 'ffmpeg RSS start → end', 'heap used start → end', 'CPU/stream', 'dropped', 'A/V max', 'real time'],
    [
      [
        r.streams,
        s.load[0]!,
        s.seconds,
        `${r.rssMiB.start} → ${r.rssMiB.end} MiB`,
        `${r.rssMiB.growthPct}%`,
        growthAfter(r),
        `${r.rssMiB.ffmpegStart} → ${r.rssMiB.ffmpegEnd} MiB`,
        `${r.rssMiB.heapUsedStart} → ${r.rssMiB.heapUsedEnd} MiB`,
        `${r.cpu.totalPctPerStream}%`,
        `${r.frames.dropped} (${r.frames.droppedPct}%)`,
        `${r.avOffsetMs.maxAbs ?? '—'} ms`,
        r.realTime ? 'yes' : 'no',
      ],
    ],
  );
}

/** Start-up (connecting, encoders starting) is left out of the judged growth. */
const SOAK_SETTLE_SEC = 60;
/** RSS saws with garbage collection (1.4 MB frames are freed only by GC): compare minute-long medians, not samples. */
const SOAK_WINDOW_SEC = 60;

export interface SoakGrowth {
  /** Median RSS over the minute after start-up, and over the last minute. */
  fromMiB: number;
  toMiB: number;
  pct: number;
  /** Least-squares slope of RSS after start-up, in MiB per 10 minutes. */
  slopeMiBPer10Min: number;
}

/** Growth judged on windowed medians of the soak's RSS curve; null without enough samples. */
export function soakGrowth(curve: RssPoint[] | undefined): SoakGrowth | null {
  const settled = (curve ?? []).filter((p) => p.atSec >= SOAK_SETTLE_SEC);
  if (settled.length < 4) return null;
  const first = settled.filter((p) => p.atSec < SOAK_SETTLE_SEC + SOAK_WINDOW_SEC);
  const end = settled[settled.length - 1]!.atSec;
  const last = settled.filter((p) => p.atSec > end - SOAK_WINDOW_SEC);
  if (first.length < 2 || last.length < 2 || last[0]!.atSec <= first[first.length - 1]!.atSec) return null;
  const fromMiB = median(first.map((p) => p.rssMiB));
  const toMiB = median(last.map((p) => p.rssMiB));
  const n = settled.length;
  const meanT = settled.reduce((a, p) => a + p.atSec, 0) / n;
  const meanR = settled.reduce((a, p) => a + p.rssMiB, 0) / n;
  const cov = settled.reduce((a, p) => a + (p.atSec - meanT) * (p.rssMiB - meanR), 0);
  const varT = settled.reduce((a, p) => a + (p.atSec - meanT) ** 2, 0);
  return {
    fromMiB: round1(fromMiB),
    toMiB: round1(toMiB),
    pct: round1(((toMiB - fromMiB) / fromMiB) * 100),
    slopeMiBPer10Min: round1((cov / varT) * 600),
  };
}

function growthAfter(r: StreamRun): string {
  const g = soakGrowth(r.rssMiB.curve);
  if (!g) return '—';
  return `${g.pct}% (medians ${g.fromMiB} → ${g.toMiB} MiB; trend ${g.slopeMiBPer10Min >= 0 ? '+' : ''}${g.slopeMiBPer10Min} MiB per 10 min)`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

function targetRows(results: BenchResults): string[] {
  const t = results.targets;
  const runs = results.sweep?.runs ?? [];
  const rt = runs.filter((r) => r.realTime && r.ratio !== null);
  const worstRatio = rt.length ? Math.max(...rt.map((r) => r.ratio!)) : null;
  // Sync and start-up latency are judged on the runs that kept real time.
  const rtRuns = runs.filter((r) => r.realTime);
  const avMax = rtRuns.length ? Math.max(...rtRuns.map((r) => r.avOffsetMs.maxAbs ?? Infinity)) : null;
  const firstMax = rtRuns.length ? Math.max(...rtRuns.map((r) => r.firstFrameMs.max ?? Infinity)) : null;
  const grid16 = results.renderer?.grids.find((g) => g.tiles === 16);
  const soak = results.soak?.run;
  const growth = soak ? (soakGrowth(soak.rssMiB.curve)?.pct ?? soak.rssMiB.growthPct) : null;
  return table(
    ['target', 'measured', ''],
    [
      [`recorder CPU ≤ ${t.maxRatio}x the floor (worst real-time N)`, worstRatio === null ? 'not measured' : `${worstRatio}x`, mark(worstRatio === null ? null : worstRatio <= t.maxRatio)],
      [`≥ ${t.minCapacity} concurrent 720p30 streams in real time (< ${t.maxDroppedPct}% dropped)`, results.sweep ? `${results.sweep.capacity} (largest N tried: ${Math.max(...runs.map((r) => r.streams))})` : 'not measured', mark(results.sweep ? results.sweep.capacity >= t.minCapacity : null)],
      [`A/V offset ≤ ${t.maxAvOffsetMs} ms (every marker, every file, real-time runs; flashes after dropped frames left out)`, avMax === null ? 'not measured' : `${avMax} ms`, mark(avMax === null ? null : avMax <= t.maxAvOffsetMs)],
      [`first frame written ≤ ${t.maxFirstFrameMs} ms after start() (real-time runs)`, firstMax === null ? 'not measured' : `${firstMax} ms`, mark(firstMax === null ? null : firstMax <= t.maxFirstFrameMs)],
      [`RSS growth ≤ ${t.maxRssGrowthPct}% over 10+ minutes of recording (after the first minute)`, soak ? `${growth}% over ${results.soak!.seconds} s of ${soak.streams} streams` : 'not measured', mark(soak ? growth! <= t.maxRssGrowthPct && results.soak!.seconds >= 600 : null)],
      [`16 tiles ≥ ${t.minGridFps} fps`, grid16 && !grid16.error ? `min ${grid16.fpsMin} fps` : 'not measured', mark(grid16 && !grid16.error ? grid16.fpsMin >= t.minGridFps : null)],
    ],
  );
}

export function renderTable(results: BenchResults, fresh: { sweep: boolean; renderer: boolean; soak: boolean; network?: boolean }): string {
  const lines: string[] = [''];
  if (fresh.sweep) lines.push(`Recording ${results.sweep!.width}x${results.sweep!.height}@${results.sweep!.fps}, ${results.sweep!.preset}, ${results.sweep!.seconds} s per N (load ${results.sweep!.loadAtStart.join(' ')}):`, ...sweepRows(results), '');
  const net = results.network;
  if (fresh.network && net) lines.push(`Recording through ${net.jitterMs} ms of jitter and ${net.loss * 100}% loss, ${net.width}x${net.height}@${net.fps}, ${net.preset}, ${net.seconds} s per N:`, ...sweepRows(results, net), '');
  if (fresh.renderer) lines.push('Watch grid (Chromium, web shell):', ...gridRows(results), '');
  if (fresh.soak) lines.push('Soak:', ...soakRows(results), '');
  lines.push('Targets (latest results of each part):', ...targetRows(results), '');
  return lines.join('\n');
}

function machineLine(m: MachineInfo): string {
  return `${m.cpuModel}, ${m.cores} cores, ${m.ramGiB} GiB RAM; ${m.ffmpeg}; Node ${m.node}; ${m.chromium ?? 'no Chromium'}; ${m.kernel}`;
}

export function renderMarkdown(results: BenchResults): string {
  const s = results.sweep;
  const floorArgs = s?.runs.find((r) => r.floor)?.floor?.args;
  return [
    '# Benchmarks',
    '',
    '<!-- Generated by `npm run bench` (tests/bench/run.ts); edits here are overwritten. -->',
    '',
    'What recording costs with the app\'s own RecordingService (rtc-node decode + one ffmpeg per file,',
    'x264 + AAC into fragmented MP4), against ffmpeg\'s own floor, on the machine below. The test server',
    'replays pre-encoded 2 Mbit/s VP8 + Opus (testsrc2 with a white flash and a 1 kHz beep every 2 s),',
    'so publishing costs no encoding. CPU is process time (utime + stime from /proc) over the',
    'steady-state window, as % of one core: the recorder process (rtc-node decode, timeline, pipes)',
    'plus its ffmpeg children. The server runs in its own process (its CPU is shown for context: it',
    'shares the same cores). Targets are reported, not asserted; see issue 5.',
    '',
    '## Targets',
    '',
    ...targetRows(results),
    '',
    '## Recording sweep',
    '',
    s
      ? `Ran ${s.ranAt} on ${machineLine(s.machine)}. Load average at start ${s.loadAtStart.join(' ')}, at end ${s.loadAtEnd.join(' ')}. ${s.width}x${s.height}@${s.fps}, preset ${s.preset}, ${s.seconds} s per N (measured after a ${2} s warm-up). Capacity (largest N in real time with < ${results.targets.maxDroppedPct}% dropped): **${s.capacity}**.`
      : '',
    '',
    ...(s && s.runs.some((r) => (r.busyBefore === undefined ? (r.loadBefore[0] ?? 0) > s.machine.cores : r.busyBefore >= 0.5))
      ? [
          `> **Other work shared this machine**: before some N the machine was busy (column *busy before*: half a core or more over 3 s, or, in results that lack it, a 1-minute load average above the ${s.machine.cores} cores). Those rows measure a starved recorder: real time and capacity there say more about the load than about the recorder, and CPU per stream is then a lower bound (work not done is not counted).`,
          '',
        ]
      : []),
    ...sweepRows(results),
    '',
    '- *busy before*: cores the whole machine kept busy over the 3 s before the N began (/proc/stat; the bench waits up to 2 minutes for it to fall under 0.4, as the last N\'s files finish); *load*: the 1-minute load average then, which trails by minutes (after 8 streams it reads 8 on an idle machine).',
    '- *fps in / out*: frames received from rtc-node / ticks written to ffmpeg, per stream per second.',
    '- *dropped*: frames the timeline replaced before they were shown plus ticks ffmpeg could not take; and audio ffmpeg could not take in time, made up for with silence (it keeps its place).',
    '- *real time*: fps in and out within 2% of the rate, every file complete and as long as the time recorded.',
    '- *A/V offset*: beep onset minus flash onset in the recorded files, every marker of every file, except those whose flash comes right after dropped frames (it may have begun in them: late by whole frames; counted with the drops).',
    '- *first frame*: from calling start() to the first received (non-black) frame written into ffmpeg\'s pipe.',
    s ? `  Of that, median per N: start() returned after ${s.runs.map((r) => r.firstFrameMs.startReturned).join(' / ')} ms; first frame from rtc-node at ${s.runs.map((r) => r.firstFrameMs.receivedMedian).join(' / ')} ms (the replay answers a new subscriber's keyframe request at once, as a live encoder does); the timeline then holds frames for its 300 ms latency.` : '',
    '- *floor*: one `ffmpeg -re` per stream decoding the replay\'s own VP8 + Opus file and encoding with the',
    '  app\'s arguments (buildMp4EncoderArgs), `-threads` included (x264ThreadsFor: the i-th encoder gets cores / i).',
    floorArgs ? `  Floor command: \`ffmpeg ${floorArgs}\`` : '',
    '',
    '### Where the recorder process\'s CPU goes',
    '',
    'By thread name, % of one core for all streams together (DecodingQueue: libwebrtc\'s VP8 decoder;',
    'node: the JavaScript thread (rtc-node frame copies, GC, timeline, pipe writes); tokio-rt-worker:',
    'rtc-node\'s FFI; network_thread/worker_thread: WebRTC):',
    '',
    ...(s?.runs ?? []).map((r) => `- ${r.streams} stream${r.streams === 1 ? '' : 's'}: ${(r.recorderThreads ?? []).map((t) => `${t.thread.trim()} ${t.pct}%`).join(', ')}${r.gc ? `; GC: ${gcSummary(r)}` : ''}`),
    '',
    'GC: V8\'s full (mark-compact) and young (scavenge) collections per second in the recorder, with',
    'their pauses on the JS thread (full collections also mark on helper threads: the rest of their',
    'cost). rtc-node hands over every frame in a fresh ArrayBuffer (1.4 MB at 720p); with V8\'s default',
    'limits a recorder either frees them with a scavenge about every 0.5 s or falls into full collections',
    'several times a second, at 5-15% of a core more per stream (perf at 1 stream: ~24% of the recorder',
    'process was GC then). The recorder runs with the V8 flags the CLI and the web shell use',
    '(main/recording/v8-flags.ts), which keep it to scavenges at 1 stream and cut full collections 4-5x at 2-3.',
    '',
    '## Recording over a bad network',
    '',
    results.network
      ? `Ran ${results.network.ranAt} (load ${results.network.loadAtStart.join(' ')}). The same recording with the test server's simulated network between it and the recorder (tests/sfu/network-path.ts): a queueing delay that moves between levels drawn from 0-${results.network.jitterMs} ms (held ~200 ms each, order kept: bursts and gaps), ${results.network.loss * 100}% of packets lost on the way and retransmitted on NACK. ${results.network.width}x${results.network.height}@${results.network.fps}, preset ${results.network.preset}, ${results.network.seconds} s per N. No floor (ffmpeg reads the file, not the network). The A/V target is judged on the clean sweep above; this is how it holds up.`
      : 'Not run yet (`--jitter`, `--loss`).',
    '',
    ...(results.network ? sweepRows(results, results.network) : []),
    '',
    '## Watch grid (Chromium)',
    '',
    results.renderer
      ? `Ran ${results.renderer.ranAt} (load ${results.renderer.load.join(' ')}). The web shell's own renderer, joined with a URL and a token, 1280x800 viewport, headless Chromium with \`--disable-gpu\`. Frames painted per tile: the video element's frames (getVideoPlaybackQuality) minus those replaced before the compositor drew them, read at the two ends of the window, so that measuring adds no work to the page (a requestVideoFrameCallback on every frame ran the page's main thread once per frame: 18% of a core more for Chromium at 16 tiles, and its callbacks coalesce when that thread is late, so they counted fewer frames than were painted). Received / decoded: WebRTC's inbound-rtp stats. CPU is the browser and all its child processes (by process kind: the renderer decodes VP8 and converts frames; the gpu-process is the software display compositor); page main thread from Chrome's Performance metrics.`
      : '',
    '',
    ...gridRows(results),
    '',
    '## Soak',
    '',
    results.soak ? `Ran ${results.soak.ranAt} (load ${results.soak.load.join(' ')}), ${results.soak.width}x${results.soak.height}@${results.soak.fps}, ${results.soak.preset}.` : '',
    '',
    ...soakRows(results),
    '',
    '## Reproduce',
    '',
    '```sh',
    'npm run build                                   # the renderer, for the grid',
    'npm run bench                                   # sweep 1,4,8,12 x 20 s, floor, 9/16 tiles',
    'npm run bench -- --streams 1,4,8 --no-renderer  # options: --seconds --width --height --fps --preset --json --tiles --tile-size',
    'npm run bench -- --soak 600 --streams 4         # RSS growth over 10 minutes',
    'npm run bench -- --streams 1,2 --jitter 80 --loss 0.01 --no-renderer  # through a simulated bad network',
    '```',
    '',
    'Each part (sweep, network, grid, soak) keeps its own latest result in tests/bench/results/latest.json; a run',
    'replaces only the parts it ran. It waits (up to `--wait-max` s) for the load average to drop below',
    '`--wait-load` before starting.',
    '',
  ].join('\n');
}
