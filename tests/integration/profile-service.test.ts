import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TokenVerifier } from 'livekit-server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../main/api/app-error';
import { ProfileService } from '../../main/livekit/profile-service';
import { KeyFileSecretStore } from '../../main/secrets/key-file-secret-store';
import { openDatabase } from '../../main/store/database';
import { startTarget, type Target } from '../sfu/harness';
import { makeTempDir } from '../helpers/temp-dir';

let target: Target;
let temp: ReturnType<typeof makeTempDir>;
let service: ProfileService;
let silent: http.Server;
let silentPort: number;
let closedPort: number;

beforeAll(async () => {
  target = await startTarget();
  temp = makeTempDir();
  service = new ProfileService({
    db: openDatabase(`${temp.dir}/haven.db`).db,
    secrets: new KeyFileSecretStore(temp.dir),
    requestTimeoutSeconds: 1,
  });
  // Accepts connections and never answers: a server that hangs.
  silent = http.createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentPort = (silent.address() as AddressInfo).port;
  // A port that was just free: nothing listens there.
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
});
afterAll(async () => {
  silent.closeAllConnections();
  silent.close();
  await target.close();
  temp.cleanup();
});

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('ProfileService against a LiveKit server', () => {
  it('tests a good profile by listing rooms', async () => {
    const profile = service.save({ name: 'ok', url: target.url, apiKey: target.apiKey, apiSecret: target.apiSecret });
    const result = await service.test({ profileId: profile.id });
    expect(result.rooms).toBeGreaterThanOrEqual(0);
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('reports a wrong secret as unauthorized (401)', async () => {
    const error = await failure(service.test({ url: target.url, apiKey: target.apiKey, apiSecret: 'wrong-secret-wrong-secret-wrong!' }));
    expect(error.code).toBe('unauthorized');
    expect(error.message).toMatch(/API key or secret/);
    expect(error.message).not.toContain('wrong-secret');
  });

  it('reports a closed port as unreachable', async () => {
    const error = await failure(service.test({ url: `ws://127.0.0.1:${closedPort}`, apiKey: 'k', apiSecret: 's' }));
    expect(error.code).toBe('unreachable');
    expect(error.message).toMatch(/ECONNREFUSED/);
  });

  it('reports a server that never answers as a timeout', async () => {
    const error = await failure(service.test({ url: `http://127.0.0.1:${silentPort}`, apiKey: 'k', apiSecret: 's' }));
    expect(error.code).toBe('timeout');
    expect(error.message).toMatch(/within 1 s/);
  });

  it('reports a malformed URL before calling anything', async () => {
    for (const url of ['not a url', 'ftp://host', 'wss://user:pw@host', 'wss://host/?token=x']) {
      expect((await failure(service.test({ url, apiKey: 'k', apiSecret: 's' }))).code).toBe('bad_url');
    }
    expect(() => service.save({ name: 'bad', url: 'nope', apiKey: '' })).toThrow(AppError);
  });

  it('mints hidden, subscribe-only viewer tokens that the server accepts', async () => {
    const profile = service.save({ name: 'viewer', url: target.url, apiKey: target.apiKey, apiSecret: target.apiSecret });
    const { url, token } = await service.viewerToken(profile.id, 'demo');
    expect(url).toMatch(/^wss?:\/\//);
    const claims = await new TokenVerifier(target.apiKey, target.apiSecret).verify(token);
    expect(claims.video).toMatchObject({ room: 'demo', roomJoin: true, canSubscribe: true, canPublish: false, hidden: true });
    expect(claims.exp! - claims.nbf!).toBeLessThanOrEqual(600);
  });

  it('keeps a stored secret when a profile is edited without one, and never lists it', () => {
    const profile = service.save({ name: 'edit', url: target.url, apiKey: 'key', apiSecret: 'kept-secret' });
    service.save({ id: profile.id, name: 'edited', url: target.url, apiKey: 'key' });
    expect(service.credentials(profile.id).apiSecret).toBe('kept-secret');
    expect(JSON.stringify(service.list())).not.toContain('kept-secret');
  });
});
