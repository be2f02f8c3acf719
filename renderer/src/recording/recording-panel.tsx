import { describeRecording, summarizeRecordings } from './recording-format';
import { type RecordingTarget, useRecordingStore } from '../state/recording-store';

interface Props {
  room: string;
  target: RecordingTarget;
  /** Identities chosen in the participants list. */
  selected: readonly string[];
  canRecord: boolean;
}

const problemTitles: Record<string, string> = {
  not_implemented: 'Recording is not available yet',
  disk_full: 'The disk is full',
  folder_unwritable: 'The recordings folder is not writable',
  ffmpeg_missing: 'ffmpeg is missing',
  unauthorized: 'The server refused the recorder',
  unreachable: 'The server is unreachable',
  busy: 'Already recording',
};

/** Record all or the chosen participants, and the live status of every file being written. */
export function RecordingPanel({ room, target, selected, canRecord }: Props) {
  const allSessions = useRecordingStore((s) => s.sessions);
  const sessions = allSessions.filter((x) => x.room === room);
  const problem = useRecordingStore((s) => s.problems[room]);
  const busy = useRecordingStore((s) => s.busy[room] ?? false);
  const start = useRecordingStore((s) => s.start);
  const stop = useRecordingStore((s) => s.stop);
  const dismiss = useRecordingStore((s) => s.dismiss);
  const files = sessions.flatMap((s) => s.files).sort((a, b) => a.identity.localeCompare(b.identity) || a.source.localeCompare(b.source));
  const liveSessions = sessions.filter((s) => s.files.some((f) => f.state === 'recording'));

  return (
    <section className="panel recording-panel" aria-labelledby={`rec-${room}`}>
      <h3 id={`rec-${room}`}>Recording</h3>
      <div className="row">
        <button className="record" disabled={busy || !canRecord} onClick={() => void start(room, target, 'all')}>
          <span className="rec-dot" aria-hidden="true" /> Record all
        </button>
        <button disabled={busy || !canRecord || selected.length === 0} onClick={() => void start(room, target, [...selected])}>
          Record selected{selected.length ? ` (${selected.length})` : ''}
        </button>
      </div>
      {liveSessions.length > 0 && (
        <button className="danger" disabled={busy} onClick={() => liveSessions.forEach((s) => void stop(room, { sessionId: s.sessionId }))}>
          Stop all
        </button>
      )}
      {!canRecord && <p className="hint">Connect to the room to record it.</p>}
      {canRecord && selected.length === 0 && files.length === 0 && <p className="hint">Tick participants in the list to record only them.</p>}
      {problem && (
        <div className="message error" role="alert" data-testid="recording-error" data-code={problem.code}>
          <span>
            <strong>{problemTitles[problem.code] ?? 'Recording failed'}.</strong> {problem.message}
          </span>
          <button className="ghost small" onClick={() => dismiss(room)} aria-label="Dismiss">
            ×
          </button>
        </div>
      )}
      {files.length > 0 && (
        <>
          <p className="muted small" data-testid="recording-summary">
            {summarizeRecordings(files)}
          </p>
          <ul className="rec-files">
            {files.map((file) => {
              const line = describeRecording(file);
              return (
                <li key={file.recordingId} className="rec-file" data-testid="recording-file">
                  <div className="rec-file-head">
                    <span className={`badge tone-${line.state.tone}`}>{line.state.label}</span>
                    <span className="rec-title" title={file.path}>
                      {line.title}
                    </span>
                    {file.state === 'recording' && (
                      <button className="ghost small" disabled={busy} onClick={() => void stop(room, { recordingId: file.recordingId })} aria-label={`Stop recording ${line.title}`}>
                        Stop
                      </button>
                    )}
                  </div>
                  <div className="rec-stats small">
                    <span className="mono">{line.elapsed}</span>
                    <span>{line.size}</span>
                    <span>{line.fps}</span>
                    {line.dropped && <span className={line.droppedWarning ? 'warn-text' : ''}>{line.dropped}</span>}
                    {line.drift && <span>{line.drift}</span>}
                  </div>
                  {line.error && <p className="message error small">{line.error}</p>}
                </li>
              );
            })}
          </ul>
        </>
      )}
    </section>
  );
}
