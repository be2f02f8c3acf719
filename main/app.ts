import fs from 'node:fs/promises';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import type { Notice } from '../preload/contract';
import type { Handlers } from './api/dispatcher';
import { EventBus } from './api/event-bus';
import { HistoryService } from './library/history-service';
import { ProfileService } from './livekit/profile-service';
import type { SecretStore } from './secrets/secret-store';
import { SettingsService } from './settings/settings-service';
import { openDatabase } from './store/database';
import { locateFfmpeg, type FfmpegToolchain } from '../native/ffmpeg';
import { LibraryService } from './library/library-service';
import { RecorderConnection } from './livekit/recorder-connection';
import { parseServerUrl } from './livekit/server-url';
import { createFileRecorder, type FileRecorderFactory } from './recording/file-recorder';
import { freeBytes } from './recording/free-space';
import { RecordingService } from './recording/recording-service';
import { repairRecording } from './recording/repair';

export interface HavenAppOptions {
  dataFolder: string;
  shell: 'electron' | 'web';
  version: string;
  secrets: SecretStore;
  env?: NodeJS.ProcessEnv;
  /** Settings defaults (tests point the recordings folder at a temp dir). */
  settingsDefaults?: ConstructorParameters<typeof SettingsService>[1];
  /** Packaged Electron app: where bundled ffmpeg lives. */
  resourcesPath?: string | null;
  /** Electron: show the file in the OS file manager. */
  revealInFolder?: (path: string) => void;
  /** For testing: replaces how files are recorded. */
  createRecorder?: FileRecorderFactory;
  origin?: 'app' | 'cli';
  log?: (message: string) => void;
}

/**
 * Builds every service once and maps the contract's methods onto them. Both shells call this and
 * only add their transport; no service knows which shell runs it.
 */
export class HavenApp {
  readonly db: Database;
  readonly events = new EventBus();
  readonly settings: SettingsService;
  readonly profiles: ProfileService;
  readonly history: HistoryService;
  readonly library: LibraryService;
  readonly recording: RecordingService;
  readonly notices: Notice[] = [];
  private readonly toolchains = new Map<string, Promise<FfmpegToolchain>>();

  constructor(private readonly options: HavenAppOptions) {
    const opened = openDatabase(path.join(options.dataFolder, 'haven.db'));
    this.db = opened.db;
    if (opened.recoveredFrom) {
      this.notify('warning', null, `The history database could not be read and was moved aside to ${opened.recoveredFrom.movedTo}. A new, empty history was started.`);
    }
    this.settings = new SettingsService(this.db, options.settingsDefaults);
    this.profiles = new ProfileService({ db: this.db, secrets: options.secrets, env: pickEnv(options.env) });
    this.history = new HistoryService(this.db);
    this.recording = new RecordingService({
      db: this.db,
      events: this.events,
      settings: () => this.settings.get(),
      thumbnailsFolder: path.join(options.dataFolder, 'thumbnails'),
      locateFfmpeg: (ffmpegPath) => this.ffmpeg(ffmpegPath),
      connect: (url, token) => RecorderConnection.connect(url, token),
      createRecorder: options.createRecorder ?? createFileRecorder,
      origin: options.origin ?? 'app',
      freeBytes,
      log: options.log,
    });
    this.library = new LibraryService(this.db, (id) =>
      this.recording.status().some((s) => s.files.some((f) => f.recordingId === id && f.state === 'recording')),
    );
  }

