import { AppError } from '../api/app-error';

export interface ServerUrls {
  /** What clients connect to: ws:// or wss://. */
  ws: string;
  /** What the server API (Twirp) is called on: http:// or https://. */
  http: string;
}

/** Accepts ws(s):// or http(s):// and gives both forms; anything else is a clear error. */
export function parseServerUrl(input: string): ServerUrls {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new AppError('bad_url', `"${truncate(input)}" is not a URL. Use the form wss://your-project.livekit.cloud or ws://host:7880.`);
  }
  const secure = url.protocol === 'wss:' || url.protocol === 'https:';
  if (!['ws:', 'wss:', 'http:', 'https:'].includes(url.protocol)) {
    throw new AppError('bad_url', `A LiveKit URL starts with wss://, ws://, https:// or http:// (got ${url.protocol}//).`);
  }
  if (url.username || url.password) {
    throw new AppError('bad_url', 'Put the API key and secret in their own fields, not in the URL.');
  }
  if (url.search || url.hash) {
    throw new AppError('bad_url', 'The server URL takes no query or fragment; enter just the address.');
  }
  const base = `${url.host}${url.pathname.replace(/\/+$/, '')}`;
  return { ws: `${secure ? 'wss' : 'ws'}://${base}`, http: `${secure ? 'https' : 'http'}://${base}` };
}

function truncate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
