import { useState, type FormEvent } from 'react';
import type { ProfileView } from '../../../preload/contract';
import { useProfilesStore } from '../state/profiles-store';
import { ConnectionTestResult } from './connection-test-result';

interface Props {
  profile: ProfileView | null;
  onDone(): void;
}

/** Add or edit a server profile. The stored secret is never shown; leaving it empty keeps it. */
export function ProfileForm({ profile, onDone }: Props) {
  const save = useProfilesStore((s) => s.save);
  const runTest = useProfilesStore((s) => s.test);
  const test = useProfilesStore((s) => s.tests['form']);
  const [name, setName] = useState(profile?.name ?? '');
  const [url, setUrl] = useState(profile?.url ?? '');
  const [apiKey, setApiKey] = useState(profile?.apiKey ?? '');
  const [apiSecret, setApiSecret] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    setError(null);
    try {
      await save({ id: profile?.id, name, url, apiKey, ...(apiSecret ? { apiSecret } : {}) });
      onDone();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setSaving(false);
    }
  };

  const canTestUnsaved = url && apiKey && apiSecret;
  const testNow = () => {
    if (canTestUnsaved) void runTest('form', { url, apiKey, apiSecret });
    else if (profile) void runTest('form', { profileId: profile.id });
  };

  return (
    <form className="card profile-form" onSubmit={submit} aria-label={profile ? 'Edit server profile' : 'Add server profile'}>
      <h3>{profile ? `Edit ${profile.name}` : 'Add a server'}</h3>
      <label>
        Name
        <input name="name" value={name} onChange={(e) => setName(e.target.value)} placeholder="Studio server" required autoFocus />
      </label>
      <label>
        LiveKit URL
        <input name="url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="wss://your-project.livekit.cloud" required spellCheck={false} />
      </label>
      <label>
        API key
        <input name="apiKey" value={apiKey} onChange={(e) => setApiKey(e.target.value)} placeholder="APIxxxxxxxx" spellCheck={false} autoComplete="off" />
      </label>
      <label>
        API secret
        <input
          name="apiSecret"
          type="password"
          value={apiSecret}
          onChange={(e) => setApiSecret(e.target.value)}
          placeholder={profile?.hasSecret ? 'Stored — leave empty to keep it' : 'Paste the API secret'}
          autoComplete="new-password"
        />
      </label>
      {error && <p className="message error" role="alert">{error}</p>}
      <ConnectionTestResult test={test} />
      <div className="row">
        <button type="submit" className="primary" disabled={saving}>
          {saving ? 'Saving…' : 'Save'}
        </button>
        <button type="button" onClick={testNow} disabled={!canTestUnsaved && !profile}>
          Test connection
        </button>
        <button type="button" className="ghost" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
