/**
 * `haven-player`: the recorder without a window, for servers and scripts. Same services and
 * store as the app, so the app's History shows command-line sessions too.
 */
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { RecordingStatus } from '../../preload/contract';
import { AppError } from '../api/app-error';
import { HavenApp } from '../app';
import { envProfileId } from '../livekit/profile-service';
import { KeyFileSecretStore } from '../secrets/key-file-secret-store';
import { presets } from '../../preload/contract';
import { defaultDataFolder } from '../web/data-folder';

const usage = `Usage:
  haven-player record --room NAME [options]   record a room, one file per participant
  haven-player rooms [options]                 list the live rooms
  haven-player --help

Server (or LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET):
  --url URL              wss://project.livekit.cloud or ws://host:7880
  --api-key KEY
  --api-secret SECRET
  --token TOKEN          join with a token instead of key and secret (record only)

Record options:
  --room NAME            the room to record (required)
  --out DIR              recordings folder (default: the app's setting)
  --participants a,b     identities to record (default: everyone, including later joiners)
  --duration SECONDS     stop after this long
  --until-empty          stop when the selected participants have all left
  --fps N                output frame rate (default 30)
  --preset NAME          x264 preset: ${presets.join(', ')} (default from settings)
  --data-dir DIR         history database folder (default: HAVEN_DATA_DIR or the app's)

Ctrl-C (or SIGTERM) stops and finalizes every file; the exit code is 0.`;

const options = {
  help: { type: 'boolean', short: 'h' },
  url: { type: 'string' },
  'api-key': { type: 'string' },
  'api-secret': { type: 'string' },
  token: { type: 'string' },
  room: { type: 'string' },
  out: { type: 'string' },
  participants: { type: 'string' },
  duration: { type: 'string' },
  'until-empty': { type: 'boolean' },
  fps: { type: 'string' },
  preset: { type: 'string' },
  'data-dir': { type: 'string' },
} satisfies ParseArgsConfig['options'];

class UsageError extends Error {}

type Values = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true; strict: true }>>['values'];

interface CommandArgs {
  command: 'record' | 'rooms';
  values: Values;
  duration: number | undefined;
  fps: number | undefined;
  preset: (typeof presets)[number] | undefined;
  participants: 'all' | string[];
}

