import { type Budget, spendBudget } from '../budget.js';
import { AppError } from '../errors.js';
import { emailVerificationMail } from '../mail/messages.js';
import type { Mailer } from '../mail/ports.js';
import type { AuthDeps } from './auth-deps.js';
import type { User } from './ports.js';

/**
 * Single-use email-verification tokens (256 bits), stored only as a SHA-256 digest with a TTL. Each resend
 * issues another; earlier links keep working until they expire (they all prove the same address).
 */
export interface VerificationTokenStore {
  /** A fresh token that names the user, valid `ttlSeconds`. */
  issue(userId: string, ttlSeconds: number): Promise<string>;
  /** The user id, exactly once; null for a used, expired, malformed or unknown token. */
  consume(token: string): Promise<string | null>;
}

/** Token lifetime and the resend budget, from config. */
export interface EmailVerificationPolicy {
  tokenTtlSeconds: number;
  /** Resends per user per window. */
  resendLimit: Budget;
}

/** What email verification needs beyond AuthDeps. */
export interface EmailVerificationDeps {
  verificationTokens: VerificationTokenStore;
  emailVerification: EmailVerificationPolicy;
  mailer: Mailer;
  /** The web client's URL, the base of the mailed link. */
  webUrl: string;
  logError: (message: string, details: Record<string, unknown>) => void;
}

const invalidToken = (): AppError =>
  new AppError('invalid_token', 'This verification link is invalid, used or expired');

/** Issues a token and mails the link (`/#/verify-email?token=…`); throws when the store or the mail fails. */
async function mailVerificationLink(deps: EmailVerificationDeps, user: User): Promise<void> {
  const token = await deps.verificationTokens.issue(user.id, deps.emailVerification.tokenTtlSeconds);
  await deps.mailer.send(
    emailVerificationMail({ to: user.email, webUrl: deps.webUrl, token, displayName: user.displayName }),
  );
}

/**
 * Registration's verification mail. A failure never fails the sign-up (the account exists; the user can ask
 * for another mail): it is logged with our code only, never the address or the token.
 */
export async function sendVerificationAfterSignUp(deps: EmailVerificationDeps, user: User): Promise<void> {
  try {
    await mailVerificationLink(deps, user);
  } catch (error) {
    deps.logError('verification mail not sent', {
      code: error instanceof AppError ? error.code : 'internal_error',
      retryable: (error as { isRetryable?: unknown }).isRetryable === true,
    });
  }
}

/**
 * `POST /auth/email/verify`: redeems the token once (the store deletes it atomically) and marks the address
 * verified in Postgres, then in the user snapshot of every live session (what `GET /me` reads). A token of a
 * deleted account redeems to no row: invalid too.
 */
export async function verifyEmail(
  deps: Pick<AuthDeps, 'users' | 'sessions'> & Pick<EmailVerificationDeps, 'verificationTokens'>,
  input: { token: string },
): Promise<void> {
  const userId = await deps.verificationTokens.consume(input.token);
  if (!userId) throw invalidToken();
  if (!(await deps.users.markEmailVerified(userId))) throw invalidToken();
  await deps.sessions.markEmailVerified(userId);
}

/**
 * `POST /auth/email/verify/resend` (signed in): throttled per user (429 + Retry-After); mails a fresh link
 * unless the address is already verified, which answers the same (202) and sends nothing. Unlike sign-up, a
 * mail failure is the caller's 503: they asked for exactly this mail.
 */
export async function resendVerification(
  deps: Pick<AuthDeps, 'users' | 'limiter'> & EmailVerificationDeps,
  userId: string,
): Promise<void> {
  await spendBudget(
    deps.limiter,
    `verify-resend:${userId}`,
    deps.emailVerification.resendLimit,
    'Too many verification mails; try again later',
  );
  // Postgres, not the session snapshot: a sign-in racing a verification can hold a stale snapshot.
  const user = await deps.users.findById(userId);
  if (!user || user.emailVerified) return;
  await mailVerificationLink(deps, user);
}
