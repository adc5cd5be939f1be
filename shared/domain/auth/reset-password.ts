import { AppError } from '../errors.js';
import type { AuthDeps } from './auth-deps.js';
import { closeEndedSessionSockets } from './end-session.js';
import { checkPasswordPolicy, PASSWORD_MESSAGES } from './password-policy.js';
import type { ResetTokenStore } from './password-reset.js';
import { DECOY_USER_ID } from './request-password-reset.js';

const invalidToken = (): AppError =>
  new AppError('invalid_token', 'The reset link is invalid, used or expired; ask for a new one');

/**
 * `POST /auth/password/reset`: redeems a mailed token once and sets the new password, then revokes every
 * session of the user and closes every socket. The policy is checked before the token is spent, so a weak
 * password leaves the link usable; the token is spent before the (costly) hash, so made-up tokens cost no
 * bcrypt. A used, expired, superseded or unknown token, or one whose account is gone, is 400 `invalid_token`.
 */
export async function resetPassword(
  deps: Pick<AuthDeps, 'users' | 'passwords' | 'sessions' | 'sockets'> & { resetTokens: ResetTokenStore },
  input: { token: string; newPassword: string },
): Promise<void> {
  const problem = checkPasswordPolicy(input.newPassword);
  if (problem) {
    const message = PASSWORD_MESSAGES[problem];
    throw new AppError('validation_failed', message, { details: [{ path: 'newPassword', message }] });
  }
  const userId = await deps.resetTokens.consume(input.token);
  if (userId === null || userId === DECOY_USER_ID) throw invalidToken();
  const passwordHash = await deps.passwords.hash(input.newPassword);
  if (!(await deps.users.updatePasswordHash(userId, passwordHash))) throw invalidToken();
  // After the hash is replaced: whoever held a session (perhaps the reason for the reset) is signed out.
  await deps.sessions.revokeAll(userId);
  await closeEndedSessionSockets(deps, userId);
}
