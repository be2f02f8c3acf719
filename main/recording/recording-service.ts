import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import type { RecordingSessionView, RecordingStatus, Settings } from '../../preload/contract';
import { AppError } from '../api/app-error';
import type { EventBus } from '../api/event-bus';
import type { RecorderConnection, RemoteTrackInfo } from '../livekit/recorder-connection';
import { insertRecording, listRecordings, updateRecording } from '../store/recording-store';
import { endSession, insertSession, listOpenSessions, participantJoined, participantLeft } from '../store/session-store';
import { ensureWritableFolder } from '../settings/writable-folder';
import { claimRecordingPath, validateRecordingPathTemplate } from './file-naming';
import type { FileRecorder, FileRecorderFactory, FileResult } from './file-recorder';
import { x264ThreadsFor } from './mp4-encoder-process';
import type { FfmpegToolchain } from '../../native/ffmpeg';

export interface RecordingTarget {
  url: string;
  token: string;
  /** Profile the session was started from, for history. */
  profileId: string | null;
}

export interface StartRecordingInput {
  target: RecordingTarget;
  room: string;
  participants: 'all' | string[];
  options?: { frameRate?: number; preset?: Settings['preset'] };
  /** Overrides the recordings folder from Settings (the command line's --out). */
  folder?: string;
}

export interface RecordingServiceDeps {
  db: Database;
  events: EventBus;
  settings: () => Settings;
  /** Where thumbnails go (inside the app's data folder, not among the recordings). */
  thumbnailsFolder: string;
  locateFfmpeg: (ffmpegPath: string | null) => Promise<FfmpegToolchain>;
  connect: (url: string, token: string) => Promise<RecorderConnection>;
  createRecorder: FileRecorderFactory;
  origin: 'app' | 'cli';
  /** Wall-clock ms (rows, file names). */
  now?: () => number;
  /** Free bytes on the file system holding `folder`. */
  freeBytes?: (folder: string) => Promise<number>;
  /** How long an audio-only participant's first audio waits for a camera before it goes to WAV. */
  cameraGraceMs?: number;
  log?: (message: string) => void;
}

type OutputGroup = 'camera' | 'screen_share';

interface ActiveFile {
  recordingId: string;
  identity: string;
  group: OutputGroup;
  /** What the file holds: camera (camera+mic), screen_share (+its audio), audio (mic only, WAV). */
  source: 'camera' | 'screen_share' | 'audio';
  kind: 'mp4' | 'wav';
  path: string;
  recorder: FileRecorder;
  startedAtMs: number;
  tracks: Set<string>;
  state: RecordingStatus['state'];
  error: string | null;
  bytes: number;
  lastFramesIn: number;
  lastFramesOut: number;
  fpsIn: number;
  fpsOut: number;
  stopping: Promise<void> | null;
}

interface ActiveSession {
  id: string;
  room: string;
  startedAt: number;
  folder: string;
  template: string;
  fps: number;
  preset: Settings['preset'];
  toolchain: FfmpegToolchain;
  selection: 'all' | Set<string>;
  connection: RecorderConnection;
  files: Map<string, ActiveFile>;
  /** Files being opened (path claimed, encoder starting), by key. */
  opening: Map<string, Promise<ActiveFile>>;
  /** Every file this session made, kept after they finish, for status. */
  finished: RecordingStatus[];
  trackToFile: Map<string, ActiveFile>;
  /** Files being finalized, so stopping a session waits for every one of them. */
  finishing: Set<Promise<void>>;
  /** Track kinds by sid, to apply jitter-buffer delays to the right side of the timeline. */
  trackKinds: Map<string, 'audio' | 'video'>;
  pendingAudio: Map<string, { info: RemoteTrackInfo; timer: NodeJS.Timeout }>;
  /** When each participant joined (0: already there when recording started). */
  joinedAt: Map<string, number>;
  floorBytes: number;
  timer: NodeJS.Timeout;
  stopping: Promise<void> | null;
}

/**
 * Records rooms: joins as a hidden recorder, and writes each selected participant's camera +
 * microphone to one MP4, each screen share (+ its audio) to another, and a participant who only
 * publishes audio to a WAV. Rows in the store are written as things happen so a crash loses no
 * history, and files interrupted by one are repaired on the next start.
 *
 * An audio-only participant who turns a camera on: the WAV is finalized there and a new MP4
 * (camera + microphone) starts, so every file has one consistent format from start to end.
 */
