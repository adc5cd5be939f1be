import type { AuthDeps } from './auth-deps.js';
import { closeEndedSessionSockets, endSession } from './end-session.js';
import type { TokenClaims } from './ports.js';

/** Every token the caller sent (Bearer, cookies, body); duplicates from cookie tossing included. */
export interface LogoutCredentials {
  accessTokens: readonly string[];
  refreshTokens: readonly string[];
}

// A request carries one or two of each; the cap bounds signature checks for a header stuffed with cookies.
const MAX_TOKENS_PER_KIND = 4;

/**
 * Ends every session the caller proves it holds, by either token: an access token counts even when
 * expired (its signature, issuer, audience and type still verify), and a refresh token revokes without
 * rotating. Unverifiable tokens are ignored, so logout is idempotent (only a store outage fails it).
 */
export async function logOut(
  deps: Pick<AuthDeps, 'sessions' | 'sockets' | 'tokens'>,
  credentials: LogoutCredentials,
): Promise<void> {
  const claims = await Promise.all([
    ...credentials.accessTokens
      .slice(0, MAX_TOKENS_PER_KIND)
      .map((token) => deps.tokens.verifyAccess(token, { allowExpired: true })),
    ...credentials.refreshTokens
      .slice(0, MAX_TOKENS_PER_KIND)
      .map((token) => deps.tokens.verifyRefresh(token)),
  ]);
  const sessions = new Map<string, TokenClaims>();
  for (const claim of claims) if (claim) sessions.set(`${claim.userId}\n${claim.sessionId}`, claim);
  await Promise.all([...sessions.values()].map((claim) => endSession(deps, claim.userId, claim.sessionId)));
}

/** Revokes every session of the user and closes all of their sockets. */
export async function logOutEverywhere(
  deps: Pick<AuthDeps, 'sessions' | 'sockets'>,
  userId: string,
): Promise<void> {
  await deps.sessions.revokeAll(userId);
  await closeEndedSessionSockets(deps, userId);
}
