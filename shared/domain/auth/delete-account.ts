import type { AuthDeps, RequestOrigin } from './auth-deps.js';
import type { Caller } from './change-password.js';
import { confirmPassword } from './confirm-password.js';
import { closeEndedSessionSockets } from './end-session.js';
import type { AccountEraser } from './ports.js';

/**
 * Deletes the caller's account after re-checking the password (throttled like login). Order matters: sessions
 * are revoked and sockets closed first (they need the connection records the erase removes), then the user leaves their
 * groups aloud, then the user's
 * own Redis state is erased and the directory entry becomes a tombstone, then the Postgres row goes (the email
 * is free again). Every step is idempotent; a failure before the row is deleted leaves an account the owner
 * can sign in to and delete again. A last revoke catches a sign-in that raced the steps before it.
 */
export async function deleteAccount(
  deps: Pick<AuthDeps, 'users' | 'passwords' | 'limiter' | 'policy' | 'sessions' | 'sockets'> & {
    accounts: AccountEraser;
    /** Leaves the user's groups the way a member leaves, so the others hear it (before the erase). */
    leaveGroups: (userId: string) => Promise<void>;
  },
  caller: Caller,
  input: { password: string },
  origin: RequestOrigin,
): Promise<void> {
  const userId = caller.user.id;
  await confirmPassword(deps, caller.user, input.password, origin);
  await deps.sessions.revokeAll(userId);
  await closeEndedSessionSockets(deps, userId);
  await deps.leaveGroups(userId);
  await deps.accounts.erase(userId);
  await deps.users.delete(userId);
  await deps.sessions.revokeAll(userId);
}
