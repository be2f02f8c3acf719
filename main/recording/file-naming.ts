import { createHash } from 'node:crypto';
import { mkdir, open } from 'node:fs/promises';
import path from 'node:path';

/** Default layout of recordings inside the recordings folder. */
export const DEFAULT_RECORDING_PATH_TEMPLATE = '{room}/{start}/{identity}-{source}.{ext}';

/** Values substituted into a recording path template. All are untrusted. */
export interface RecordingPathValues {
  readonly room: string;
  /** Session start; a Date is formatted with {@link formatRecordingStart}. */
  readonly start: Date | string;
  readonly identity: string;
  /** `camera`, `screen_share`, `microphone`... */
  readonly source: string;
  readonly ext: string;
}

/** Longest a single substituted value may be, in UTF-8 bytes, before it is cut and hashed. */
export const MAX_VALUE_BYTES = 100;
// File systems allow 255 bytes per name; leave room for a `-NN` collision suffix.
const MAX_SEGMENT_BYTES = 240;
const PLACEHOLDERS = ['room', 'start', 'identity', 'source', 'ext'] as const;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)$/i;
// Control characters, C1 controls, characters Windows forbids, and bidi overrides that
// could make a name display as something else.
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f<>:"/\\|?*\u202a-\u202e\u2066-\u2069]/g;

/**
 * Turns an untrusted string into one safe path segment: no separators, control characters,
 * `.`/`..`, leading dots, trailing dots or spaces, or reserved Windows device names; at most
 * `maxBytes` UTF-8 bytes (longer values are cut at a character boundary and get a short hash
 * of the original, so two long names that share a prefix stay distinct). Emoji and other
 * non-ASCII text are kept.
 */
export function sanitizePathSegment(value: string, maxBytes = MAX_VALUE_BYTES): string {
  let safe = value.toWellFormed().normalize('NFC').replace(UNSAFE_CHARS, '_').trim();
  // No `..` anywhere, even where it would be harmless, so no reader ever has to wonder.
  safe = safe.replace(/\.{2,}/g, '_').replace(/^\./, '_');
  safe = safe.replace(/[. ]+$/, '');
  if (Buffer.byteLength(safe) > maxBytes) {
    const hash = createHash('sha256').update(value).digest('hex').slice(0, 8);
    safe = `${truncateToBytes(safe, maxBytes - hash.length - 1).replace(/[. ]+$/, '')}-${hash}`;
  }
  if (safe === '') return '_';
  // `con`, `con.txt` and `con .mp4` all name the console device on Windows.
  const stem = safe.split('.')[0]?.trimEnd() ?? safe;
  if (WINDOWS_RESERVED.test(stem)) safe = `_${safe}`;
  return safe;
}

/** `2025-11-21_09-16-05` in local time: sortable, and valid on every file system. */
export function formatRecordingStart(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}_` +
    `${pad(date.getHours())}-${pad(date.getMinutes())}-${pad(date.getSeconds())}`
  );
}

/** Throws when a template uses an unknown placeholder or doesn't end in `.{ext}`. */
export function validateRecordingPathTemplate(template: string): void {
  for (const match of template.matchAll(/\{([^}]*)\}/g)) {
    if (!(PLACEHOLDERS as readonly string[]).includes(match[1] ?? '')) {
      throw new Error(`unknown placeholder {${match[1]}} in recording path template`);
    }
  }
  if (!template.endsWith('.{ext}')) {
    throw new Error('recording path template must end with .{ext}');
  }
}

/**
 * Renders a template to a path relative to the recordings folder, with every value and every
 * resulting segment sanitized. Separators in the template split folders; separators inside
 * values never do.
 */
export function renderRecordingPath(template: string, values: RecordingPathValues): string {
  validateRecordingPathTemplate(template);
  const start =
    typeof values.start === 'string' ? values.start : formatRecordingStart(values.start);
  const raw: Record<(typeof PLACEHOLDERS)[number], string> = { ...values, start };
  const segments = template
    .split(/[\\/]+/)
    .map((segment) =>
      segment.replace(/\{(room|start|identity|source|ext)\}/g, (_, key: keyof typeof raw) =>
        sanitizePathSegment(raw[key]),
      ),
    )
    .map((segment) => sanitizePathSegment(segment, MAX_SEGMENT_BYTES));
  return segments.join(path.sep);
}

/**
 * Resolves a rendered template inside `folder` and throws if the result would leave it.
 * Sanitizing already prevents that; this is the check that doesn't depend on sanitizing right.
 */
export function resolveRecordingPath(
  folder: string,
  template: string,
  values: RecordingPathValues,
): string {
  const root = path.resolve(folder);
  const resolved = path.resolve(root, renderRecordingPath(template, values));
  assertInsideFolder(root, resolved);
  return resolved;
}

/** Throws unless `candidate` is strictly inside `folder`. */
export function assertInsideFolder(folder: string, candidate: string): void {
  const relative = path.relative(path.resolve(folder), path.resolve(candidate));
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new Error(`recording path ${candidate} is outside the recordings folder ${folder}`);
  }
}

/**
 * Resolves the path, creates its folders, and claims the file by creating it empty
 * (exclusive create, so two recorders racing for one name can't both win; case-insensitive
 * file systems count `Alice` and `alice` as one). A taken name gets `-2`, `-3`... before the
 * extension. Returns the claimed absolute path.
 */
export async function claimRecordingPath(
  folder: string,
  template: string,
  values: RecordingPathValues,
  maxAttempts = 1000,
): Promise<string> {
  const base = resolveRecordingPath(folder, template, values);
  await mkdir(path.dirname(base), { recursive: true });
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const candidate = attempt === 1 ? base : withCollisionSuffix(base, attempt);
    try {
      const handle = await open(candidate, 'wx');
      await handle.close();
      return candidate;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new Error(`no free file name for ${base} after ${maxAttempts} attempts`);
}

/** `a/b/name.mp4` + 3 -> `a/b/name-3.mp4`. */
export function withCollisionSuffix(filePath: string, n: number): string {
  const ext = path.extname(filePath);
  return `${filePath.slice(0, filePath.length - ext.length)}-${n}${ext}`;
}

function truncateToBytes(value: string, maxBytes: number): string {
  // Cut between grapheme clusters so an emoji sequence is never split into mojibake.
  const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  let out = '';
  let bytes = 0;
  for (const { segment } of segmenter.segment(value)) {
    const size = Buffer.byteLength(segment);
    if (bytes + size > maxBytes) break;
    out += segment;
    bytes += size;
  }
  return out;
}
