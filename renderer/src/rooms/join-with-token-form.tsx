import { useState, type FormEvent } from 'react';
import { useNavigationStore } from '../state/navigation-store';
import { roomFromToken, useWatchStore } from '../watch/watch-store';

/** For people with only a server URL and an access token (no API key): join directly. */
export function JoinWithTokenForm() {
  const openWatch = useWatchStore((s) => s.open);
  const go = useNavigationStore((s) => s.go);
  const [url, setUrl] = useState('');
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmedUrl = url.trim();
    const trimmedToken = token.trim();
    if (!/^(wss?|https?):\/\/[^\s/]+/i.test(trimmedUrl)) {
      setError('Enter the server URL, starting with wss:// (or ws:// for a local server).');
      return;
    }
    if (trimmedToken.split('.').length !== 3) {
      setError('That does not look like an access token: it should be a JWT, three parts separated by dots.');
      return;
    }
    setError(null);
    const wsUrl = trimmedUrl.replace(/^http/i, 'ws');
    openWatch(roomFromToken(trimmedToken) ?? 'Room', { url: wsUrl, token: trimmedToken });
    go('watch');
  };

  return (
    <details className="card join">
      <summary>Join with a URL and a token</summary>
      <form onSubmit={submit} aria-label="Join with URL and token" className="join-form">
        <p className="hint">No API key? Paste the server URL and an access token someone gave you; the app joins the room directly.</p>
        <div className="grid-2">
          <label>
            Server URL
            <input name="joinUrl" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="wss://your-project.livekit.cloud" spellCheck={false} />
          </label>
          <label>
            Access token
            <input name="joinToken" value={token} onChange={(e) => setToken(e.target.value)} placeholder="eyJhbGciOi…" spellCheck={false} autoComplete="off" />
          </label>
        </div>
        {error && (
          <p className="message error" role="alert">
            {error}
          </p>
        )}
        <div className="row">
          <button type="submit" className="primary">
            Join
          </button>
        </div>
      </form>
    </details>
  );
}
