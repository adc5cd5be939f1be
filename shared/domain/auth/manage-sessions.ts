import { AppError } from '../errors.js';
import type { AuthDeps } from './auth-deps.js';
import { endSession } from './end-session.js';
import type { SessionSummary } from './ports.js';

export interface SessionView extends SessionSummary {
  current: boolean;
}

/** Lists the caller's live sessions, newest first, marking the one making the request. */
export async function listSessions(
  deps: Pick<AuthDeps, 'sessions' | 'clock'>,
  userId: string,
  currentSessionId: string,
): Promise<SessionView[]> {
  const sessions = await deps.sessions.list(userId, deps.clock.nowMs());
  return sessions
    .map((session) => ({ ...session, current: session.id === currentSessionId }))
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
}

/**
 * Revokes one of the caller's sessions and closes its sockets; another user's session id is
 * indistinguishable from a missing one.
 */
export async function revokeSession(
  deps: Pick<AuthDeps, 'sessions' | 'sockets'>,
  userId: string,
  sessionId: string,
): Promise<void> {
  if (!(await endSession(deps, userId, sessionId))) throw new AppError('not_found', 'No such session');
}
