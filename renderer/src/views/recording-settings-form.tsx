import { useEffect, useState, type FormEvent } from 'react';
import { presets, type Settings } from '../../../preload/contract';
import { useSettingsStore } from '../state/settings-store';

/** Recording folder, output options and the ffmpeg override. */
export function RecordingSettingsForm() {
  const { settings, update } = useSettingsStore();
  const [draft, setDraft] = useState<Settings | null>(settings);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  useEffect(() => setDraft(settings), [settings]);
  if (!draft) return null;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await update(draft);
      setMessage({ kind: 'ok', text: 'Saved.' });
    } catch (error) {
      setMessage({ kind: 'error', text: (error as Error).message });
    }
  };
  const field = <K extends keyof Settings>(key: K, value: Settings[K]) => setDraft({ ...draft, [key]: value });

  return (
    <form className="section card" onSubmit={submit} aria-label="Recording settings">
      <h3>Recording</h3>
      <label>
        Recordings folder
        <input name="recordingsFolder" value={draft.recordingsFolder} onChange={(e) => field('recordingsFolder', e.target.value)} spellCheck={false} />
      </label>
      <div className="grid-2">
        <label>
          Frame rate
          <input name="frameRate" type="number" min={5} max={60} value={draft.frameRate} onChange={(e) => field('frameRate', Number(e.target.value))} />
        </label>
        <label>
          Encoder preset
          <select name="preset" value={draft.preset} onChange={(e) => field('preset', e.target.value as Settings['preset'])}>
            {presets.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
      </div>
      <label>
        File name template
        <input name="fileTemplate" value={draft.fileTemplate} onChange={(e) => field('fileTemplate', e.target.value)} spellCheck={false} />
        <span className="hint">Placeholders: {'{room} {start} {identity} {source} {ext}'}</span>
      </label>
      <div className="grid-2">
        <label>
          ffmpeg path (optional)
          <input
            name="ffmpegPath"
            value={draft.ffmpegPath ?? ''}
            placeholder="Bundled or on PATH"
            onChange={(e) => field('ffmpegPath', e.target.value.trim() ? e.target.value : null)}
            spellCheck={false}
          />
        </label>
        <label>
          Keep free (MB)
          <input name="freeSpaceFloorMb" type="number" min={0} value={draft.freeSpaceFloorMb} onChange={(e) => field('freeSpaceFloorMb', Number(e.target.value))} />
        </label>
      </div>
      {message && (
        <p className={`message ${message.kind}`} role={message.kind === 'error' ? 'alert' : 'status'}>
          {message.text}
        </p>
      )}
      <div className="row">
        <button type="submit" className="primary">
          Save recording settings
        </button>
      </div>
    </form>
  );
}
