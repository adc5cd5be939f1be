import { AppError } from '../errors.js';
import { passwordResetMail } from '../mail/messages.js';
import type { AuthDeps, RequestOrigin } from './auth-deps.js';
import { sha256Base64Url } from './digest.js';
import { canonicalEmail, isPlausibleEmail } from './email.js';
import type { PasswordResetDeps } from './password-reset.js';

/**
 * Stands in for the user when the email has no account: a token is issued for it all the same (so both
 * answers cost the same store work), never mailed, and it redeems to no user (the nil UUID has no row). The
 * store keeps one live token per user, so unknown emails hold at most one decoy token, never a growing set.
 */
export const DECOY_USER_ID = '00000000-0000-0000-0000-000000000000';

/** Limiter buckets of `forgot`; the email part is a hash, so no key in Redis names an email. */
const forgotBuckets = (emailHash: string, ip: string) => ({
  ip: `forgot:ip:${ip}`,
  email: `forgot:email:${emailHash}`,
});

const throttled = (retryAfterSeconds: number): AppError =>
  new AppError('rate_limited', 'Too many password reset requests; try again later', { retryAfterSeconds });

/**
 * `POST /auth/password/forgot`: mails a reset link when the email has an account, and answers the same either
 * way, in the same time: identical store calls on both paths (a decoy token for an unknown email), a mail
 * failure is logged and swallowed, and the answer waits for a fixed floor so the mail's latency does not show.
 */
export async function requestPasswordReset(
  deps: Pick<AuthDeps, 'users' | 'limiter' | 'clock'> & PasswordResetDeps,
  input: { email: string },
  origin: RequestOrigin,
): Promise<void> {
  const startedMs = deps.clock.nowMs();
  const email = canonicalEmail(input.email);
  if (!isPlausibleEmail(email)) {
    throw new AppError('validation_failed', 'Email address is not valid', {
      details: [{ path: 'email', message: 'Email address is not valid' }],
    });
  }
  const { passwordReset: policy, limiter } = deps;
  const buckets = forgotBuckets(await sha256Base64Url(email), origin.ip);
  // IP first: an address over its budget writes no per-email key (a flood of made-up emails stays cheap).
  const byIp = await limiter.hit(buckets.ip, policy.ipLimit, policy.windowSeconds);
  if (!byIp.allowed) throw throttled(byIp.retryAfterSeconds);
  const byEmail = await limiter.hit(buckets.email, policy.emailLimit, policy.windowSeconds);
  if (!byEmail.allowed) throw throttled(byEmail.retryAfterSeconds);

  const user = await deps.users.findByEmail(email);
  const token = await deps.resetTokens.issue(user?.id ?? DECOY_USER_ID, policy.tokenTtlSeconds);
  if (user) await sendResetMail(deps, user.email, token);
  await deps.pause(Math.max(0, startedMs + policy.minResponseMs - deps.clock.nowMs()));
}

async function sendResetMail(deps: PasswordResetDeps, to: string, token: string): Promise<void> {
  const ttlMinutes = Math.round(deps.passwordReset.tokenTtlSeconds / 60);
  try {
    await deps.mailer.send(passwordResetMail({ to, webUrl: deps.webUrl, token, ttlMinutes }));
  } catch (error) {
    // The answer must not depend on the mail; the adapter already logged why (never the address).
    deps.logError('password reset mail not sent', {
      code: error instanceof AppError ? error.code : 'internal_error',
      retryable: (error as { isRetryable?: unknown }).isRetryable === true,
    });
  }
}
