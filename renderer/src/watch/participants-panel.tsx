import { SpeakerIcon, SpeakerOffIcon } from '../components/icons';
import { QualityBars } from './participant-tile';
import { defaultListening, useWatchStore, type WatchSession } from './watch-store';

interface Props {
  session: WatchSession;
  selected: ReadonlySet<string>;
  onSelect(identity: string, selected: boolean): void;
}

/** Who is in the room: per-person volume and mute, and the check boxes for "record selected". */
export function ParticipantsPanel({ session, selected, onSelect }: Props) {
  const setListening = useWatchStore((s) => s.setListening);
  return (
    <section className="panel" aria-labelledby={`${session.id}-people`}>
      <h3 id={`${session.id}-people`}>
        Participants <span className="count">{session.participants.length}</span>
      </h3>
      {session.participants.length === 0 ? (
        <p className="hint">No one here yet.</p>
      ) : (
        <ul className="people">
          {session.participants.map((p) => {
            const listening = session.listening[p.identity] ?? defaultListening;
            const volumePercent = Math.round(listening.volume * 100);
            return (
              <li key={p.identity} className="person" data-testid="participant-row">
                <div className="person-head">
                  <label className="check">
                    <input
                      type="checkbox"
                      checked={selected.has(p.identity)}
                      onChange={(e) => onSelect(p.identity, e.target.checked)}
                      aria-label={`Choose ${p.name} for recording`}
                    />
                    <span className={`person-name${p.speaking ? ' speaking' : ''}`}>{p.name}</span>
                  </label>
                  <QualityBars quality={p.quality} />
                </div>
                <div className="person-meta muted small">
                  {[p.camera ? (p.camera.muted ? 'camera off' : 'camera') : null, p.screen ? 'screen' : null, p.hasAudio ? (p.audioMuted ? 'mic muted' : 'mic') : null]
                    .filter(Boolean)
                    .join(' · ') || 'nothing published'}
                </div>
                {p.hasAudio && (
                  <div className="volume row">
                    <button
                      className="ghost icon"
                      onClick={() => setListening(session.id, p.identity, { muted: !listening.muted })}
                      aria-pressed={listening.muted}
                      aria-label={listening.muted ? `Unmute ${p.name}` : `Mute ${p.name}`}
                      title={listening.muted ? 'Unmute' : 'Mute here'}
                    >
                      {listening.muted ? <SpeakerOffIcon /> : <SpeakerIcon />}
                    </button>
                    <input
                      type="range"
                      min={0}
                      max={100}
                      step={5}
                      value={listening.muted ? 0 : volumePercent}
                      onChange={(e) => setListening(session.id, p.identity, { volume: Number(e.target.value) / 100, muted: false })}
                      aria-label={`Volume for ${p.name}`}
                      aria-valuetext={listening.muted ? 'muted' : `${volumePercent}%`}
                    />
                    <span className="muted small volume-value">{listening.muted ? 'muted' : `${volumePercent}%`}</span>
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