  /**
   * Work that must not delay the window: repairing files a crash left in `recording`.
   * Resolves with how many were repaired.
   */
  async init(): Promise<number> {
    this.history.closeAbandonedWatches();
    let toolchain: FfmpegToolchain | null = null;
    try {
      toolchain = await this.ffmpeg(this.settings.get().ffmpegPath);
    } catch {
      // Without ffmpeg, WAVs can still be repaired; MP4s wait for the next start with ffmpeg.
    }
    const repaired = await this.recording.repairInterrupted(async (file, kind) => {
      if (!toolchain && kind === 'mp4') throw new Error('ffmpeg is needed to repair this file; it will be retried at the next start.');
      const result = await repairRecording(toolchain!, file);
      const stat = await fs.stat(file).catch(() => null);
      return { ok: result.outcome !== 'unreadable', durationSec: result.durationSec, bytes: stat?.size ?? 0, error: result.error };
    });
    if (repaired > 0) {
      this.notify('warning', null, `${repaired} recording${repaired === 1 ? ' was' : 's were'} interrupted when the app stopped; recovered what was saved. See the Library.`);
    }
    return repaired;
  }

  /** ffmpeg/ffprobe, located once per override path. */
  ffmpeg(ffmpegPath: string | null): Promise<FfmpegToolchain> {
    const key = ffmpegPath ?? '';
    let located = this.toolchains.get(key);
    if (!located) {
      located = locateFfmpeg({ ffmpegPath, resourcesPath: this.options.resourcesPath ?? null, env: process.env });
      located.catch(() => this.toolchains.delete(key));
      this.toolchains.set(key, located);
    }
    return located;
  }

  notify(level: Notice['level'], code: Notice['code'], message: string): void {
    const notice: Notice = { level, code, message, at: Date.now() };
    this.notices.push(notice);
    this.events.emit('app.notice', notice);
  }

  handlers(): Handlers {
    return {
      'app.info': () => ({
        version: this.options.version,
        shell: this.options.shell,
        dataFolder: this.options.dataFolder,
        secretStorage: this.options.secrets.description,
        notices: this.notices,
      }),
      'settings.get': () => this.settings.get(),
      'settings.set': (patch) => this.settings.set(patch),
      'profiles.list': () => this.profiles.list(),
      'profiles.save': (input) => this.profiles.save(input),
      'profiles.remove': ({ id }) => {
        this.profiles.remove(id);
        return null;
      },
      'profiles.test': (target) => this.profiles.test(target),
      'rooms.list': async ({ profileId }) => {
        const recording = this.recording.recordingRooms();
        return (await this.profiles.listRooms(profileId)).map((room) => ({ ...room, recording: recording.has(room.name) }));
      },
      'rooms.watch': ({ profileId, room }) => this.profiles.viewerToken(profileId, room),
      'recording.start': async ({ target, room, participants, options }) => {
        const { url, token } =
          'profileId' in target
            ? await this.profiles.recorderToken(target.profileId, room)
            : { url: parseServerUrl(target.url).ws, token: target.token };
        return this.recording.start({
          target: { url, token, profileId: 'profileId' in target ? target.profileId : null },
          room,
          participants,
          options,
        });
      },
      'recording.stop': async (target) => {
        await this.recording.stop(target);
        return null;
      },
      'recording.status': () => this.recording.status(),
      'library.list': (filter) => this.history.listFiles(filter),
      'library.remove': async ({ id }) => {
        await this.library.remove(id);
        return null;
      },
      'library.reveal': ({ id }) => {
        const revealed = this.library.reveal(id);
        this.options.revealInFolder?.(revealed.path);
        return revealed;
      },
      'history.list': ({ limit }) => this.history.listSessions(limit),
      'history.watchStarted': (input) => this.history.watchStarted(input),
      'history.watchParticipants': ({ sessionId, present }) => {
        this.history.watchParticipants(sessionId, present);
        return null;
      },
      'history.watchEnded': ({ sessionId }) => {
        this.history.watchEnded(sessionId);
        return null;
      },
    };
  }

  /** Finalizes every recording, then closes the store. */
  async close(): Promise<void> {
    await this.recording.stopAll();
    this.db.close();
  }
}

function pickEnv(env: NodeJS.ProcessEnv | undefined) {
  if (!env) return undefined;
  return {
    LIVEKIT_URL: env.LIVEKIT_URL,
    LIVEKIT_API_KEY: env.LIVEKIT_API_KEY,
    LIVEKIT_API_SECRET: env.LIVEKIT_API_SECRET,
  };
}