export class RecordingService {
  private readonly sessions = new Map<string, ActiveSession>();
  /** MP4 recorders being created (not yet in their session's files). */
  private encodersStarting = 0;
  private readonly now: () => number;

  constructor(private readonly deps: RecordingServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Joins the room and starts a file per selected participant and source. */
  async start(input: StartRecordingInput): Promise<RecordingSessionView> {
    const settings = this.deps.settings();
    const fps = input.options?.frameRate ?? settings.frameRate;
    const preset = input.options?.preset ?? settings.preset;
    validateTemplate(settings.fileTemplate);
    // Everything that can fail before joining fails here, with nothing half-started.
    let toolchain: FfmpegToolchain;
    try {
      toolchain = await this.deps.locateFfmpeg(settings.ffmpegPath);
    } catch (error) {
      throw new AppError('ffmpeg_missing', (error as Error).message, { cause: error });
    }
    const folder = input.folder ?? settings.recordingsFolder;
    await this.assertFolderUsable(folder, settings.freeSpaceFloorMb);

    let connection: RecorderConnection;
    try {
      connection = await this.deps.connect(input.target.url, input.target.token);
    } catch (error) {
      throw connectionError(error, input.target.url);
    }

    const startedAt = this.now();
    const session: ActiveSession = {
      id: crypto.randomUUID(),
      room: input.room,
      startedAt,
      folder,
      template: settings.fileTemplate,
      fps,
      preset,
      toolchain,
      selection: input.participants === 'all' ? 'all' : new Set(input.participants),
      connection,
      files: new Map(),
      opening: new Map(),
      finished: [],
      trackToFile: new Map(),
      finishing: new Set(),
      trackKinds: new Map(),
      pendingAudio: new Map(),
      joinedAt: new Map(),
      floorBytes: settings.freeSpaceFloorMb * 1024 * 1024,
      timer: setInterval(() => void this.tick(session), 1000),
      stopping: null,
    };
    this.sessions.set(session.id, session);
    insertSession(this.deps.db, {
      id: session.id,
      kind: 'record',
      origin: this.deps.origin,
      profileId: input.target.profileId,
      serverUrl: input.target.url,
      room: input.room,
      startedAt,
      endedAt: null,
    });
    this.wire(session);
    // Participants already in the room: their tracks arrive as trackStarted events, which may
    // have fired during connect, so plan files from what is published now as well.
    for (const participant of connection.participants()) {
      session.joinedAt.set(participant.identity, 0);
      this.onParticipantJoined(session, participant);
      for (const track of participant.tracks) this.onTrackPublished(session, track);
    }
    return this.view(session);
  }

  /** Stops one file, or a whole session (every file finalized, then the room is left). */
  async stop(target: { recordingId: string } | { sessionId: string }): Promise<void> {
    if ('sessionId' in target) {
      const session = this.sessions.get(target.sessionId);
      if (!session) throw new AppError('not_found', 'That recording session is not running.');
      await this.stopSession(session, null);
      return;
    }
    for (const session of this.sessions.values()) {
      for (const file of session.files.values()) {
        if (file.recordingId === target.recordingId) {
          await this.finishFile(session, file, null);
          return;
        }
      }
    }
    throw new AppError('not_found', 'That recording is not running.');
  }

  status(): RecordingSessionView[] {
    return [...this.sessions.values()].map((session) => this.view(session));
  }

  /** Selected participants in the session's room now (the recorder itself is hidden). */
  participantCount(sessionId: string): number {
    const session = this.sessions.get(sessionId);
    if (!session) return 0;
    return session.connection.participants().filter((p) => this.selected(session, p.identity)).length;
  }

  isActive(sessionId: string): boolean {
    return this.sessions.has(sessionId);
  }

  /** Rooms being recorded now (for the rooms list badge). */
  recordingRooms(): Set<string> {
    return new Set([...this.sessions.values()].map((s) => s.room));
  }

  /** Stops everything (app quit, SIGINT). Every file is finalized. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => this.stopSession(s, null)));
  }

  /**
   * Start-up repair: rows still `recording` belong to a process that died. Their files are made
   * playable (fragmented MP4 remuxed, WAV header rewritten) and marked `interrupted` with the
   * duration that survived; open sessions are closed.
   */
  async repairInterrupted(repair: (file: string, kind: 'mp4' | 'wav') => Promise<{ durationSec: number; bytes: number; ok: boolean; error?: string | null }>): Promise<number> {
    const active = new Set([...this.sessions.keys()]);
    const rows = listRecordings(this.deps.db, { status: 'recording' }).filter((row) => !active.has(row.sessionId));
    for (const row of rows) {
      let result: Awaited<ReturnType<typeof repair>>;
      try {
        result = await repair(row.path, row.kind);
      } catch (error) {
        result = { durationSec: 0, bytes: 0, ok: false, error: (error as Error).message };
      }
      updateRecording(this.deps.db, row.id, {
        status: result.ok ? 'interrupted' : 'failed',
        durationMs: Math.round(result.durationSec * 1000),
        bytes: result.bytes,
        endedAt: row.startedAt + Math.round(result.durationSec * 1000),
        error: result.ok ? 'The app stopped while recording; the file was recovered up to that point.' : (result.error ?? 'The file could not be recovered.'),
      });
    }
    for (const session of listOpenSessions(this.deps.db)) {
      if (!active.has(session.id) && session.kind === 'record') endSession(this.deps.db, session.id, this.now());
    }
    return rows.length;
  }

  private wire(session: ActiveSession): void {
    const c = session.connection;
    c.on('participantJoined', (p) => {
      session.joinedAt.set(p.identity, this.now());
      this.onParticipantJoined(session, p);
    });
    c.on('participantLeft', (identity) => void this.onParticipantLeft(session, identity));
    c.on('trackPublished', (track) => this.onTrackPublished(session, track));
    c.on('trackStarted', (track) => this.onTrackStarted(session, track));
    c.on('trackEnded', (track) => void this.onTrackEnded(session, track));
    c.on('videoFrame', (sid, frame, arrival) => session.trackToFile.get(sid)?.recorder.pushVideoFrame?.(frame, arrival));
    c.on('audioFrame', (sid, frame, arrival) => session.trackToFile.get(sid)?.recorder.pushAudioFrame(frame, arrival));
    c.on('trackDelay', (sid, delayMs, options) => {
      const kind = session.trackKinds.get(sid);
      if (kind) session.trackToFile.get(sid)?.recorder.setTrackDelay?.(kind, delayMs, options);
    });
    c.on('disconnected', (reason) => {
      const message =
        reason === 'ROOM_DELETED'
          ? `Room ${session.room} was closed on the server; the recording was stopped and its files saved.`
          : `Lost the connection to room ${session.room} (${reason}); the recording was stopped and its files saved.`;
      void this.stopSession(session, message);
    });
  }

  /** MP4 encoders recording or starting, in every session (they share the machine's cores). */
  private runningEncoders(): number {
    let count = this.encodersStarting;
    for (const session of this.sessions.values()) for (const file of session.files.values()) if (file.kind === 'mp4') count++;
    return count;
  }

  private selected(session: ActiveSession, identity: string): boolean {
    return session.selection === 'all' || session.selection.has(identity);
  }

  private onParticipantJoined(session: ActiveSession, p: { identity: string; name: string }): void {
    if (!this.selected(session, p.identity) || session.stopping) return;
    participantJoined(this.deps.db, { sessionId: session.id, identity: p.identity, name: p.name, joinedAt: this.now() });
  }

  private async onParticipantLeft(session: ActiveSession, identity: string): Promise<void> {
    if (!this.selected(session, identity)) return;
    participantLeft(this.deps.db, session.id, identity, this.now());
    const files = [...session.files.values()].filter((f) => f.identity === identity);
    await Promise.all(files.map((file) => this.finishFile(session, file, null)));
  }

  private onTrackPublished(session: ActiveSession, track: RemoteTrackInfo): void {
    // A camera published by someone whose audio waits for a decision: it is not audio-only.
    const pending = session.pendingAudio.get(track.identity);
    if (pending && track.kind === 'video' && track.source === 'camera') {
      clearTimeout(pending.timer);
      session.pendingAudio.delete(track.identity);
      void this.routeTrack(session, pending.info, 'camera');
    }
  }

  private onTrackStarted(session: ActiveSession, track: RemoteTrackInfo): void {
    if (!this.selected(session, track.identity) || session.stopping) return;
    session.trackKinds.set(track.sid, track.kind);
    if (track.source === 'screen_share' || track.source === 'screen_share_audio') {
      void this.routeTrack(session, track, 'screen_share');
      return;
    }
    if (track.kind === 'video') {
      void this.routeTrack(session, track, 'camera');
      return;
    }
    // Microphone (or an unknown audio source).
    const existing = session.files.get(fileKey(track.identity, 'camera'));
    const publishesCamera = session.connection
      .participants()
      .find((p) => p.identity === track.identity)
      ?.tracks.some((t) => t.kind === 'video' && t.source === 'camera');
    // Someone who was already in the room has published what they publish: no camera means
    // audio-only. Someone who just joined may publish the camera a moment after the microphone.
    const justJoined = this.now() - (session.joinedAt.get(track.identity) ?? 0) < (this.deps.cameraGraceMs ?? 700) * 3;
    if (existing || publishesCamera || !justJoined) {
      void this.routeTrack(session, track, 'camera');
      return;
    }
    const timer = setTimeout(() => {
      session.pendingAudio.delete(track.identity);
      void this.routeTrack(session, track, 'camera');
    }, this.deps.cameraGraceMs ?? 700);
    session.pendingAudio.set(track.identity, { info: track, timer });
  }

  private async onTrackEnded(session: ActiveSession, track: RemoteTrackInfo): Promise<void> {
    const pending = session.pendingAudio.get(track.identity);
    if (pending?.info.sid === track.sid) {
      clearTimeout(pending.timer);
      session.pendingAudio.delete(track.identity);
    }
    const file = session.trackToFile.get(track.sid);
    session.trackToFile.delete(track.sid);
    if (!file) return;
    file.tracks.delete(track.sid);
    // A screen share is a discrete thing: when its tracks are gone, so is its file. A camera
    // file goes on through unpublish/mute (last frame repeats) until the participant leaves.
    if (file.group === 'screen_share' && file.tracks.size === 0) await this.finishFile(session, file, null);
  }

  /** Sends a track to its file, creating the file (or switching WAV -> MP4) as needed. */
  private async routeTrack(session: ActiveSession, track: RemoteTrackInfo, group: OutputGroup): Promise<void> {
    const key = fileKey(track.identity, group);
    let file = session.files.get(key) ?? (await session.opening.get(key));
    const wantsVideo = group === 'screen_share' || track.kind === 'video' || this.publishesVideo(session, track.identity, group);
    if (file && file.kind === 'wav' && wantsVideo) {
      // Audio-only participant turned a camera on: close the WAV, continue in an MP4.
      const audioTracks = [...file.tracks];
      await this.finishFile(session, file, null);
      file = await this.openFile(session, track.identity, group, 'mp4');
      for (const sid of audioTracks) this.attach(session, file, sid);
    } else if (!file) {
      file = await this.openFile(session, track.identity, group, wantsVideo ? 'mp4' : 'wav');
    }
    if (session.stopping || file.stopping) return;
    this.attach(session, file, track.sid);
  }

  private publishesVideo(session: ActiveSession, identity: string, group: OutputGroup): boolean {
    const wanted = group === 'camera' ? 'camera' : 'screen_share';
    return !!session.connection
      .participants()
      .find((p) => p.identity === identity)
      ?.tracks.some((t) => t.kind === 'video' && t.source === wanted);
  }

  private attach(session: ActiveSession, file: ActiveFile, sid: string): void {
    file.tracks.add(sid);
    session.trackToFile.set(sid, file);
    // The file places the track's media by its delay: the one known, or (audio) it waits for it.
    const kind = session.trackKinds.get(sid);
    const known = session.connection.trackDelay(sid);
    if (kind && known) file.recorder.setTrackDelay?.(kind, known.delayMs, known);
    else if (kind === 'audio' && session.connection.measuresDelays) file.recorder.awaitAudioDelay?.();
  }

  /** The file for this participant and group, opening it once even when tracks arrive together. */
  private openFile(session: ActiveSession, identity: string, group: OutputGroup, kind: 'mp4' | 'wav'): Promise<ActiveFile> {
    const key = fileKey(identity, group);
    const existing = session.files.get(key);
    if (existing) return Promise.resolve(existing);
    let opening = session.opening.get(key);
    if (!opening) {
      opening = this.createFile(session, identity, group, kind).finally(() => session.opening.delete(key));
      session.opening.set(key, opening);
    }
    return opening;
  }

  private async createFile(session: ActiveSession, identity: string, group: OutputGroup, kind: 'mp4' | 'wav'): Promise<ActiveFile> {
    const key = fileKey(identity, group);
    const source = kind === 'wav' ? 'audio' : group;
    try {
      const filePath = await claimRecordingPath(session.folder, session.template, {
        room: session.room,
        start: new Date(session.startedAt),
        identity,
        source,
        ext: kind,
      });
      const threads = kind === 'mp4' ? x264ThreadsFor(this.runningEncoders()) : undefined;
      if (kind === 'mp4') this.encodersStarting++;
      const recorder = await this.deps.createRecorder({
        kind,
        path: filePath,
        toolchain: session.toolchain,
        fps: session.fps,
        preset: session.preset,
        encoderThreads: threads,
      }).finally(() => {
        if (kind === 'mp4') this.encodersStarting--;
      });
      const file: ActiveFile = {
        recordingId: crypto.randomUUID(),
        identity,
        group,
        source,
        kind,
        path: filePath,
        recorder,
        startedAtMs: this.now(),
        tracks: new Set(),
        state: 'recording',
        error: null,
        bytes: 0,
        lastFramesIn: 0,
        lastFramesOut: 0,
        fpsIn: 0,
        fpsOut: 0,
        stopping: null,
      };
      session.files.set(key, file);
      insertRecording(this.deps.db, {
        id: file.recordingId,
        sessionId: session.id,
        identity,
        source,
        path: filePath,
        kind,
        status: 'recording',
        bytes: 0,
        durationMs: null,
        startedAt: file.startedAtMs,
        endedAt: null,
        error: null,
        thumbnailPath: null,
      });
      recorder.onDidCrash((error) => {
        const message = ffmpegFailureMessage(error.message, session.folder);
        this.deps.events.emit('app.notice', { level: 'error', code: message.code, message: message.text, at: this.now() });
        void this.finishFile(session, file, message.text);
      });
      return file;
    } catch (error) {
      const message = `Could not start recording ${identity} (${(error as Error).message}).`;
      this.deps.log?.(message);
      this.deps.events.emit('app.notice', { level: 'error', code: 'internal', message, at: this.now() });
      throw error;
    }
  }

  private finishFile(session: ActiveSession, file: ActiveFile, error: string | null): Promise<void> {
    file.stopping ??= (async () => {
      if (session.files.get(fileKey(file.identity, file.group)) === file) session.files.delete(fileKey(file.identity, file.group));
      for (const sid of file.tracks) session.trackToFile.delete(sid);
      let result: FileResult;
      try {
        result = await file.recorder.stop();
      } catch (stopError) {
        result = { status: 'failed', path: file.path, durationSec: 0, bytes: 0, error: (stopError as Error).message };
      }
      const status = error && result.status === 'complete' ? 'interrupted' : result.status;
      file.state = status;
      file.error = error ?? result.error;
      file.bytes = result.bytes;
      const thumbnailPath = file.kind === 'mp4' && status !== 'failed' ? await this.thumbnail(session, file, result.durationSec) : null;
      updateRecording(this.deps.db, file.recordingId, {
        status,
        path: result.path,
        bytes: result.bytes,
        durationMs: Math.round(result.durationSec * 1000),
        endedAt: this.now(),
        error: file.error,
        thumbnailPath,
      });
      session.finished.push({ ...this.fileStatus(session, file), path: result.path });
      this.emitProgress();
    })();
    const finishing = file.stopping;
    session.finishing.add(finishing);
    void finishing.finally(() => session.finishing.delete(finishing));
    return finishing;
  }

  private async thumbnail(session: ActiveSession, file: ActiveFile, durationSec: number): Promise<string | null> {
    try {
      fs.mkdirSync(this.deps.thumbnailsFolder, { recursive: true });
      const out = path.join(this.deps.thumbnailsFolder, `${file.recordingId}.jpg`);
      await session.toolchain.makeThumbnail(file.path, out, { atSec: Math.min(1, durationSec / 2) });
      return out;
    } catch (error) {
      this.deps.log?.(`thumbnail for ${file.path} failed: ${(error as Error).message}`);
      return null;
    }
  }

  private stopSession(session: ActiveSession, reason: string | null): Promise<void> {
    session.stopping ??= (async () => {
      clearInterval(session.timer);
      for (const pending of session.pendingAudio.values()) clearTimeout(pending.timer);
      session.pendingAudio.clear();
      // Leave the room first: nothing after the stop goes into the files, and the encoders get
      // the CPU that decoding the room took to finish theirs (on a machine short of it, they
      // could not within their exit timeout while the room still came in: 7 of 8 files cut).
      await session.connection.close();
      // Files end cleanly here (the reason goes to the user as a notice, not into file rows).
      await Promise.all([...session.files.values()].map((f) => this.finishFile(session, f, null)));
      // Opening files and files already finishing (a crash, a leaver) are waited for too.
      await Promise.allSettled([...session.opening.values()]);
      await Promise.all([...session.files.values()].map((f) => this.finishFile(session, f, null)));
      await Promise.all([...session.finishing]);
      endSession(this.deps.db, session.id, this.now());
      this.sessions.delete(session.id);
      if (reason) this.deps.events.emit('app.notice', { level: 'warning', code: null, message: reason, at: this.now() });
      this.emitProgress();
    })();
    return session.stopping;
  }

  /** Once a second: rates, sizes, the disk floor, rows and a progress event. */
  private async tick(session: ActiveSession): Promise<void> {
    if (session.stopping) return;
    for (const file of session.files.values()) {
      if (file.stopping) continue;
      const p = file.recorder.progress;
      file.fpsIn = p.framesIn - file.lastFramesIn;
      file.fpsOut = p.framesOut - file.lastFramesOut;
      file.lastFramesIn = p.framesIn;
      file.lastFramesOut = p.framesOut;
      try {
        file.bytes = fs.statSync(file.path).size;
      } catch {
        // Not created yet (ffmpeg starts on the first frame).
      }
      updateRecording(this.deps.db, file.recordingId, { bytes: file.bytes, durationMs: Math.round(p.elapsedSec * 1000) });
    }
    this.emitProgress();
    if (session.floorBytes > 0 && this.deps.freeBytes) {
      const free = await this.deps.freeBytes(session.folder).catch(() => Infinity);
      if (free < session.floorBytes) {
        const message = `Disk almost full: less than ${Math.round(session.floorBytes / 1048576)} MB free in ${session.folder}. Recording stopped; files saved up to here. Free some space or choose another folder.`;
        this.deps.events.emit('app.notice', { level: 'error', code: 'disk_full', message, at: this.now() });
        await this.stopSession(session, null);
      }
    }
  }

  /** Every file of every running session: finished ones (with their final state) and live ones. */
  private emitProgress(): void {
    this.deps.events.emit('recording.progress', [...this.sessions.values()].flatMap((s) => this.view(s).files));
  }

  private fileStatus(session: ActiveSession, file: ActiveFile): RecordingStatus {
    const p = file.recorder.progress;
    return {
      recordingId: file.recordingId,
      sessionId: session.id,
      identity: file.identity,
      source: file.source,
      path: file.path,
      state: file.state,
      elapsedMs: Math.round(p.elapsedSec * 1000),
      bytes: file.bytes,
      fpsIn: file.fpsIn,
      fpsOut: file.fpsOut,
      droppedFrames: p.droppedFrames,
      avDriftMs: p.avDriftMs,
      error: file.error,
    };
  }

  private view(session: ActiveSession): RecordingSessionView {
    return {
      sessionId: session.id,
      room: session.room,
      startedAt: session.startedAt,
      files: [...session.finished, ...[...session.files.values()].map((f) => this.fileStatus(session, f))],
    };
  }

  private async assertFolderUsable(folder: string, floorMb: number): Promise<void> {
    ensureWritableFolder(folder);
    if (floorMb > 0 && this.deps.freeBytes) {
      const free = await this.deps.freeBytes(folder);
      if (free < floorMb * 1024 * 1024) {
        throw new AppError('disk_full', `Only ${Math.round(free / 1048576)} MB free in ${folder}, below the ${floorMb} MB you keep free. Free some space or choose another folder.`);
      }
    }
  }
}

function fileKey(identity: string, group: OutputGroup): string {
  return `${group}\u0000${identity}`;
}

function validateTemplate(template: string): void {
  try {
    validateRecordingPathTemplate(template);
  } catch (error) {
    throw new AppError('validation', `The file name template is not usable: ${(error as Error).message}`);
  }
}

function connectionError(error: unknown, url: string): AppError {
  const text = error instanceof Error ? error.message : String(error);
  if (/401|unauthori|invalid token|permission/i.test(text)) {
    return new AppError('unauthorized', `The server refused the recorder's token for ${url}. Check the profile's API key and secret, or the token.`, { cause: error });
  }
  return new AppError('unreachable', `The recorder could not join the room at ${url}. Check the URL and that the server is up.`, { cause: error });
}

function ffmpegFailureMessage(detail: string, folder: string): { code: 'disk_full' | 'ffmpeg_missing'; text: string } {
  if (/No space left|ENOSPC|disk full/i.test(detail)) {
    return { code: 'disk_full', text: `The disk holding ${folder} is full. The recording was saved up to here; free some space to record again.` };
  }
  return { code: 'ffmpeg_missing', text: `ffmpeg stopped while recording (${detail.slice(0, 300)}). The file was saved up to here; you can start recording again.` };
}

