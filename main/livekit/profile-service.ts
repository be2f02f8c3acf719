import crypto from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { AccessToken, RoomServiceClient } from 'livekit-server-sdk';
import type { ProfileInput, ProfileView, RoomView } from '../../preload/contract';
import { AppError } from '../api/app-error';
import type { SecretStore } from '../secrets/secret-store';
import { deleteProfile, getProfile, listProfiles, upsertProfile, type ProfileRow } from '../store/profile-store';
import { describeServerError } from './server-errors';
import { parseServerUrl } from './server-url';

export interface Credentials {
  url: string;
  apiKey: string;
  apiSecret: string;
}

export const envProfileId = 'env';

export interface ProfileServiceOptions {
  db: Database;
  secrets: SecretStore;
  /** LIVEKIT_URL / LIVEKIT_API_KEY / LIVEKIT_API_SECRET: offered as a read-only profile, never stored. */
  env?: Partial<Record<'LIVEKIT_URL' | 'LIVEKIT_API_KEY' | 'LIVEKIT_API_SECRET', string>>;
  now?: () => number;
  requestTimeoutSeconds?: number;
}

/** Server profiles, their secrets (main only) and what is done with them: tests, room lists, tokens. */
export class ProfileService {
  private readonly now: () => number;
  private readonly timeout: number;

  constructor(private readonly options: ProfileServiceOptions) {
    this.now = options.now ?? Date.now;
    this.timeout = options.requestTimeoutSeconds ?? 8;
  }

  list(): ProfileView[] {
    const saved = listProfiles(this.options.db).map((row) => toView(row));
    const env = this.envCredentials();
    return env
      ? [{ id: envProfileId, name: 'Environment (LIVEKIT_URL)', url: env.url, apiKey: env.apiKey, hasSecret: true, source: 'env' }, ...saved]
      : saved;
  }

  save(input: ProfileInput): ProfileView {
    if (input.id === envProfileId) {
      throw new AppError('validation', 'The environment profile comes from LIVEKIT_* variables; change those instead.');
    }
    parseServerUrl(input.url);
    const existing = input.id ? getProfile(this.options.db, input.id) : undefined;
    if (input.id && !existing) throw new AppError('not_found', 'That profile no longer exists.');
    const secret = input.apiSecret ? this.options.secrets.encrypt(input.apiSecret) : (existing?.secret ?? null);
    const now = this.now();
    const row: ProfileRow = {
      id: existing?.id ?? crypto.randomUUID(),
      name: input.name.trim(),
      url: input.url.trim(),
      apiKey: input.apiKey.trim(),
      secret,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    upsertProfile(this.options.db, row);
    return toView(row);
  }

  remove(id: string): void {
    if (!deleteProfile(this.options.db, id)) throw new AppError('not_found', 'That profile no longer exists.');
  }

  /** Main-only: the full credentials of a profile. Never return this through the contract. */
  credentials(id: string): Credentials {
    if (id === envProfileId) {
      const env = this.envCredentials();
      if (env) return env;
    }
    const row = getProfile(this.options.db, id);
    if (!row) throw new AppError('not_found', 'That server profile no longer exists. Pick another in Settings.');
    if (!row.secret || !row.apiKey) {
      throw new AppError('unauthorized', `Profile "${row.name}" has no API key and secret. Add them in Settings, or join with a URL and token.`);
    }
    return { url: row.url, apiKey: row.apiKey, apiSecret: this.options.secrets.decrypt(row.secret) };
  }

  /** Lists rooms to prove URL, key and secret all work. */
  async test(target: { profileId: string } | Credentials): Promise<{ rooms: number; latencyMs: number }> {
    const credentials = 'profileId' in target ? this.credentials(target.profileId) : target;
    const started = performance.now();
    const rooms = await this.listRoomsWith(credentials);
    return { rooms: rooms.length, latencyMs: Math.round(performance.now() - started) };
  }

  async listRooms(profileId: string): Promise<Omit<RoomView, 'recording'>[]> {
    return this.listRoomsWith(this.credentials(profileId));
  }

  /** A short-lived token for an invisible viewer: subscribe only, hidden, no publish. */
  viewerToken(profileId: string, room: string): Promise<{ url: string; token: string }> {
    return this.hiddenSubscriberToken(profileId, room, { identityPrefix: 'haven-viewer', name: 'Haven Player', ttl: '10m' });
  }

  /** A token for the app's own recorder: hidden, subscribe only; long-lived so reconnects work. */
  recorderToken(profileId: string, room: string): Promise<{ url: string; token: string }> {
    return this.hiddenSubscriberToken(profileId, room, { identityPrefix: 'haven-recorder', name: 'Haven Player recorder', ttl: '24h' });
  }

  private async hiddenSubscriberToken(
    profileId: string,
    room: string,
    who: { identityPrefix: string; name: string; ttl: string },
  ): Promise<{ url: string; token: string }> {
    const credentials = this.credentials(profileId);
    const token = new AccessToken(credentials.apiKey, credentials.apiSecret, {
      identity: `${who.identityPrefix}-${crypto.randomUUID().slice(0, 8)}`,
      name: who.name,
      ttl: who.ttl,
    });
    token.addGrant({ roomJoin: true, room, canSubscribe: true, canPublish: false, canPublishData: false, hidden: true });
    return { url: parseServerUrl(credentials.url).ws, token: await token.toJwt() };
  }

  private async listRoomsWith(credentials: Credentials): Promise<Omit<RoomView, 'recording'>[]> {
    const urls = parseServerUrl(credentials.url);
    if (!credentials.apiKey || !credentials.apiSecret) {
      throw new AppError('unauthorized', 'Enter both the API key and the API secret.');
    }
    const client = new RoomServiceClient(urls.http, credentials.apiKey, credentials.apiSecret, {
      requestTimeout: this.timeout,
    });
    try {
      const rooms = await client.listRooms();
      return rooms.map((room) => ({
        name: room.name,
        numParticipants: room.numParticipants,
        createdAt: Number(room.creationTime) * 1000,
      }));
    } catch (error) {
      throw describeServerError(error, urls.http, this.timeout);
    }
  }

  private envCredentials(): Credentials | null {
    const env = this.options.env ?? {};
    if (!env.LIVEKIT_URL || !env.LIVEKIT_API_KEY || !env.LIVEKIT_API_SECRET) return null;
    return { url: env.LIVEKIT_URL, apiKey: env.LIVEKIT_API_KEY, apiSecret: env.LIVEKIT_API_SECRET };
  }
}

function toView(row: ProfileRow): ProfileView {
  return { id: row.id, name: row.name, url: row.url, apiKey: row.apiKey, hasSecret: row.secret !== null, source: 'saved' };
}
