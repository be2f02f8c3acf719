import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_RECORDING_PATH_TEMPLATE,
  MAX_VALUE_BYTES,
  assertInsideFolder,
  claimRecordingPath,
  renderRecordingPath,
  resolveRecordingPath,
  sanitizePathSegment,
  validateRecordingPathTemplate,
} from '../../../main/recording/file-naming.js';

const values = (identity: string, room = 'standup') => ({
  room,
  start: '2025-11-21_09-16-05',
  identity,
  source: 'camera',
  ext: 'mp4',
});

describe('sanitizePathSegment', () => {
  it.each([
    ['../../etc/x', '____etc_x'],
    ['/abs', '_abs'],
    ['..', '_'],
    ['a..b', 'a_b'],
    ['.', '_'],
    ['.hidden', '_hidden'],
    ['a\\b', 'a_b'],
    ['tab\there\u0000nul', 'tab_here_nul'],
    ['trailing. . ', 'trailing'],
    ['con', '_con'],
    ['CON', '_CON'],
    ['nul.txt', '_nul.txt'],
    ['com1', '_com1'],
    ['lpt9', '_lpt9'],
    ['console', 'console'],
    ['', '_'],
    ['   ', '_'],
    ['what?<>|*:"', 'what_______'],
    ['bidi\u202eevil', 'bidi_evil'],
  ])('%j -> %j', (input, expected) => {
    expect(sanitizePathSegment(input)).toBe(expected);
  });

  it('keeps emoji and non-Latin text', () => {
    expect(sanitizePathSegment('Zoë 🎥 会议 👩‍👩‍👧')).toBe('Zoë 🎥 会议 👩‍👩‍👧');
  });

  it('cuts long values to the byte cap with a hash that keeps them apart', () => {
    const a = sanitizePathSegment('a'.repeat(299) + 'x');
    const b = sanitizePathSegment('a'.repeat(299) + 'y');
    expect(Buffer.byteLength(a)).toBeLessThanOrEqual(MAX_VALUE_BYTES);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^a+-[0-9a-f]{8}$/);
  });

  it('never splits an emoji when cutting', () => {
    const cut = sanitizePathSegment('👩‍👩‍👧'.repeat(40));
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(MAX_VALUE_BYTES);
    expect(cut.replace(/-[0-9a-f]{8}$/, '')).toMatch(/^(👩‍👩‍👧)+$/u);
    expect(cut).not.toContain('\ufffd');
  });

  it('replaces lone surrogates', () => {
    expect(sanitizePathSegment('a\ud800b')).toBe('a\ufffdb');
  });
});

describe('renderRecordingPath', () => {
  it('renders the default template', () => {
    expect(renderRecordingPath(DEFAULT_RECORDING_PATH_TEMPLATE, values('alice'))).toBe(
      path.join('standup', '2025-11-21_09-16-05', 'alice-camera.mp4'),
    );
  });

  it('formats a Date start', () => {
    const rendered = renderRecordingPath('{start}/{identity}.{ext}', {
      ...values('bob'),
      start: new Date(2025, 0, 2, 3, 4, 5),
    });
    expect(rendered).toBe(path.join('2025-01-02_03-04-05', 'bob.mp4'));
  });

  it('rejects unknown placeholders and a missing extension', () => {
    expect(() => validateRecordingPathTemplate('{room}/{nope}.{ext}')).toThrow(/nope/);
    expect(() => validateRecordingPathTemplate('{room}/{identity}')).toThrow(/\.\{ext\}/);
  });
});

describe('resolveRecordingPath', () => {
  const folder = path.resolve('/recordings');
  it.each(['../../etc/x', '/abs', 'con', '..', 'x'.repeat(300), '🎥'.repeat(100), '\\..\\..\\win'])(
    'keeps identity %j inside the folder',
    (identity) => {
      for (const room of [identity, 'room']) {
        const resolved = resolveRecordingPath(
          folder,
          DEFAULT_RECORDING_PATH_TEMPLATE,
          values(identity, room),
        );
        expect(() => assertInsideFolder(folder, resolved)).not.toThrow();
        expect(path.relative(folder, resolved).split(path.sep)).toHaveLength(3);
        for (const segment of path.relative(folder, resolved).split(path.sep)) {
          expect(Buffer.byteLength(segment)).toBeLessThanOrEqual(255);
        }
      }
    },
  );

  it('refuses a template that climbs out', () => {
    // Template text is sanitized per segment too, so even this stays inside.
    const resolved = resolveRecordingPath(folder, '../{identity}.{ext}', values('a'));
    expect(path.dirname(resolved)).toBe(path.join(folder, '_'));
  });

  it('assertInsideFolder rejects outside paths and the folder itself', () => {
    expect(() => assertInsideFolder(folder, path.resolve('/etc/passwd'))).toThrow(/outside/);
    expect(() => assertInsideFolder(folder, folder)).toThrow(/outside/);
    expect(() => assertInsideFolder(folder, path.join(folder, 'a', '..', '..', 'b'))).toThrow(
      /outside/,
    );
  });
});

describe('claimRecordingPath', () => {
  let folder: string;
  beforeEach(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'haven-naming-'));
  });
  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('gives colliding names -2, -3 and creates the files', async () => {
    const claimed = await Promise.all(
      ['alice', 'alice', 'alice'].map((id) =>
        claimRecordingPath(folder, DEFAULT_RECORDING_PATH_TEMPLATE, values(id)),
      ),
    );
    const names = claimed.map((p) => path.basename(p)).sort();
    expect(names).toEqual(['alice-camera-2.mp4', 'alice-camera-3.mp4', 'alice-camera.mp4']);
    const dir = path.join(folder, 'standup', '2025-11-21_09-16-05');
    expect((await readdir(dir)).sort()).toEqual(names);
  });

  it('makes distinct identities that sanitize alike distinct files', async () => {
    const a = await claimRecordingPath(folder, DEFAULT_RECORDING_PATH_TEMPLATE, values('a/b'));
    const b = await claimRecordingPath(folder, DEFAULT_RECORDING_PATH_TEMPLATE, values('a\\b'));
    expect(a).not.toBe(b);
  });
});
