import type { IncomingMessage } from 'node:http';
import { TokenVerifier } from 'livekit-server-sdk';
import type { ClaimGrants, VideoGrant } from 'livekit-server-sdk';

export class AuthError extends Error {
  constructor(
    message: string,
    readonly status: 401 | 403,
  ) {
    super(message);
  }
}

/** The access token of a request: Rust sends `Authorization: Bearer`, the JS client `?access_token=`. */
export function tokenOf(req: IncomingMessage, url: URL): string | undefined {
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  return url.searchParams.get('access_token') ?? undefined;
}

/**
 * Validates an HS256 JWT signed with the API secret whose issuer is the API key
 * (livekit-server-sdk's own verifier, so token semantics match what the SDK mints).
 */
export async function verifyToken(
  token: string | undefined,
  apiKey: string,
  apiSecret: string,
): Promise<ClaimGrants> {
  if (!token) throw new AuthError('no access token', 401);
  try {
    return await new TokenVerifier(apiKey, apiSecret).verify(token);
  } catch (err) {
    throw new AuthError(`invalid token: ${(err as Error).message}`, 401);
  }
}

/** Grants for joining `/rtc`; throws unless the token allows joining a named room. */
export function joinGrant(claims: ClaimGrants): VideoGrant & { room: string } {
  const video = claims.video;
  if (!video?.roomJoin) throw new AuthError('token lacks the roomJoin grant', 401);
  if (!video.room) throw new AuthError('token names no room', 401);
  if (!claims.sub) throw new AuthError('token has no identity', 401);
  return { ...video, room: video.room };
}
