// `npm run dist`, step 1: copies ffmpeg and ffprobe for the platform being built into
// build/ffmpeg/<platform>-<arch>/, which electron-builder.yml ships as
// <resources>/ffmpeg/<platform>-<arch>/ (where native/ffmpeg.ts looks in a packaged app).
// Only the current platform is staged; any other platform's folder is removed so it can't ship.
//
// Sources, first found wins:
//   ffmpeg:  HAVEN_FFMPEG, else the ffmpeg-static package (optional dependency; its install
//            script downloads the binary on a machine with internet).
//   ffprobe: HAVEN_FFPROBE, else an ffprobe beside the chosen ffmpeg. ffmpeg-static ships none.
// A system ffmpeg on PATH is never used implicitly: distribution builds are usually linked
// against the system's shared libraries and would not run on a user's machine.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const platform = process.platform;
const arch = process.arch;
const exe = platform === 'win32' ? '.exe' : '';
const stageRoot = path.join(root, 'build', 'ffmpeg');
const target = path.join(stageRoot, `${platform}-${arch}`);

function fail(message) {
  console.error(`stage-ffmpeg: ${message}`);
  process.exit(1);
}

function isFile(file) {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function ffmpegStatic() {
  try {
    const resolved = createRequire(path.join(root, 'package.json'))('ffmpeg-static');
    return typeof resolved === 'string' && isFile(resolved) ? resolved : null;
  } catch {
    return null;
  }
}

function firstLine(binary) {
  const run = spawnSync(binary, ['-hide_banner', '-version'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return run.status === 0 ? (run.stdout.split('\n')[0] ?? '').trim() : null;
}

const ffmpegSource = process.env.HAVEN_FFMPEG || ffmpegStatic();
if (!ffmpegSource) {
  fail(
    'no ffmpeg to package. Either install with internet so the optional ffmpeg-static package ' +
      'downloads its binary (npm install), or set HAVEN_FFMPEG=/path/to/ffmpeg (a static build ' +
      'with libx264 and aac).',
  );
}
if (!isFile(ffmpegSource)) fail(`ffmpeg not found at ${ffmpegSource}`);

const ffprobeSource =
  process.env.HAVEN_FFPROBE || path.join(path.dirname(ffmpegSource), `ffprobe${exe}`);
if (!isFile(ffprobeSource)) {
  fail(
    `no ffprobe to package (looked at ${ffprobeSource}). ffmpeg-static has none: set ` +
      'HAVEN_FFPROBE=/path/to/ffprobe (a static build for this platform).',
  );
}

const staged = [];
for (const [tool, source] of [
  ['ffmpeg', ffmpegSource],
  ['ffprobe', ffprobeSource],
]) {
  const version = firstLine(source);
  if (!version?.startsWith(`${tool} version`)) {
    fail(`${source} is not a working ${tool} for ${platform}-${arch}`);
  }
  staged.push({ tool, source, version });
}

const encoders = spawnSync(ffmpegSource, ['-hide_banner', '-encoders'], { encoding: 'utf8' });
for (const name of ['libx264', 'aac']) {
  if (!new RegExp(`^\\s*\\S+\\s+${name}\\s`, 'm').test(encoders.stdout ?? '')) {
    fail(`${ffmpegSource} lacks the ${name} encoder that recordings need`);
  }
}

fs.rmSync(stageRoot, { recursive: true, force: true });
fs.mkdirSync(target, { recursive: true });
for (const { tool, source, version } of staged) {
  const dest = path.join(target, `${tool}${exe}`);
  // Follow symlinks: the package must hold the binary itself.
  fs.copyFileSync(fs.realpathSync(source), dest);
  fs.chmodSync(dest, 0o755);
  console.log(`stage-ffmpeg: ${path.relative(root, dest)} <- ${source} (${version})`);
}
