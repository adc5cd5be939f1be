import type { AuthDeps, RequestOrigin } from './auth-deps.js';
import { sha256Base64Url } from './digest.js';
import { enforceLoginThrottle, invalidCredentials, loginBuckets } from './log-in.js';
import { PASSWORD_MAX_LENGTH } from './password-policy.js';
import type { User } from './ports.js';

/**
 * Re-checks a signed-in user's password before a sensitive change (password change, account deletion). It
 * counts in the very login buckets (source IP, account + IP, account), before any hashing: a stolen session
 * gets no more guesses at the password than a sign-in form, and a throttled account answers 429 even for the
 * right password. A wrong password is the login's generic 401 `invalid_credentials`.
 */
export async function confirmPassword(
  deps: Pick<AuthDeps, 'users' | 'passwords' | 'limiter' | 'policy'>,
  user: User,
  password: string,
  origin: RequestOrigin,
): Promise<void> {
  if (password.length > PASSWORD_MAX_LENGTH * 2) throw invalidCredentials();
  const buckets = loginBuckets(await sha256Base64Url(user.email), origin.ip);
  await enforceLoginThrottle(deps, buckets);
  const found = await deps.users.findByEmail(user.email);
  if (!found || found.id !== user.id) {
    await deps.passwords.burn(password);
    throw invalidCredentials();
  }
  if (!(await deps.passwords.verify(password, found.passwordHash))) throw invalidCredentials();
  await deps.limiter.reset(buckets.accountIp);
}
