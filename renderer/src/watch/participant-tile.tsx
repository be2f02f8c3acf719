import { useState } from 'react';
import { MicOffIcon, PinIcon, ScreenIcon, SpeakerOffIcon } from '../components/icons';
import { initials, isPrimaryTile, type Quality, type Tile } from './participant-snapshot';
import { useAttachedVideo } from './use-attached-video';

const qualityLabels: Record<Quality, string> = {
  excellent: 'Connection excellent',
  good: 'Connection good',
  poor: 'Connection poor',
  lost: 'Connection lost',
  unknown: 'Connection quality unknown',
};
const qualityBars: Record<Quality, number> = { excellent: 3, good: 2, poor: 1, lost: 0, unknown: 0 };

export function QualityBars({ quality }: { quality: Quality }) {
  const bars = qualityBars[quality];
  return (
    <span className={`quality q-${quality}`} title={qualityLabels[quality]} role="img" aria-label={qualityLabels[quality]}>
      {[1, 2, 3].map((n) => (
        <span key={n} className={n <= bars ? 'on' : ''} style={{ height: `${3 + n * 3}px` }} />
      ))}
    </span>
  );
}

interface Props {
  tile: Tile;
  pinned: boolean;
  locallyMuted: boolean;
  large?: boolean;
  onPin(): void;
}

/** A participant's camera (or avatar when there is no video) or one of their screen shares. */
export function ParticipantTile({ tile, pinned, locallyMuted, large, onPin }: Props) {
  const { participant: p, video } = tile;
  const showVideo = video !== null && video.track !== null && !video.muted;
  const attach = useAttachedVideo(showVideo ? video.track : null);
  const label = tile.kind === 'screen' ? `${p.name}'s screen` : p.name;
  const audioOnly = tile.kind === 'camera' && !video;
  const primary = isPrimaryTile(tile);
  return (
    <figure
      className={`tile${p.speaking && primary ? ' speaking' : ''}${large ? ' large' : ''}${tile.kind === 'screen' ? ' screen' : ''}`}
      data-testid="tile"
      data-kind={audioOnly ? 'audio' : tile.kind}
      data-identity={p.identity}
      aria-label={label}
    >
      {showVideo ? (
        <TileVideo key={video.sid} attach={attach} name={p.name} />
      ) : (
        <div className="avatar-wrap">
          <div className="avatar" aria-hidden="true">
            {initials(p.name)}
          </div>
          <span className="tile-note">
            {audioOnly ? 'Audio only' : video?.muted ? 'Camera off' : 'Connecting video…'}
          </span>
        </div>
      )}
      <figcaption className="tile-caption">
        {tile.kind === 'screen' && <ScreenIcon size={14} />}
        {primary && p.hasAudio && p.audioMuted && (
          <span className="caption-icon muted-icon" title="Microphone muted" aria-label="Microphone muted" role="img">
            <MicOffIcon size={14} />
          </span>
        )}
        {primary && locallyMuted && (
          <span className="caption-icon" title="Muted here" aria-label="Muted here" role="img">
            <SpeakerOffIcon size={14} />
          </span>
        )}
        <span className="tile-name">{label}</span>
        {p.speaking && primary && <span className="speaking-dot" title="Speaking" aria-label="Speaking" role="img" />}
      </figcaption>
      <div className="tile-corner">
        <QualityBars quality={p.quality} />
      </div>
      <button
        className={`tile-pin${pinned ? ' active' : ''}`}
        onClick={onPin}
        aria-pressed={pinned}
        aria-label={pinned ? `Unpin ${label}` : `Pin ${label}`}
        title={pinned ? 'Unpin' : 'Pin to the large view'}
      >
        <PinIcon size={14} />
      </button>
    </figure>
  );
}

/** The <video>, with the avatar over it until the first frame plays (no black box meanwhile). */
function TileVideo({ attach, name }: { attach(element: HTMLVideoElement | null): void; name: string }) {
  const [playing, setPlaying] = useState(false);
  return (
    <>
      <video ref={attach} autoPlay playsInline muted onPlaying={() => setPlaying(true)} data-playing={playing} />
      {!playing && (
        <div className="avatar-wrap overlay" aria-hidden="true">
          <div className="avatar">{initials(name)}</div>
          <span className="tile-note">Connecting video…</span>
        </div>
      )}
    </>
  );
}
