import type { AuthDeps } from './auth-deps.js';

/**
 * Closes the sockets of a session that is already revoked. Failures are swallowed: the session is gone,
 * so every socket still open fails its next frame and fan-out skips it; closing is only the fast path.
 */
export async function closeEndedSessionSockets(
  deps: Pick<AuthDeps, 'sockets'>,
  userId: string,
  sessionId?: string,
): Promise<void> {
  await deps.sockets.close(userId, sessionId).catch(() => undefined);
}

/** Revokes one session, then closes its sockets; false when the user has no such session. */
export async function endSession(
  deps: Pick<AuthDeps, 'sessions' | 'sockets'>,
  userId: string,
  sessionId: string,
): Promise<boolean> {
  const revoked = await deps.sessions.revoke(userId, sessionId);
  if (revoked) await closeEndedSessionSockets(deps, userId, sessionId);
  return revoked;
}
