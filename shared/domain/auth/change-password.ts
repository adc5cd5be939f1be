import { AppError, unauthenticated } from '../errors.js';
import type { AuthDeps, RequestOrigin } from './auth-deps.js';
import { confirmPassword } from './confirm-password.js';
import { closeEndedSessionSockets } from './end-session.js';
import { checkPasswordPolicy, PASSWORD_MESSAGES } from './password-policy.js';
import type { User } from './ports.js';

export interface ChangePasswordInput {
  currentPassword: string;
  newPassword: string;
}

/** The signed-in caller: who, and which session made the request (it stays signed in). */
export interface Caller {
  user: User;
  sessionId: string;
}

/**
 * Replaces the password after re-checking the current one (throttled like login), then revokes every other
 * session of the user and closes their sockets; the calling session keeps working. The new password passes
 * the registration policy; it may equal the current one (then the call only signs out the other devices).
 */
export async function changePassword(
  deps: Pick<AuthDeps, 'users' | 'passwords' | 'limiter' | 'policy' | 'sessions' | 'sockets'>,
  caller: Caller,
  input: ChangePasswordInput,
  origin: RequestOrigin,
): Promise<void> {
  // Checked first: a policy failure says nothing about the current password and spends no login attempt.
  const problem = checkPasswordPolicy(input.newPassword);
  if (problem) {
    const message = PASSWORD_MESSAGES[problem];
    throw new AppError('validation_failed', message, { details: [{ path: 'newPassword', message }] });
  }
  await confirmPassword(deps, caller.user, input.currentPassword, origin);
  const passwordHash = await deps.passwords.hash(input.newPassword);
  if (!(await deps.users.updatePasswordHash(caller.user.id, passwordHash))) throw unauthenticated();
  // After the hash is replaced: a session opened with the old password before this point is revoked here.
  await deps.sessions.revokeAll(caller.user.id, caller.sessionId);
  await closeEndedSessionSockets(deps, caller.user.id);
}
