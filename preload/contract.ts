/**
 * The one contract between the renderer and main: every method's name, the zod schema of its
 * input and of its result, and every event's payload. Main registers handlers from it (both
 * shells), the preload exposes it, the web transport speaks it and the renderer derives its
 * types from it. Nothing about IPC is written per method.
 */
import { z } from 'zod';

// Bounds on every string that crosses the boundary, so a 1 MB payload is a validation error
// rather than something a service has to think about.
const shortText = z.string().max(200);
const id = z.string().min(1).max(64);
const filePath = z.string().min(1).max(4096);
const serverUrl = z.string().trim().min(1, 'Enter the server URL').max(2048);

export const errorCodes = [
  'validation',
  'not_found',
  'bad_url',
  'unreachable',
  'timeout',
  'unauthorized',
  'server_error',
  'secret_storage',
  'ffmpeg_missing',
  'disk_full',
  'folder_unwritable',
  'busy',
  'forbidden',
  'not_implemented',
  'internal',
] as const;
export const ErrorCode = z.enum(errorCodes);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const AppErrorShape = z.object({ code: ErrorCode, message: z.string() });
export type AppErrorShape = z.infer<typeof AppErrorShape>;

/** Results cross as `{ok: true, value} | {ok: false, error}`: a failure is data, not a throw. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: AppErrorShape };

export const presets = ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium'] as const;

export const Settings = z.object({
  recordingsFolder: filePath,
  frameRate: z.number().int().min(5).max(60),
  preset: z.enum(presets),
  fileTemplate: z.string().min(1).max(300),
  ffmpegPath: filePath.nullable(),
  freeSpaceFloorMb: z.number().int().min(0).max(1_000_000),
});
export type Settings = z.infer<typeof Settings>;

/** A server profile as the renderer sees it: never the secret, only whether one is stored. */
export const ProfileView = z.object({
  id,
  name: shortText,
  url: serverUrl,
  apiKey: z.string().max(200),
  hasSecret: z.boolean(),
  /** 'env' profiles come from LIVEKIT_URL / LIVEKIT_API_KEY / LIVEKIT_API_SECRET and are read-only. */
  source: z.enum(['saved', 'env']),
});
export type ProfileView = z.infer<typeof ProfileView>;

export const ProfileInput = z.strictObject({
  id: id.optional(),
  name: shortText.min(1, 'Give the profile a name'),
  url: serverUrl,
  apiKey: z.string().trim().max(200),
  /** Omitted or empty when editing keeps the stored secret. */
  apiSecret: z.string().max(512).optional(),
});
export type ProfileInput = z.infer<typeof ProfileInput>;

export const ConnectionTarget = z.union([
  z.strictObject({ profileId: id }),
  z.strictObject({ url: serverUrl, apiKey: z.string().max(200), apiSecret: z.string().max(512) }),
]);

export const ConnectionTestResult = z.object({ rooms: z.number().int(), latencyMs: z.number() });

export const RoomView = z.object({
  name: z.string(),
  numParticipants: z.number().int(),
  createdAt: z.number(),
  recording: z.boolean(),
});
export type RoomView = z.infer<typeof RoomView>;

export const RecordingOptions = z.strictObject({
  frameRate: z.number().int().min(5).max(60).optional(),
  preset: z.enum(presets).optional(),
});

export const RecordingStatus = z.object({
  recordingId: id,
  sessionId: id,
  identity: z.string(),
  source: z.string(),
  path: z.string(),
  state: z.enum(['recording', 'complete', 'interrupted', 'failed']),
  elapsedMs: z.number(),
  bytes: z.number(),
  fpsIn: z.number(),
  fpsOut: z.number(),
  droppedFrames: z.number(),
  avDriftMs: z.number().nullable(),
  error: z.string().nullable(),
});
export type RecordingStatus = z.infer<typeof RecordingStatus>;

export const RecordingSessionView = z.object({
  sessionId: id,
  room: z.string(),
  startedAt: z.number(),
  files: z.array(RecordingStatus),
});
export type RecordingSessionView = z.infer<typeof RecordingSessionView>;

export const LibraryItem = z.object({
  id,
  sessionId: id,
  room: z.string(),
  identity: z.string(),
  source: z.string(),
  path: z.string(),
  kind: z.enum(['mp4', 'wav']),
  status: z.enum(['recording', 'complete', 'interrupted', 'failed']),
  bytes: z.number(),
  durationMs: z.number().nullable(),
  startedAt: z.number(),
  endedAt: z.number().nullable(),
  error: z.string().nullable(),
  thumbnailUrl: z.string().nullable(),
  mediaUrl: z.string().nullable(),
});
export type LibraryItem = z.infer<typeof LibraryItem>;

