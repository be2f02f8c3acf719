import { AppError } from '../api/app-error';

/**
 * Turns what livekit-server-sdk throws into an AppError that says what to do. The raw error is
 * kept as `cause` for the log only; its text never reaches the UI because it can hold URLs.
 */
export function describeServerError(error: unknown, serverUrl: string, timeoutSeconds: number): AppError {
  if (error instanceof AppError) return error;
  const status = (error as { status?: unknown })?.status;
  if (typeof status === 'number') {
    if (status === 401 || status === 403) {
      return new AppError('unauthorized', 'The server refused the API key or secret (401). Check both in Settings.', { cause: error });
    }
    if (status === 404) {
      return new AppError('server_error', `${serverUrl} answered 404: is this a LiveKit server URL?`, { cause: error });
    }
    return new AppError('server_error', `The LiveKit server answered with an error (HTTP ${status}). Try again, or check the server's logs.`, { cause: error });
  }
  const name = (error as { name?: unknown })?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new AppError('timeout', `${serverUrl} did not answer within ${timeoutSeconds} s. Check the address and that the server is up.`, { cause: error });
  }
  const code = networkCode(error);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new AppError('unreachable', `The server name in ${serverUrl} could not be found. Check the URL.`, { cause: error });
  }
  if (code) {
    return new AppError('unreachable', `Can't reach ${serverUrl} (${code}). Check the URL and that the server is running.`, { cause: error });
  }
  return new AppError('unreachable', `Can't talk to ${serverUrl}. Check the URL and your network.`, { cause: error });
}

function networkCode(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}
