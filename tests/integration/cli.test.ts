/**
 * The command-line recorder as a user runs it: a real process, real rtc-node, real ffmpeg,
 * against the test server (or LIVEKIT_URL) and synthetic publishers.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateFfmpeg, type FfmpegToolchain } from '../../native/ffmpeg';
import { HavenApp } from '../../main/app';
import { KeyFileSecretStore } from '../../main/secrets/key-file-secret-store';
import { makeTempDir } from '../helpers/temp-dir';
import { startTarget, uniqueRoom, type Target } from '../sfu/harness';
import { spawnPublisher, type PublisherHandle } from '../sfu/spawn-publisher';

const cli = path.resolve('bin/haven-player.js');
let target: Target;
let toolchain: FfmpegToolchain;
let temp: ReturnType<typeof makeTempDir>;
let room: string;
let publishers: PublisherHandle[];

beforeAll(async () => {
  if (!fs.existsSync(path.resolve('out/main/cli.js'))) throw new Error('Build first: npm run build (npm test does).');
  target = await startTarget();
  toolchain = await locateFfmpeg();
  temp = makeTempDir('haven-cli-');
  room = uniqueRoom('cli');
  publishers = [
    spawnPublisher({ url: target.url, apiKey: target.apiKey, apiSecret: target.apiSecret, room, identity: 'alice', kind: 'camera', width: 640, height: 360, fps: 30 }),
    spawnPublisher({ url: target.url, apiKey: target.apiKey, apiSecret: target.apiSecret, room, identity: 'carol', kind: 'audio' }),
  ];
  await Promise.all(publishers.map((p) => p.ready));
});
afterAll(async () => {
  await Promise.all(publishers.map((p) => p.stop()));
  await target.close();
  temp.cleanup();
});

interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], control?: (child: ReturnType<typeof spawn>) => void): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: { ...process.env, LIVEKIT_URL: target.url, LIVEKIT_API_KEY: target.apiKey, LIVEKIT_API_SECRET: target.apiSecret },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    control?.(child);
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

function finishedFiles(run: CliRun): string[] {
  return run.stdout.split('\n').filter((line) => line.startsWith('/'));
}

async function playableSeconds(file: string): Promise<number> {
  const probe = await toolchain.probeMedia(file);
  // Decoding every frame proves the file plays to its end, not only that its header parses.
  const decode = await toolchain.runFfmpeg(['-v', 'error', '-i', file, '-f', 'null', '-']);
  expect(decode.code, decode.stderr).toBe(0);
  return probe.durationSec ?? 0;
}

describe('haven-player CLI', () => {
  it('records for --duration, prints each finished file, exits 0, and history shows the CLI session', async () => {
    const out = path.join(temp.dir, 'duration');
    const data = path.join(temp.dir, 'data-duration');
    const run = await runCli(['record', '--room', room, '--out', out, '--data-dir', data, '--duration', '5']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/\[\s+\d+ s\] .*alice\/camera/);
    const files = finishedFiles(run);
    expect(files.map((f) => path.basename(f)).sort()).toEqual(['alice-camera.mp4', 'carol-audio.wav']);
    for (const file of files) {
      expect(file.startsWith(out + path.sep)).toBe(true);
      const seconds = await playableSeconds(file);
      expect(seconds).toBeGreaterThan(4.5);
      expect(seconds).toBeLessThan(6);
    }
    const app = new HavenApp({ dataFolder: data, shell: 'web', version: 't', secrets: new KeyFileSecretStore(data) });
    const history = app.history.listSessions();
    await app.close();
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ origin: 'cli', kind: 'record', room });
    expect(history[0]!.recordings).toHaveLength(2);
  });

  it('finalizes playable files and exits 0 on SIGINT', async () => {
    const out = path.join(temp.dir, 'sigint');
    const run = await runCli(['record', '--room', room, '--out', out, '--data-dir', path.join(temp.dir, 'data-sigint')], (child) => {
      child.stderr!.on('data', function onData(chunk: Buffer) {
        if (/Recording room/.test(String(chunk))) {
          child.stderr!.off('data', onData);
          setTimeout(() => child.kill('SIGINT'), 3000);
        }
      });
    });
    expect(run.code, run.stderr).toBe(0);
    const files = finishedFiles(run);
    expect(files).toHaveLength(2);
    for (const file of files) expect(await playableSeconds(file)).toBeGreaterThan(2);
    // Finalized: the MP4 was remuxed to a normal (non-fragmented) file with its index up front.
    const mp4 = files.find((f) => f.endsWith('.mp4'))!;
    const head = fs.readFileSync(mp4).subarray(0, 64 * 1024).toString('latin1');
    expect(head.indexOf('moov')).toBeGreaterThan(0);
    expect(head.indexOf('moov')).toBeLessThan(head.indexOf('mdat'));
  });

  it('survives kill -9: the next start repairs the file and marks it interrupted', async () => {
    const out = path.join(temp.dir, 'killed');
    const data = path.join(temp.dir, 'data-killed');
    const run = await runCli(['record', '--room', room, '--out', out, '--data-dir', data, '--participants', 'alice'], (child) => {
      child.stderr!.on('data', function onData(chunk: Buffer) {
        if (/Recording room/.test(String(chunk))) {
          child.stderr!.off('data', onData);
          setTimeout(() => child.kill('SIGKILL'), 10_000);
        }
      });
    });
    expect(run.signal).toBe('SIGKILL');
    // ffmpeg children die with their parent's pipes; give them a moment to exit.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const app = new HavenApp({ dataFolder: data, shell: 'web', version: 't', secrets: new KeyFileSecretStore(data) });
    try {
      expect(await app.init()).toBe(1);
      const [item] = app.history.listFiles({});
      expect(item).toMatchObject({ identity: 'alice', status: 'interrupted' });
      expect(item!.durationMs!).toBeGreaterThanOrEqual(8000);
      expect(await playableSeconds(item!.path)).toBeGreaterThanOrEqual(8);
      expect(app.history.listSessions()[0]!.endedAt).not.toBeNull();
    } finally {
      await app.close();
    }
  });

  it('prints usage and exits 2 on bad arguments', () => {
    for (const args of [[], ['record'], ['record', '--room', 'r', '--fps', 'fast'], ['record', '--room', 'r', '--bogus'], ['dance'], ['record', '--room', 'r', '--duration', '5', '--until-empty']]) {
      const run = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, LIVEKIT_URL: 'ws://127.0.0.1:9' } });
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr).toContain('Usage:');
    }
    const help = spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('haven-player record');
    // As a user runs it: through its shebang (env -S node + the recorder's V8 flags).
    const direct = spawnSync(cli, ['--help'], { encoding: 'utf8' });
    expect(direct.stderr).toBe('');
    expect(direct.status).toBe(0);
    expect(direct.stdout).toContain('haven-player record');
  });

  // These run the CLI asynchronously: the test server lives in this process and must keep answering.
  it('exits non-zero with a message when the server refuses the credentials', async () => {
    const run = await runCli(['rooms', '--api-secret', 'wrong-secret-wrong-secret-wrong-secret', '--data-dir', path.join(temp.dir, 'data-bad')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/API key or secret/);
    expect(run.stderr).not.toContain('wrong-secret');
  });

  it('lists the live rooms', async () => {
    const run = await runCli(['rooms', '--data-dir', path.join(temp.dir, 'data-rooms')]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`${room}\\t2 participant`));
  });
});
