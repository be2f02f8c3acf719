import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../../main/api/dispatcher';
import { methodNames, type MethodInput, type MethodName, type Result } from '../../../preload/contract';
import { makeTestApp, trustedCaller } from '../../helpers/haven-app';

const secret = 'S3CRET-do-not-leak-7f2c';
let ctx: ReturnType<typeof makeTestApp>;
let profileId: string;

beforeEach(async () => {
  ctx = makeTestApp();
  const saved = (await ctx.dispatch('profiles.save', { name: 'Local', url: 'ws://127.0.0.1:9', apiKey: 'devkey', apiSecret: secret }, trustedCaller)) as Result<{ id: string }>;
  if (!saved.ok) throw new Error(saved.error.message);
  profileId = saved.value.id;
});
afterEach(() => ctx.close());

/** One valid payload per method; the test below fails when a method is added without one. */
function validPayloads(): { [M in MethodName]: MethodInput<M> } {
  return {
    'app.info': {},
    'settings.get': {},
    'settings.set': { frameRate: 25 },
    'profiles.list': {},
    'profiles.save': { id: profileId, name: 'Renamed', url: 'wss://example.livekit.cloud', apiKey: 'key2' },
    'profiles.remove': { id: profileId },
    'profiles.test': { profileId },
    'rooms.list': { profileId },
    'rooms.watch': { profileId, room: 'demo' },
    'recording.start': { target: { profileId }, room: 'demo', participants: 'all' },
    'recording.stop': { sessionId: 'nope' },
    'recording.status': {},
    'library.list': { room: 'demo' },
    'library.remove': { id: 'nope' },
    'library.reveal': { id: 'nope' },
    'history.list': { limit: 10 },
    'history.watchStarted': { room: 'demo', serverUrl: 'ws://127.0.0.1:9', profileId },
    'history.watchParticipants': { sessionId: 'nope', present: [{ identity: 'alice', name: 'Alice' }] },
    'history.watchEnded': { sessionId: 'nope' },
  };
}

/** Every string inside a payload replaced, one at a time, by `value`. */
function eachStringReplaced(payload: unknown, value: string): unknown[] {
  const out: unknown[] = [];
  const walk = (node: unknown, rebuild: (v: unknown) => unknown) => {
    if (typeof node === 'string') out.push(rebuild(value));
    else if (Array.isArray(node)) node.forEach((item, i) => walk(item, (v) => rebuild(node.map((x, j) => (j === i ? v : x)))));
    else if (node && typeof node === 'object') {
      for (const key of Object.keys(node)) walk((node as Record<string, unknown>)[key], (v) => rebuild({ ...node, [key]: v }));
    }
  };
  walk(payload, (v) => v);
  return out;
}

describe('the contract dispatcher', () => {
  it('has a valid sample payload for every method', () => {
    expect(Object.keys(validPayloads()).sort()).toEqual([...methodNames].sort());
  });

  it('accepts each sample payload (no validation error)', async () => {
    for (const [method, payload] of Object.entries(validPayloads())) {
      const result = await ctx.dispatch(method, payload, trustedCaller);
      if (!result.ok) expect(result.error.code, `${method}: ${result.error.message}`).not.toBe('validation');
    }
  });

  it('rejects wrong types, missing fields, 1 MB strings and __proto__ keys for every method', async () => {
    const huge = 'x'.repeat(1024 * 1024);
    for (const [method, payload] of Object.entries(validPayloads())) {
      const bad: unknown[] = [
        42,
        'text',
        [payload],
        true,
        JSON.parse(`{"__proto__": {"polluted": true}, ${JSON.stringify(payload).slice(1, -1) || '"x": 1'}}`),
        { ...(payload as object), unexpected: 1 },
        ...eachStringReplaced(payload, huge),
      ];
      const required = Object.keys(payload as object);
      if (required.length > 0 && !['settings.set', 'library.list', 'history.list'].includes(method)) bad.push({});
      for (const input of bad) {
        const result = await ctx.dispatch(method, input, trustedCaller);
        expect(result.ok, `${method} accepted ${JSON.stringify(input).slice(0, 80)}`).toBe(false);
        if (!result.ok) expect(result.error.code).toBe('validation');
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses unknown methods, prototype names and untrusted callers', async () => {
    for (const method of ['nope', '__proto__', 'constructor', 'toString', 42, null]) {
      const result = await ctx.dispatch(method, {}, trustedCaller);
      expect(result).toMatchObject({ ok: false, error: { code: 'validation' } });
    }
    const result = await ctx.dispatch('profiles.list', {}, { origin: 'https://evil.example' });
    expect(result).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('never returns a profile secret from any method, in results or errors', async () => {
    const payloads = validPayloads();
    // Run removal last so every other method sees the profile.
    const order: MethodName[] = [...methodNames.filter((m) => m !== 'profiles.remove'), 'profiles.remove'];
    for (const method of order) {
      const result = await ctx.dispatch(method, payloads[method], trustedCaller);
      const text = JSON.stringify(result);
      expect(text, method).not.toContain(secret);
      expect(text, method).not.toMatch(/apiSecret|secret"\s*:/);
    }
  });

  it('passes AppErrors through and hides the text of unexpected errors', async () => {
    const missing = await ctx.dispatch('profiles.remove', { id: 'missing' }, trustedCaller);
    expect(missing).toEqual({ ok: false, error: { code: 'not_found', message: expect.any(String) } });

    const logged: unknown[] = [];
    const dispatch = createDispatcher({
      handlers: {
        ...ctx.app.handlers(),
        'profiles.list': () => {
          throw new Error(`connect failed for wss://host?access_token=${secret}`);
        },
      },
      isTrustedCaller: () => true,
      logError: (_method, error) => logged.push(error),
    });
    const result = await dispatch('profiles.list', {}, trustedCaller);
    expect(result).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(JSON.stringify(result)).not.toContain(secret);
    expect(logged).toHaveLength(1);
  });

  it('strips fields a handler returns that the contract does not name', async () => {
    const dispatch = createDispatcher({
      handlers: {
        ...ctx.app.handlers(),
        'profiles.list': () => [{ id: 'p', name: 'n', url: 'ws://x', apiKey: 'k', hasSecret: true, source: 'saved', apiSecret: secret }] as never,
      },
      isTrustedCaller: () => true,
    });
    expect(JSON.stringify(await dispatch('profiles.list', {}, trustedCaller))).not.toContain(secret);
  });
});