export const HistoryEntry = z.object({
  id,
  kind: z.enum(['watch', 'record']),
  origin: z.enum(['app', 'cli']),
  room: z.string(),
  serverUrl: z.string(),
  startedAt: z.number(),
  endedAt: z.number().nullable(),
  participants: z.array(
    z.object({ identity: z.string(), name: z.string(), joinedAt: z.number(), leftAt: z.number().nullable() }),
  ),
  recordings: z.array(id),
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;

export const Notice = z.object({
  level: z.enum(['info', 'warning', 'error']),
  code: ErrorCode.nullable(),
  message: z.string(),
  at: z.number(),
});
export type Notice = z.infer<typeof Notice>;

export const AppInfo = z.object({
  version: z.string(),
  shell: z.enum(['electron', 'web']),
  dataFolder: z.string(),
  secretStorage: z.string(),
  notices: z.array(Notice),
});

const none = z.strictObject({});

function method<I extends z.ZodType, O extends z.ZodType>(input: I, output: O) {
  return { input, output };
}

export const methods = {
  'app.info': method(none, AppInfo),
  'settings.get': method(none, Settings),
  'settings.set': method(Settings.partial().strict(), Settings),
  'profiles.list': method(none, z.array(ProfileView)),
  'profiles.save': method(ProfileInput, ProfileView),
  'profiles.remove': method(z.strictObject({ id }), z.null()),
  'profiles.test': method(ConnectionTarget, ConnectionTestResult),
  'rooms.list': method(z.strictObject({ profileId: id }), z.array(RoomView)),
  'rooms.watch': method(
    z.strictObject({ profileId: id, room: shortText.min(1) }),
    z.object({ url: z.string(), token: z.string() }),
  ),
  'recording.start': method(
    z.strictObject({
      target: z.union([
        z.strictObject({ profileId: id }),
        z.strictObject({ url: serverUrl, token: z.string().min(1).max(8192) }),
      ]),
      room: shortText.min(1),
      participants: z.union([z.literal('all'), z.array(shortText).min(1).max(500)]),
      options: RecordingOptions.optional(),
    }),
    RecordingSessionView,
  ),
  'recording.stop': method(
    z.union([z.strictObject({ recordingId: id }), z.strictObject({ sessionId: id })]),
    z.null(),
  ),
  'recording.status': method(none, z.array(RecordingSessionView)),
  'library.list': method(
    z.strictObject({
      room: shortText.optional(),
      from: z.number().optional(),
      to: z.number().optional(),
    }),
    z.array(LibraryItem),
  ),
  'library.remove': method(z.strictObject({ id }), z.null()),
  'library.reveal': method(z.strictObject({ id }), z.object({ path: z.string() })),
  // A watch session as the renderer lives it: main keeps it in History (who was there, when).
  'history.watchStarted': method(
    z.strictObject({ room: shortText.min(1), serverUrl: serverUrl, profileId: id.optional() }),
    z.object({ sessionId: id }),
  ),
  'history.watchParticipants': method(
    z.strictObject({
      sessionId: id,
      present: z.array(z.strictObject({ identity: shortText, name: shortText })).max(2000),
    }),
    z.null(),
  ),
  'history.watchEnded': method(z.strictObject({ sessionId: id }), z.null()),
  'history.list': method(z.strictObject({ limit: z.number().int().min(1).max(1000).optional() }), z.array(HistoryEntry)),
} as const;

export const events = {
  'recording.progress': z.array(RecordingStatus),
  'rooms.changed': z.object({ profileId: id, rooms: z.array(RoomView) }),
  'app.notice': Notice,
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type MethodInput<M extends MethodName> = z.input<Methods[M]['input']>;
/** What a handler receives: the input after zod parsed it (defaults applied, unknown keys refused). */
export type MethodParsedInput<M extends MethodName> = z.output<Methods[M]['input']>;
export type MethodOutput<M extends MethodName> = z.output<Methods[M]['output']>;
export type EventName = keyof typeof events;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

export const methodNames = Object.keys(methods) as MethodName[];
export const eventNames = Object.keys(events) as EventName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(methods, name);
}

/** What the renderer calls: `window.haven` in Electron, the WebSocket transport in a browser. */
export interface HavenApi {
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<Result<MethodOutput<M>>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

/** The IPC channel names the Electron shell and its preload share. */
export const ipcChannels = { call: 'haven:call', event: 'haven:event' } as const;
