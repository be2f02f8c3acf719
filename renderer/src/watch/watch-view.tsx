import { useState } from 'react';
import { useNavigationStore } from '../state/navigation-store';
import { useProfilesStore } from '../state/profiles-store';
import { RecordingPanel } from '../recording/recording-panel';
import type { RecordingTarget } from '../state/recording-store';
import { ParticipantsPanel } from './participants-panel';
import { VideoGrid } from './video-grid';
import { useWatchStore, type WatchSession } from './watch-store';

const stateLabels: Record<WatchSession['state'], string> = {
  connecting: 'Connecting',
  connected: 'Live',
  reconnecting: 'Reconnecting',
  disconnected: 'Disconnected',
  failed: 'Failed',
};

/** Every open room as a tab; the active one shows its grid, people and recording controls. */
export function WatchView() {
  const sessions = useWatchStore((s) => s.sessions);
  const activeId = useWatchStore((s) => s.activeId);
  const activate = useWatchStore((s) => s.activate);
  const close = useWatchStore((s) => s.close);
  const go = useNavigationStore((s) => s.go);
  const profiles = useProfilesStore((s) => s.profiles);
  const active = sessions.find((s) => s.id === activeId) ?? sessions[0];
  // Tabs of the same room on different servers (or via a token) need telling apart.
  const via = (s: WatchSession) => ('profileId' in s.source ? (profiles.find((p) => p.id === (s.source as { profileId: string }).profileId)?.name ?? 'server') : 'token');
  const ambiguous = (s: WatchSession) => sessions.some((o) => o !== s && o.room === s.room);

  if (!active) {
    return (
      <section className="view" aria-labelledby="watch-title">
        <header className="view-header">
          <h2 id="watch-title">Watch</h2>
        </header>
        <div className="empty">
          <p>No room is open.</p>
          <p className="hint">Pick a live room to watch, or join one with a URL and a token.</p>
          <p>
            <button className="primary" onClick={() => go('rooms')}>
              Go to Rooms
            </button>
          </p>
        </div>
      </section>
    );
  }

  return (
    <section className="view wide watch" aria-label="Watch">
      <div className="tabs" role="tablist" aria-label="Open rooms">
        {sessions.map((s) => (
          <div key={s.id} className={`tab${s.id === active.id ? ' active' : ''}`}>
            <button
              role="tab"
              id={`tab-${s.id}`}
              aria-selected={s.id === active.id}
              aria-controls={`panel-${s.id}`}
              className="tab-button"
              onClick={() => activate(s.id)}
            >
              <span className={`state-dot st-${s.state}`} aria-hidden="true" />
              {s.room}
              {ambiguous(s) && <span className="muted small">· {via(s)}</span>}
              <span className="count">{s.participants.length}</span>
            </button>
            <button className="tab-close ghost" aria-label={`Leave ${s.room}`} title="Leave" onClick={() => void close(s.id)}>
              ×
            </button>
          </div>
        ))}
        <button className="ghost tab-add" onClick={() => go('rooms')} title="Open another room">
          + Room
        </button>
      </div>
      <WatchSessionPanel key={active.id} session={active} />
    </section>
  );
}

function WatchSessionPanel({ session }: { session: WatchSession }) {
  const close = useWatchStore((s) => s.close);
  const retry = useWatchStore((s) => s.retry);
  const startAudio = useWatchStore((s) => s.startAudio);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const present = new Set(session.participants.map((p) => p.identity));
  const chosen = [...selected].filter((identity) => present.has(identity));
  const target: RecordingTarget = 'profileId' in session.source ? { profileId: session.source.profileId } : { url: session.source.url, token: session.source.token };

  return (
    <div className="watch-body" role="tabpanel" id={`panel-${session.id}`} aria-labelledby={`tab-${session.id}`}>
      <header className="watch-header">
        <div>
          <h2 data-testid="watch-room">{session.room}</h2>
          <span className={`badge st-${session.state}`} data-testid="watch-state">
            {stateLabels[session.state]}
          </span>
          <span className="muted small">
            {session.participants.length} {session.participants.length === 1 ? 'participant' : 'participants'}
          </span>
        </div>
        <div className="row">
          {session.pinned && (
            <button className="ghost" onClick={() => useWatchStore.getState().pin(session.id, null)}>
              Back to grid
            </button>
          )}
          <button onClick={() => void close(session.id)}>Leave</button>
        </div>
      </header>
      {session.state === 'reconnecting' && (
        <div className="banner warning" role="status" data-testid="reconnecting">
          <span className="spinner" aria-hidden="true" /> Connection lost — reconnecting to {session.room}…
        </div>
      )}
      {(session.state === 'failed' || session.state === 'disconnected') && (
        <div className="banner error" role="alert" data-testid="watch-error">
          <span>{session.error ?? 'Disconnected.'}</span>
          <span className="row">
            <button onClick={() => void retry(session.id)}>Try again</button>
            <button className="ghost" onClick={() => void close(session.id)}>
              Close tab
            </button>
          </span>
        </div>
      )}
      {session.audioBlocked && session.state === 'connected' && (
        <div className="banner info" role="status">
          <span>The browser blocked sound until you interact with the page.</span>
          <button className="primary" onClick={() => void startAudio(session.id)}>
            Enable sound
          </button>
        </div>
      )}
      <div className="watch-layout">
        <VideoGrid session={session} />
        <aside className="watch-side" aria-label="Room controls">
          <RecordingPanel room={session.room} target={target} selected={chosen} canRecord={session.state === 'connected'} />
          <ParticipantsPanel
            session={session}
            selected={selected}
            onSelect={(identity, on) => {
              const next = new Set(selected);
              if (on) next.add(identity);
              else next.delete(identity);
              setSelected(next);
            }}
          />
        </aside>
      </div>
    </div>
  );
}
