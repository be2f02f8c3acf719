import { useEffect, useRef, useState } from 'react';
import type { LibraryItem } from '../../../preload/contract';
import { FilmIcon, WaveIcon } from '../components/icons';
import { formatBytes } from '../format/bytes';
import { formatDateTime, formatDuration } from '../format/time';
import { sourceLabel } from '../recording/recording-format';
import { useAppInfoStore } from '../state/app-info-store';
import { mediaSrc, useLibraryStore } from '../state/library-store';

const statusTones: Record<LibraryItem['status'], string> = {
  recording: 'tone-live',
  complete: 'tone-ok',
  interrupted: 'tone-warn',
  failed: 'tone-danger',
};
const statusLabels: Record<LibraryItem['status'], string> = {
  recording: 'Recording',
  complete: 'Complete',
  interrupted: 'Interrupted',
  failed: 'Failed',
};

/** Recorded files: filter, play in the app, reveal or download, delete. */
export function LibraryView() {
  const { items, rooms, filter, loaded, error, setFilter, load } = useLibraryStore();
  const [playing, setPlaying] = useState<LibraryItem | null>(null);

  useEffect(() => {
    void load();
  }, [load]);

  const filtered = filter.room !== '' || filter.from !== '' || filter.to !== '';

  return (
    <section className="view" aria-labelledby="library-title">
      <header className="view-header">
        <h2 id="library-title">Library</h2>
        <button onClick={() => void load()}>Refresh</button>
      </header>
      <form className="filters row" aria-label="Filter recordings" onSubmit={(e) => e.preventDefault()}>
        <label className="inline">
          Room
          <select aria-label="Room" value={filter.room} onChange={(e) => setFilter({ room: e.target.value })}>
            <option value="">All rooms</option>
            {rooms.map((room) => (
              <option key={room} value={room}>
                {room}
              </option>
            ))}
            {filter.room && !rooms.includes(filter.room) && <option value={filter.room}>{filter.room}</option>}
          </select>
        </label>
        <label className="inline">
          From
          <input type="date" aria-label="From date" value={filter.from} max={filter.to || undefined} onChange={(e) => setFilter({ from: e.target.value })} />
        </label>
        <label className="inline">
          To
          <input type="date" aria-label="To date" value={filter.to} min={filter.from || undefined} onChange={(e) => setFilter({ to: e.target.value })} />
        </label>
        {filtered && (
          <button type="button" className="ghost" onClick={() => setFilter({ room: '', from: '', to: '' })}>
            Clear filters
          </button>
        )}
      </form>

      {error && (
        <p className="message error" role="alert">
          {error}
        </p>
      )}
      {playing && <Player key={playing.id} item={playing} onClose={() => setPlaying(null)} />}
      {loaded && !error && items.length === 0 && (
        <div className="empty">
          {filtered ? (
            <>
              <p>No recordings match these filters.</p>
              <p className="hint">Try another room or a wider date range.</p>
            </>
          ) : (
            <>
              <p>No recordings yet.</p>
              <p className="hint">Press Record on a live room; each participant's file appears here.</p>
            </>
          )}
        </div>
      )}
      {items.length > 0 && (
        <ul className="library-grid" aria-label="Recordings">
          {items.map((item) => (
            <LibraryCard key={item.id} item={item} onPlay={() => setPlaying(item)} />
          ))}
        </ul>
      )}
    </section>
  );
}

function LibraryCard({ item, onPlay }: { item: LibraryItem; onPlay(): void }) {
  const remove = useLibraryStore((s) => s.remove);
  const reveal = useLibraryStore((s) => s.reveal);
  const itemError = useLibraryStore((s) => s.itemErrors[item.id]);
  const shell = useAppInfoStore((s) => s.info?.shell ?? 'web');
  const [confirming, setConfirming] = useState(false);
  const [revealed, setRevealed] = useState<string | null>(null);
  const thumbnail = mediaSrc(item.thumbnailUrl);
  const media = mediaSrc(item.mediaUrl);
  const title = `${item.identity} · ${sourceLabel(item.source)}`;
  const playable = media !== null && item.status !== 'recording' && item.status !== 'failed';
  const fileName = item.path.split(/[\\/]/).pop() ?? `${item.identity}.${item.kind}`;

  return (
    <li className="card library-item" data-testid="library-item" data-status={item.status}>
      <button className="thumb" onClick={onPlay} disabled={!playable} aria-label={`Play ${title}`}>
        {thumbnail ? <img src={thumbnail} alt="" loading="lazy" /> : <span className="thumb-icon">{item.kind === 'wav' ? <WaveIcon size={32} /> : <FilmIcon size={32} />}</span>}
        <span className="thumb-duration" data-testid="duration">
          {formatDuration(item.durationMs)}
        </span>
      </button>
      <div className="library-meta">
        <div className="row between">
          <strong className="ellipsis" title={title}>
            {title}
          </strong>
          <span className={`badge ${statusTones[item.status]}`}>{statusLabels[item.status]}</span>
        </div>
        <span className="muted small ellipsis">
          {item.room} · {formatDateTime(item.startedAt)}
        </span>
        <span className="muted small">
          {formatBytes(item.bytes)} · {item.kind.toUpperCase()}
        </span>
        {item.error && <p className="message error small">{item.error}</p>}
        {itemError && (
          <p className="message error small" role="alert">
            {itemError}
          </p>
        )}
        {revealed && <p className="muted small ellipsis" title={revealed}>Shown in folder: {revealed}</p>}
      </div>
      <div className="row">
        <button className="small" onClick={onPlay} disabled={!playable}>
          Play
        </button>
        {shell === 'electron' ? (
          <button className="small" onClick={() => void reveal(item.id).then(setRevealed)}>
            Show in folder
          </button>
        ) : (
          media && (
            <a className="button small" href={media} download={fileName}>
              Download
            </a>
          )
        )}
        {confirming ? (
          <>
            <button className="small danger" onClick={() => void remove(item.id).then(() => setConfirming(false))}>
              Delete file
            </button>
            <button className="small ghost" onClick={() => setConfirming(false)} autoFocus>
              Keep
            </button>
          </>
        ) : (
          <button className="small ghost" onClick={() => setConfirming(true)} aria-label={`Delete ${title}`}>
            Delete
          </button>
        )}
      </div>
    </li>
  );
}

function Player({ item, onClose }: { item: LibraryItem; onClose(): void }) {
  const src = mediaSrc(item.mediaUrl);
  const [failed, setFailed] = useState(false);
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => closeRef.current?.focus(), []);
  return (
    <div
      className="card player"
      role="region"
      aria-label={`Playing ${item.identity}`}
      onKeyDown={(e) => {
        if (e.key === 'Escape') onClose();
      }}
    >
      <div className="row between">
        <strong>
          {item.identity} · {sourceLabel(item.source)} <span className="muted small">— {item.room}, {formatDateTime(item.startedAt)}</span>
        </strong>
        <button ref={closeRef} className="ghost small" onClick={onClose}>
          Close player
        </button>
      </div>
      {src &&
        (item.kind === 'wav' ? (
          <audio src={src} controls autoPlay onError={() => setFailed(true)} data-testid="player" />
        ) : (
          <video src={src} controls autoPlay playsInline onError={() => setFailed(true)} data-testid="player" />
        ))}
      {failed && (
        <p className="message error" role="alert">
          This file could not be played. It may have been moved or deleted, or it is still being written.
        </p>
      )}
    </div>
  );
}
