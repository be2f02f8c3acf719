import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RECORDER_V8_FLAGS } from '../../../main/recording/v8-flags';

const root = path.resolve(import.meta.dirname, '../../..');

describe('the recorder V8 flags', () => {
  it('are what node accepts, silently', () => {
    const run = spawnSync(process.execPath, [...RECORDER_V8_FLAGS, '-e', 'process.exit(0)'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('are on every launcher of a recording Node process: the CLI shebang and npm run web', () => {
    const flags = RECORDER_V8_FLAGS.join(' ');
    const shebang = readFileSync(path.join(root, 'bin/haven-player.js'), 'utf8').split('\n')[0];
    expect(shebang).toBe(`#!/usr/bin/env -S node ${flags}`);
    const scripts = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.web).toContain(`node ${flags} out/main/web.js`);
  });
});
