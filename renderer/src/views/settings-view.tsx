import { useEffect, useState } from 'react';
import type { ProfileView } from '../../../preload/contract';
import { useProfilesStore } from '../state/profiles-store';
import { useSettingsStore } from '../state/settings-store';
import { ConnectionTestResult } from './connection-test-result';
import { ProfileForm } from './profile-form';
import { RecordingSettingsForm } from './recording-settings-form';

export function SettingsView() {
  const { profiles, loaded, loadError, load, remove, test } = useProfilesStore();
  const tests = useProfilesStore((s) => s.tests);
  const [editing, setEditing] = useState<ProfileView | 'new' | null>(null);
  const [confirmRemove, setConfirmRemove] = useState<string | null>(null);
  const loadSettings = useSettingsStore((s) => s.load);

  useEffect(() => {
    void load();
    void loadSettings();
  }, [load, loadSettings]);

  return (
    <section className="view settings" aria-labelledby="settings-title">
      <header className="view-header">
        <h2 id="settings-title">Settings</h2>
      </header>
      <div className="section">
        <div className="section-header">
          <h3>Servers</h3>
          {editing === null && (
            <button className="primary" onClick={() => setEditing('new')}>
              Add server
            </button>
          )}
        </div>
        {loadError && <p className="message error" role="alert">{loadError}</p>}
        {editing !== null && (
          <ProfileForm key={editing === 'new' ? 'new' : editing.id} profile={editing === 'new' ? null : editing} onDone={() => setEditing(null)} />
        )}
        {loaded && profiles.length === 0 && editing === null && (
          <div className="empty">
            <p>No servers yet.</p>
            <p className="hint">Add your LiveKit URL with an API key and secret to list rooms and record them.</p>
          </div>
        )}
        <ul className="profile-list" aria-label="Server profiles">
          {profiles.map((profile) => (
            <li key={profile.id} className="card profile" data-testid="profile">
              <div className="profile-main">
                <strong className="profile-name">{profile.name}</strong>
                <span className="muted">{profile.url}</span>
                <span className="muted small">
                  {profile.apiKey ? `key ${profile.apiKey}` : 'no API key'} · {profile.hasSecret ? 'secret stored' : 'no secret'}
                  {profile.source === 'env' ? ' · from environment' : ''}
                </span>
                <ConnectionTestResult test={tests[profile.id]} />
              </div>
              <div className="row">
                <button onClick={() => void test(profile.id, { profileId: profile.id })}>Test connection</button>
                {profile.source === 'saved' && (
                  <>
                    <button onClick={() => setEditing(profile)}>Edit</button>
                    {confirmRemove === profile.id ? (
                      <>
                        <button className="danger" onClick={() => void remove(profile.id).finally(() => setConfirmRemove(null))}>
                          Confirm remove
                        </button>
                        <button className="ghost" onClick={() => setConfirmRemove(null)}>
                          Keep
                        </button>
                      </>
                    ) : (
                      <button className="ghost" onClick={() => setConfirmRemove(profile.id)}>
                        Remove
                      </button>
                    )}
                  </>
                )}
              </div>
            </li>
          ))}
        </ul>
      </div>
      <RecordingSettingsForm />
    </section>
  );
}
