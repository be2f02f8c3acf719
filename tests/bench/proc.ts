/**
 * What the benchmark reads from /proc: CPU seconds (utime + stime) and RSS of a process and its
 * descendants, and the machine it runs on. CPU is always process time, never wall time.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

const CLOCK_TICKS = 100; // USER_HZ on Linux

export interface ProcSample {
  pid: number;
  ppid: number;
  comm: string;
  /** user + system CPU seconds so far. */
  cpuSec: number;
  rssBytes: number;
}

/** One process's /proc/<pid>/stat, or null if it is gone. */
export function readProc(pid: number): ProcSample | null {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const close = stat.lastIndexOf(')');
  const comm = stat.slice(stat.indexOf('(') + 1, close);
  // Fields after the command name start at field 3 (state).
  const fields = stat.slice(close + 2).split(' ');
  const ppid = Number(fields[1]);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const rssPages = Number(fields[21]);
  return { pid, ppid, comm, cpuSec: (utime + stime) / CLOCK_TICKS, rssBytes: rssPages * PAGE_SIZE };
}

const PAGE_SIZE = (() => {
  try {
    return Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim()) || 4096;
  } catch {
    return 4096;
  }
})();

/** Every live process: pid -> ppid (one pass over /proc). */
function allParents(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const sample = readProc(Number(name));
    if (sample) parents.set(sample.pid, sample.ppid);
  }
  return parents;
}

/** `root` and every descendant of it, sampled now. */
export function readTree(root: number): ProcSample[] {
  const parents = allParents();
  const inTree = new Set<number>([root]);
  // Children can appear after their parent in /proc order: iterate until stable.
  for (let changed = true; changed; ) {
    changed = false;
    for (const [pid, ppid] of parents) {
      if (!inTree.has(pid) && inTree.has(ppid)) {
        inTree.add(pid);
        changed = true;
      }
    }
  }
  return [...inTree].map(readProc).filter((s): s is ProcSample => s !== null);
}

/**
 * CPU each process of a tree used between two snapshots. A process that started in between
 * counts from zero; one that ended in between is lost (callers measure while all are alive).
 */
export function cpuDelta(before: ProcSample[], after: ProcSample[]): ProcSample[] {
  const start = new Map(before.map((s) => [s.pid, s.cpuSec]));
  return after.map((s) => ({ ...s, cpuSec: s.cpuSec - (start.get(s.pid) ?? 0) }));
}

export function loadAverage(): number[] {
  return os.loadavg().map((l) => Math.round(l * 100) / 100);
}

/**
 * Cores' worth of CPU the whole machine used over the next `ms` (/proc/stat: all but idle and
 * iowait). Unlike the load average, which trails by minutes (after 8 streams it reads 8 for a
 * minute and takes two to fall under 2 on an idle machine), it says what the machine does now.
 */
export async function machineBusyCores(ms: number): Promise<number> {
  const read = () => {
    const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
    return { idle: fields[3]! + fields[4]!, total: fields.reduce((a, b) => a + b, 0) };
  };
  const before = read();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = read();
  const total = after.total - before.total;
  return total > 0 ? Math.round((1 - (after.idle - before.idle) / total) * os.cpus().length * 100) / 100 : 0;
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  ramGiB: number;
  ffmpeg: string;
  node: string;
  chromium: string | null;
  kernel: string;
  date: string;
}

export function machineInfo(ffmpegPath: string): MachineInfo {
  const cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  const firstLine = (cmd: string, args: string[]) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0]!.trim();
    } catch {
      return null;
    }
  };
  return {
    cpuModel: model,
    cores: os.cpus().length,
    ramGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    ffmpeg: firstLine(ffmpegPath, ['-version'])?.replace(/ Copyright.*/, '') ?? 'unknown',
    node: process.version,
    chromium: firstLine(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', ['--version']),
    kernel: `${os.type()} ${os.release()}`,
    date: new Date().toISOString(),
  };
}

/** CPU seconds per thread name of one process (/proc/<pid>/task/*), to see where its time goes. */
export function readThreads(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  let tids: string[];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return byName;
  }
  for (const tid of tids) {
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue;
    }
    const close = stat.lastIndexOf(')');
    const name = stat.slice(stat.indexOf('(') + 1, close).replace(/\d+$/, '#');
    const fields = stat.slice(close + 2).split(' ');
    const cpu = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    byName.set(name, (byName.get(name) ?? 0) + cpu);
  }
  return byName;
}

/** Per-thread-name CPU between two readThreads() snapshots, as % of one core, largest first. */
export function threadDelta(before: Map<string, number>, after: Map<string, number>, windowSec: number): { thread: string; pct: number }[] {
  return [...after]
    .map(([thread, cpu]) => ({ thread, pct: Math.round(((cpu - (before.get(thread) ?? 0)) / windowSec) * 1000) / 10 }))
    .filter((t) => t.pct >= 0.5)
    .sort((a, b) => b.pct - a.pct);
}
