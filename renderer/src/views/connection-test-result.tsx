import type { ConnectionTest } from '../state/profiles-store';

const titles: Record<string, string> = {
  unauthorized: 'Wrong API key or secret',
  unreachable: 'Server unreachable',
  timeout: 'No answer in time',
  bad_url: 'Malformed URL',
  server_error: 'Server error',
};

/** The outcome of "Test connection", with a title per kind of failure. */
export function ConnectionTestResult({ test }: { test: ConnectionTest | undefined }) {
  if (!test) return null;
  if (test.state === 'running') return <p className="message info" role="status">Testing connection…</p>;
  if (test.state === 'ok') {
    return (
      <p className="message ok" role="status" data-testid="connection-ok">
        Connected: {test.rooms} live {test.rooms === 1 ? 'room' : 'rooms'}, answered in {test.latencyMs} ms.
      </p>
    );
  }
  return (
    <p className="message error" role="alert" data-testid="connection-error" data-code={test.code}>
      <strong>{titles[test.code] ?? 'Connection failed'}.</strong> {test.message}
    </p>
  );
}
