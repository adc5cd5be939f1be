import { AppError, unauthenticated } from '../errors.js';
import type { AuthDeps } from './auth-deps.js';
import { closeEndedSessionSockets } from './end-session.js';
import { type SessionTokens, signSessionTokens } from './session-tokens.js';

/**
 * Rotates a refresh token in one atomic store step (RFC 9700 §4.14). The previous token is honoured only
 * inside the grace window and then returns the current pair unchanged; anything older revokes the session
 * and closes its sockets.
 */
export async function refreshSession(deps: AuthDeps, refreshToken: string): Promise<SessionTokens> {
  const claims = await deps.tokens.verifyRefresh(refreshToken);
  if (!claims) throw unauthenticated('Refresh token is invalid or expired');
  // Known only here (refresh carries no access token); a reuse line below then names whose session it was.
  deps.requestLog.append({ userId: claims.userId });

  const nowMs = deps.clock.nowMs();
  const outcome = await deps.sessions.rotate({
    userId: claims.userId,
    sessionId: claims.sessionId,
    presentedRefreshId: claims.tokenId,
    newRefreshId: crypto.randomUUID(),
    nowMs,
    graceMs: deps.policy.refreshGraceSeconds * 1000,
    newRefreshExpiresAtMs: nowMs + deps.policy.refreshTtlSeconds * 1000,
  });
  if (outcome.kind === 'reused') {
    deps.metrics.count('RefreshReuseDetected');
    // The store already deleted the session; a socket opened with a stolen access token must go too.
    await closeEndedSessionSockets(deps, claims.userId, claims.sessionId);
    throw new AppError(
      'refresh_token_reused',
      'Refresh token was already used; the session has been revoked',
    );
  }
  if (outcome.kind === 'missing') throw unauthenticated('Session has ended');
  // A grace-window answer hands back the pair already issued: no new rotation.
  if (outcome.kind === 'rotated') deps.metrics.count('RefreshRotated');
  return signSessionTokens(deps, {
    userId: claims.userId,
    sessionId: claims.sessionId,
    refreshId: outcome.refreshId,
    issuedAtSeconds: outcome.issuedAtSeconds,
    refreshExpiresAtMs: outcome.refreshExpiresAtMs,
  });
}
