import { useState } from 'react';
import { arrangeTiles, gridShape, paginate } from './grid-layout';
import { tilesOf } from './participant-snapshot';
import { ParticipantTile } from './participant-tile';
import { useAspectRatio } from './use-aspect-ratio';
import { useWatchStore, type WatchSession } from './watch-store';

/** The tiles of one watched room: a fixed-shape grid, or a large focused tile with a strip. */
export function VideoGrid({ session }: { session: WatchSession }) {
  const pin = useWatchStore((s) => s.pin);
  const setPage = useWatchStore((s) => s.setPage);
  const [element, setElement] = useState<HTMLDivElement | null>(null);
  const aspect = useAspectRatio(element);
  const tiles = tilesOf(session.participants);
  const arrangement = arrangeTiles(tiles, session.pinned);
  const isMuted = (identity: string) => session.listening[identity]?.muted ?? false;
  const togglePin = (id: string) => pin(session.id, session.pinned === id ? null : id);

  if (tiles.length === 0) {
    return (
      <div className="stage-empty" ref={setElement}>
        {session.state === 'connected' ? (
          <>
            <p>Nobody is publishing in this room right now.</p>
            <p className="hint">Tiles appear as soon as someone joins.</p>
          </>
        ) : (
          <p>{session.state === 'connecting' ? 'Connecting…' : session.state === 'reconnecting' ? 'Reconnecting…' : 'Not connected.'}</p>
        )}
      </div>
    );
  }

  if (arrangement.mode === 'focus') {
    const { stage, strip } = arrangement;
    return (
      <div className="stage focus" ref={setElement} data-layout="focus">
        <div className="stage-main">
          <ParticipantTile tile={stage} large pinned={session.pinned === stage.id} locallyMuted={isMuted(stage.participant.identity)} onPin={() => togglePin(stage.id)} />
        </div>
        <div className="stage-strip" aria-label="Other participants">
          {strip.map((tile) => (
            <ParticipantTile key={tile.id} tile={tile} pinned={false} locallyMuted={isMuted(tile.participant.identity)} onPin={() => togglePin(tile.id)} />
          ))}
        </div>
      </div>
    );
  }

  const page = paginate(arrangement.tiles.length, session.page);
  const shown = arrangement.tiles.slice(page.start, page.end);
  const shape = gridShape(shown.length, aspect);
  return (
    <div className="stage-wrap">
      <div
        className="stage grid"
        ref={setElement}
        data-layout={`${shape.columns}x${shape.rows}`}
        style={{ gridTemplateColumns: `repeat(${shape.columns}, minmax(0, 1fr))`, gridTemplateRows: `repeat(${shape.rows}, minmax(0, 1fr))` }}
      >
        {shown.map((tile) => (
          <ParticipantTile key={tile.id} tile={tile} pinned={false} locallyMuted={isMuted(tile.participant.identity)} onPin={() => togglePin(tile.id)} />
        ))}
      </div>
      {page.pages > 1 && (
        <div className="pager row" aria-label="Pages">
          <button className="small" disabled={page.page === 0} onClick={() => setPage(session.id, page.page - 1)}>
            Previous
          </button>
          <span className="muted small">
            Page {page.page + 1} of {page.pages}
          </span>
          <button className="small" disabled={page.page === page.pages - 1} onClick={() => setPage(session.id, page.page + 1)}>
            Next
          </button>
        </div>
      )}
    </div>
  );
}
