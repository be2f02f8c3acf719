import path from 'node:path';
import type { Database } from 'better-sqlite3';
import type { Notice } from '../preload/contract';
import { AppError } from './api/app-error';
import type { Handlers } from './api/dispatcher';
import { EventBus } from './api/event-bus';
import { HistoryService } from './library/history-service';
import { ProfileService } from './livekit/profile-service';
import type { SecretStore } from './secrets/secret-store';
import { SettingsService } from './settings/settings-service';
import { openDatabase } from './store/database';

export interface HavenAppOptions {
  dataFolder: string;
  shell: 'electron' | 'web';
  version: string;
  secrets: SecretStore;
  env?: NodeJS.ProcessEnv;
  /** Settings defaults (tests point the recordings folder at a temp dir). */
  settingsDefaults?: ConstructorParameters<typeof SettingsService>[1];
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
  readonly notices: Notice[] = [];

  constructor(private readonly options: HavenAppOptions) {
    const opened = openDatabase(path.join(options.dataFolder, 'haven.db'));
    this.db = opened.db;
    if (opened.recoveredFrom) {
      this.notify('warning', null, `The history database could not be read and was moved aside to ${opened.recoveredFrom.movedTo}. A new, empty history was started.`);
    }
    this.settings = new SettingsService(this.db, options.settingsDefaults);
    this.profiles = new ProfileService({ db: this.db, secrets: options.secrets, env: pickEnv(options.env) });
    this.history = new HistoryService(this.db);
  }

  notify(level: Notice['level'], code: Notice['code'], message: string): void {
    const notice: Notice = { level, code, message, at: Date.now() };
    this.notices.push(notice);
    this.events.emit('app.notice', notice);
  }

  handlers(): Handlers {
    const notYet = (what: string) => () => {
      throw new AppError('not_implemented', `${what} is not available in this build yet.`);
    };
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
      'rooms.list': async ({ profileId }) =>
        (await this.profiles.listRooms(profileId)).map((room) => ({ ...room, recording: false })),
      'rooms.watch': ({ profileId, room }) => this.profiles.viewerToken(profileId, room),
      'recording.start': notYet('Recording'),
      'recording.stop': notYet('Recording'),
      'recording.status': () => [],
      'library.list': (filter) => this.history.listFiles(filter),
      'library.remove': notYet('Deleting recordings'),
      'library.reveal': notYet('Reveal in folder'),
      'history.list': ({ limit }) => this.history.listSessions(limit),
    };
  }

  close(): void {
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
