import type { UserDirectory } from '../chat/ports.js';
import { AppError } from '../errors.js';
import { codePointLength, hasForbiddenNameCharacters, hasVisibleCharacter } from '../text.js';
import type { AuthDeps, RequestOrigin } from './auth-deps.js';
import { canonicalEmail, isPlausibleEmail } from './email.js';
import { type EmailVerificationDeps, sendVerificationAfterSignUp } from './email-verification.js';
import { checkPasswordPolicy, PASSWORD_MESSAGES } from './password-policy.js';
import type { User } from './ports.js';

export interface RegisterInput {
  email: string;
  password: string;
  displayName: string;
}

const invalid = (field: string, message: string): AppError =>
  new AppError('validation_failed', message, { details: [{ path: field, message }] });

/**
 * Creates an account; the unique index on the canonical email decides races (one winner, others 409). Once
 * Postgres has the row, the user directory (Redis) gets it too, so the realtime path can find the user. Then
 * the verification mail goes out; its failure is logged, never the sign-up's.
 */
export async function registerUser(
  deps: AuthDeps & EmailVerificationDeps & { directory: Pick<UserDirectory, 'put'> },
  input: RegisterInput,
  origin: RequestOrigin,
): Promise<User> {
  const email = canonicalEmail(input.email);
  if (!isPlausibleEmail(email)) throw invalid('email', 'Email address is not valid');
  const displayName = input.displayName.trim().normalize('NFC');
  if (displayName.length === 0 || codePointLength(displayName) > 64) {
    throw invalid('displayName', 'Display name must be 1 to 64 characters');
  }
  if (hasForbiddenNameCharacters(displayName)) {
    throw invalid('displayName', 'Display name contains control or invisible characters');
  }
  if (!hasVisibleCharacter(displayName)) {
    throw invalid('displayName', 'Display name needs at least one visible character');
  }
  const problem = checkPasswordPolicy(input.password);
  if (problem) throw invalid('password', PASSWORD_MESSAGES[problem]);

  const decision = await deps.limiter.hit(
    `register:ip:${origin.ip}`,
    deps.policy.registerIpLimit,
    deps.policy.registerWindowSeconds,
  );
  if (!decision.allowed) {
    throw new AppError('rate_limited', 'Too many sign-ups from this address', {
      retryAfterSeconds: decision.retryAfterSeconds,
    });
  }
  const passwordHash = await deps.passwords.hash(input.password);
  const user = await deps.users.create({ email, passwordHash, displayName });
  deps.metrics.count('SignUp');
  // A new row's updated_at equals its created_at. If this write fails the request fails with 503 (the
  // account exists but cannot be messaged yet); the migrator's backfill fills such gaps on the next deploy.
  await deps.directory.put({ id: user.id, displayName: user.displayName, updatedAt: user.createdAt });
  await sendVerificationAfterSignUp(deps, user);
  return user;
}
