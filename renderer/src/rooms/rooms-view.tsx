import { useEffect } from 'react';
import { useNow } from '../components/use-now';
import { formatClock, formatLiveFor } from '../format/time';
import { useNavigationStore } from '../state/navigation-store';
import { useProfilesStore } from '../state/profiles-store';
import { activeSessions, useRecordingStore } from '../state/recording-store';
import { useRoomsStore } from '../state/rooms-store';
import { useWatchStore } from '../watch/watch-store';
import { JoinWithTokenForm } from './join-with-token-form';

const errorTitles: Record<string, string> = {
  unauthorized: 'Wrong API key or secret',
  unreachable: 'Server unreachable',
  timeout: 'No answer in time',
  bad_url: 'Malformed URL',
  server_error: 'Server error',
  not_found: 'Server profile not found',
};

/** The live rooms of one server profile, refreshed every few seconds while this view is shown. */
export function RoomsView() {
  const { profiles, loaded, loadError, load } = useProfilesStore();
  const { profileId, rooms, loading, error, updatedAt, choose, watch, refresh } = useRoomsStore();
  const go = useNavigationStore((s) => s.go);
  const openWatch = useWatchStore((s) => s.open);
  const recordingSessions = useRecordingStore((s) => s.sessions);
  const recordingProblems = useRecordingStore((s) => s.problems);
  const recordingBusy = useRecordingStore((s) => s.busy);
  const startRecording = useRecordingStore((s) => s.start);
  const stopRecording = useRecordingStore((s) => s.stop);
  const now = useNow(5_000);

  useEffect(() => {
    void load();
  }, [load]);

  // Keep the chosen profile valid: the remembered one if it still exists, else the first.
  useEffect(() => {
    if (!loaded) return;
    if (profiles.length === 0) choose(null);
    else if (!profiles.some((p) => p.id === profileId)) choose(profiles[0]!.id);
  }, [loaded, profiles, profileId, choose]);

  useEffect(() => (profileId ? watch() : undefined), [profileId, watch]);

  const profile = profiles.find((p) => p.id === profileId);

  return (
    <section className="view" aria-labelledby="rooms-title">
      <header className="view-header">
        <h2 id="rooms-title">Rooms</h2>
        {profiles.length > 0 && (
          <div className="row">
            <label className="inline">
              Server
              <select value={profileId ?? ''} onChange={(e) => choose(e.target.value)} aria-label="Server">
                {profiles.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
            </label>
            <button onClick={() => void refresh()} title="Rooms refresh every 3 seconds">
              Refresh
            </button>
          </div>
        )}
      </header>

      {loadError && (
        <p className="message error" role="alert">
          {loadError}
        </p>
      )}

      {loaded && profiles.length === 0 && (
        <div className="empty">
          <p>No servers yet.</p>
          <p className="hint">Add your LiveKit URL with an API key and secret to see its live rooms.</p>
          <p>
            <button className="primary" onClick={() => go('settings')}>
              Add a server in Settings
            </button>
          </p>
        </div>
      )}

      {profile && (
        <div className="section">
          <div className="section-header">
            <p className="muted small" aria-live="polite">
              {profile.url}
              {updatedAt ? ` · updated ${formatClock(updatedAt)}` : ''}
            </p>
          </div>
          {error && (
            <div className="message error" role="alert" data-testid="rooms-error" data-code={error.code}>
              <span>
                <strong>{errorTitles[error.code] ?? 'Could not list rooms'}.</strong> {error.message}
              </span>
              <span className="row">
                <button className="small" onClick={() => void refresh()}>
                  Retry
                </button>
                {(error.code === 'unauthorized' || error.code === 'bad_url' || error.code === 'not_found') && (
                  <button className="small" onClick={() => go('settings')}>
                    Open Settings
                  </button>
                )}
              </span>
            </div>
          )}
          {loading && !error && <p className="muted">Loading rooms…</p>}
          {!loading && !error && rooms.length === 0 && (
            <div className="empty">
              <p>No live rooms on {profile.name}.</p>
              <p className="hint">Rooms appear here as soon as someone joins one. This list refreshes by itself.</p>
            </div>
          )}
          {rooms.length > 0 && (
            <ul className="room-list" aria-label="Live rooms">
              {rooms.map((room) => {
                const live = activeSessions(recordingSessions, room.name);
                const recording = room.recording || live.length > 0;
                const problem = recordingProblems[room.name];
                return (
                  <li key={room.name} className="card room" data-testid="room" data-room={room.name}>
                    <div className="room-main">
                      <div className="row">
                        <strong className="room-name">{room.name}</strong>
                        {recording && (
                          <span className="badge tone-live" data-testid="recording-badge">
                            <span className="rec-dot" aria-hidden="true" /> Recording
                          </span>
                        )}
                      </div>
                      <span className="muted small">
                        <span data-testid="participant-count">
                          {room.numParticipants} {room.numParticipants === 1 ? 'participant' : 'participants'}
                        </span>
                        {' · '}
                        <span title={room.createdAt ? new Date(room.createdAt).toLocaleString() : undefined}>
                          live {room.createdAt ? `for ${formatLiveFor(room.createdAt, now)}` : 'now'}
                          {room.createdAt ? ` (since ${formatClock(room.createdAt)})` : ''}
                        </span>
                      </span>
                      {problem && (
                        <p className="message error small" role="alert" data-testid="recording-error" data-code={problem.code}>
                          {problem.message}
                        </p>
                      )}
                    </div>
                    <div className="row">
                      <button
                        className="primary"
                        onClick={() => {
                          openWatch(room.name, { profileId: profile.id });
                          go('watch');
                        }}
                        aria-label={`Watch ${room.name}`}
                      >
                        Watch
                      </button>
                      {live.length > 0 ? (
                        <button
                          className="danger"
                          disabled={recordingBusy[room.name]}
                          onClick={() => live.forEach((s) => void stopRecording(room.name, { sessionId: s.sessionId }))}
                          aria-label={`Stop recording ${room.name}`}
                        >
                          Stop recording
                        </button>
                      ) : (
                        <button
                          className="record"
                          disabled={recordingBusy[room.name]}
                          onClick={() => void startRecording(room.name, { profileId: profile.id }, 'all')}
                          aria-label={`Record ${room.name}`}
                        >
                          <span className="rec-dot" aria-hidden="true" /> Record
                        </button>
                      )}
                    </div>
                  </li>
                );
              })}
            </ul>
          )}
        </div>
      )}

      <JoinWithTokenForm />
    </section>
  );
}
