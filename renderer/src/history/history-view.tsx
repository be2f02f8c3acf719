import { useEffect } from 'react';
import type { HistoryEntry } from '../../../preload/contract';
import { formatDateTime, formatElapsed } from '../format/time';
import { useHistoryStore } from '../state/history-store';
import { useLibraryStore } from '../state/library-store';
import { useNavigationStore } from '../state/navigation-store';

/** Every watch and recording session: room, when, who was there, which files it made. */
export function HistoryView() {
  const { sessions, loaded, error, load } = useHistoryStore();
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section className="view" aria-labelledby="history-title">
      <header className="view-header">
        <h2 id="history-title">History</h2>
        <button onClick={() => void load()}>Refresh</button>
      </header>
      {error && (
        <p className="message error" role="alert">
          {error}
        </p>
      )}
      {loaded && !error && sessions.length === 0 && (
        <div className="empty">
          <p>No sessions yet.</p>
          <p className="hint">Every room you watch or record is listed here with who was there and the files it produced.</p>
        </div>
      )}
      {sessions.length > 0 && (
        <ul className="history-list" aria-label="Sessions">
          {sessions.map((session) => (
            <HistoryRow key={session.id} session={session} />
          ))}
        </ul>
      )}
    </section>
  );
}

function HistoryRow({ session }: { session: HistoryEntry }) {
  const go = useNavigationStore((s) => s.go);
  const setFilter = useLibraryStore((s) => s.setFilter);
  const names = [...new Set(session.participants.map((p) => p.name || p.identity))];
  const shown = names.slice(0, 8);
  return (
    <li className="card history-item" data-testid="history-item">
      <div className="history-when">
        <span className={`badge ${session.kind === 'record' ? 'tone-live' : 'tone-info'}`}>{session.kind === 'record' ? 'Recorded' : 'Watched'}</span>
        <span className="small">{formatDateTime(session.startedAt)}</span>
        <span className="muted small">
          {session.endedAt ? `${formatElapsed(session.endedAt - session.startedAt)} long` : 'ongoing or interrupted'}
        </span>
      </div>
      <div className="history-main">
        <div className="row">
          <strong>{session.room}</strong>
          <span className="muted small ellipsis">{session.serverUrl}</span>
          {session.origin === 'cli' && <span className="badge">CLI</span>}
        </div>
        <div className="chips" aria-label="Participants">
          {shown.length === 0 ? (
            <span className="muted small">No participants seen</span>
          ) : (
            shown.map((name) => (
              <span key={name} className="chip">
                {name}
              </span>
            ))
          )}
          {names.length > shown.length && <span className="muted small">+{names.length - shown.length} more</span>}
        </div>
      </div>
      <div className="history-files">
        <span className="small">
          {session.recordings.length} {session.recordings.length === 1 ? 'file' : 'files'}
        </span>
        {session.recordings.length > 0 && (
          <button
            className="small"
            onClick={() => {
              setFilter({ room: session.room, from: '', to: '' });
              go('library');
            }}
          >
            Show in Library
          </button>
        )}
      </div>
    </li>
  );
}