function parse(argv: string[]): { command: 'help' } | CommandArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.help || command === 'help') return { command: 'help' };
  if (command !== 'record' && command !== 'rooms') {
    throw new UsageError(command ? `Unknown command "${command}".` : 'Name a command: record or rooms.');
  }
  if (positionals.length > 1) throw new UsageError(`Unexpected argument "${positionals[1]}".`);
  const number = (name: 'duration' | 'fps', min: number, max: number): number | undefined => {
    const raw = values[name];
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${name} must be a number from ${min} to ${max} (got "${raw}").`);
    return n;
  };
  const duration = number('duration', 1, 7 * 24 * 3600);
  const fps = number('fps', 5, 60);
  if (fps !== undefined && !Number.isInteger(fps)) throw new UsageError('--fps must be a whole number.');
  const preset = values.preset;
  if (preset !== undefined && !(presets as readonly string[]).includes(preset)) {
    throw new UsageError(`--preset must be one of ${presets.join(', ')} (got "${preset}").`);
  }
  if (command === 'record' && !values.room) throw new UsageError('record needs --room NAME.');
  if (duration !== undefined && values['until-empty']) throw new UsageError('Use --duration or --until-empty, not both.');
  const participants = values.participants
    ?.split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (values.participants !== undefined && !participants?.length) throw new UsageError('--participants needs at least one identity.');
  return {
    command,
    values,
    duration,
    fps,
    preset: preset as (typeof presets)[number] | undefined,
    participants: participants ?? 'all',
  };
}

function credentialsFrom(values: Values): { url: string; apiKey?: string; apiSecret?: string; token?: string } {
  const url = values.url ?? process.env.LIVEKIT_URL;
  if (!url) throw new UsageError('Give the server with --url or LIVEKIT_URL.');
  const token = values.token;
  const apiKey = values['api-key'] ?? process.env.LIVEKIT_API_KEY;
  const apiSecret = values['api-secret'] ?? process.env.LIVEKIT_API_SECRET;
  if (!token && (!apiKey || !apiSecret)) {
    throw new UsageError('Give --api-key and --api-secret (or LIVEKIT_API_KEY / LIVEKIT_API_SECRET), or --token.');
  }
  return { url, apiKey, apiSecret, token };
}

function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function progressLine(files: RecordingStatus[]): string {
  const live = files.filter((f) => f.state === 'recording');
  if (live.length === 0) return 'waiting for participants…';
  const elapsed = Math.max(...live.map((f) => f.elapsedMs)) / 1000;
  const parts = live.map((f) => `${f.identity}/${f.source} ${formatBytes(f.bytes)} ${f.fpsOut}fps${f.droppedFrames ? ` ${f.droppedFrames} dropped` : ''}`);
  return `[${elapsed.toFixed(0).padStart(4)} s] ${parts.join(' | ')}`;
}

async function run(argv: string[]): Promise<number> {
  const args = parse(argv);
  if (args.command === 'help') {
    console.log(usage);
    return 0;
  }
  const credentials = credentialsFrom(args.values);
  const dataFolder = args.values['data-dir'] ? path.resolve(args.values['data-dir']) : defaultDataFolder();
  const app = new HavenApp({
    dataFolder,
    shell: 'web',
    origin: 'cli',
    version: process.env.npm_package_version ?? '0.0.0',
    secrets: new KeyFileSecretStore(dataFolder),
    env: credentials.apiKey && credentials.apiSecret
      ? { LIVEKIT_URL: credentials.url, LIVEKIT_API_KEY: credentials.apiKey, LIVEKIT_API_SECRET: credentials.apiSecret }
      : {},
    log: (message) => console.error(message),
  });
  try {
    for (const notice of app.notices) console.error(`${notice.level}: ${notice.message}`);
    const repaired = await app.init();
    if (repaired) console.error(`Recovered ${repaired} file(s) interrupted in an earlier run.`);
    if (args.command === 'rooms') {
      const rooms = await app.profiles.listRooms(envProfileId);
      if (rooms.length === 0) console.log('No live rooms.');
      for (const room of rooms) {
        console.log(`${room.name}\t${room.numParticipants} participant(s)\tsince ${new Date(room.createdAt).toISOString()}`);
      }
      return 0;
    }
    return await record(app, args, credentials);
  } finally {
    await app.close();
  }
}

async function record(app: HavenApp, args: CommandArgs, credentials: ReturnType<typeof credentialsFrom>): Promise<number> {
  const room = args.values.room!;
  const target = credentials.token
    ? { url: credentials.url, token: credentials.token }
    : await app.profiles.recorderToken(envProfileId, room);
  const printed = new Set<string>();
  const printFinished = (files: RecordingStatus[]) => {
    for (const file of files) {
      if (file.state === 'recording' || printed.has(file.recordingId)) continue;
      printed.add(file.recordingId);
      const note = file.state === 'complete' ? '' : ` (${file.state}${file.error ? `: ${file.error}` : ''})`;
      console.log(`${file.path}${note}`);
    }
  };
  let latest: RecordingStatus[] = [];
  const unsubscribe = app.events.subscribe((event, payload) => {
    if (event === 'recording.progress') {
      latest = payload as RecordingStatus[];
      printFinished(latest);
    } else if (event === 'app.notice') {
      console.error((payload as { message: string }).message);
    }
  });
  const session = await app.recording.start({
    target: { url: target.url, token: target.token, profileId: null },
    room,
    participants: args.participants,
    options: { frameRate: args.fps, preset: args.preset },
    folder: args.values.out ? path.resolve(args.values.out) : undefined,
  });
  console.error(`Recording room ${room} (session ${session.sessionId}). Ctrl-C stops and saves.`);

  let stopRequested = false;
  const stop = () => {
    // A second Ctrl-C must not cut finalizing short: the files would be left fragmented.
    if (stopRequested) console.error('Still finalizing files; this takes a few seconds.');
    stopRequested = true;
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const started = Date.now();
  let sawParticipants = false;
  let lastLine = 0;
  while (app.recording.isActive(session.sessionId) && !stopRequested) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    if (args.duration !== undefined && Date.now() - started >= args.duration * 1000) break;
    if (args.values['until-empty']) {
      const count = app.recording.participantCount(session.sessionId);
      if (count > 0) sawParticipants = true;
      else if (sawParticipants) break;
    }
    if (Date.now() - lastLine >= 2000) {
      lastLine = Date.now();
      console.error(progressLine(latest));
    }
  }
  if (app.recording.isActive(session.sessionId)) {
    console.error('Stopping: finalizing files…');
    await app.recording.stop({ sessionId: session.sessionId });
  }
  unsubscribe();
  const failed = latest.filter((f) => f.state === 'failed').length;
  return failed > 0 && failed === latest.length ? 1 : 0;
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`haven-player: ${error.message}\n\n${usage}`);
      process.exit(2);
    }
    const message = error instanceof AppError ? error.message : error instanceof Error ? error.message : String(error);
    console.error(`haven-player: ${message}`);
    process.exit(1);
  },
);
