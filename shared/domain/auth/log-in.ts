import { AppError, isAppError } from '../errors.js';
import type { AuthDeps, RequestOrigin } from './auth-deps.js';
import { sha256Base64Url } from './digest.js';
import { canonicalEmail, isPlausibleEmail } from './email.js';
import { PASSWORD_MAX_LENGTH } from './password-policy.js';
import type { ThrottleDecision, User } from './ports.js';
import { type SessionTokens, signSessionTokens } from './session-tokens.js';

export interface LoginResult {
  user: User;
  sessionId: string;
  tokens: SessionTokens;
}

export const invalidCredentials = (): AppError =>
  new AppError('invalid_credentials', 'Invalid email or password');

/** Wrong password, unknown account or impossible input: counted as one failed login each. */
function failedLogin(deps: Pick<AuthDeps, 'metrics'>): AppError {
  deps.metrics.count('LoginFailed');
  return invalidCredentials();
}

function stopIfThrottled(decision: ThrottleDecision): void {
  if (decision.allowed) return;
  throw new AppError('rate_limited', 'Too many login attempts; try again later', {
    retryAfterSeconds: decision.retryAfterSeconds,
  });
}

/** Limiter buckets of one login; the account part is a hash, so no key in Redis names an email. */
export const loginBuckets = (accountHash: string, ip: string) => ({
  ip: `login:ip:${ip}`,
  accountIp: `login:account-ip:${accountHash}:${ip}`,
  account: `login:account:${accountHash}`,
});

/**
 * Runs *before* the KDF, so a throttled bucket answers 429 even for the right password (never an oracle).
 * One bucket at a time, each only once the previous admitted the attempt: a source IP over its budget
 * writes no account key, and attempts refused per (account, IP) never count toward the account-wide
 * ceiling, so one address cannot lock the owner out from everywhere else.
 */
export async function enforceLoginThrottle(
  deps: Pick<AuthDeps, 'limiter' | 'policy'>,
  buckets: ReturnType<typeof loginBuckets>,
): Promise<void> {
  const { policy, limiter } = deps;
  const window = policy.loginWindowSeconds;
  stopIfThrottled(await limiter.hit(buckets.ip, policy.loginIpLimit, window));
  stopIfThrottled(await limiter.hit(buckets.accountIp, policy.loginAccountIpLimit, window));
  stopIfThrottled(await limiter.hit(buckets.account, policy.loginAccountLimit, window));
}

/** Verifies credentials and opens a new session (a new refresh-token family). */
export async function logIn(
  deps: AuthDeps,
  input: { email: string; password: string },
  origin: RequestOrigin,
): Promise<LoginResult> {
  const email = canonicalEmail(input.email);
  // Over-long input is rejected before throttling and hashing; it can never match a stored password.
  if (input.password.length > PASSWORD_MAX_LENGTH * 2) throw failedLogin(deps);
  // Registration refuses the same shapes, so this reveals nothing about accounts, and it writes no key.
  if (!isPlausibleEmail(email)) {
    throw new AppError('validation_failed', 'Email address is not valid', {
      details: [{ path: 'email', message: 'Email address is not valid' }],
    });
  }
  const buckets = loginBuckets(await sha256Base64Url(email), origin.ip);
  await enforceLoginThrottle(deps, buckets).catch((error: unknown) => {
    if (isAppError(error) && error.code === 'rate_limited') deps.metrics.count('LoginThrottled');
    throw error;
  });

  const found = await deps.users.findByEmail(email);
  if (!found) {
    await deps.passwords.burn(input.password);
    throw failedLogin(deps);
  }
  if (!(await deps.passwords.verify(input.password, found.passwordHash))) throw failedLogin(deps);

  const { passwordHash: _hash, ...user } = found;
  const nowMs = deps.clock.nowMs();
  const sessionId = crypto.randomUUID();
  const refreshId = crypto.randomUUID();
  const issuedAtSeconds = Math.floor(nowMs / 1000);
  const absoluteExpiresAtMs = nowMs + deps.policy.absoluteTtlSeconds * 1000;
  const refreshExpiresAtMs = Math.min(nowMs + deps.policy.refreshTtlSeconds * 1000, absoluteExpiresAtMs);
  await Promise.all([
    deps.sessions.create({
      userId: user.id,
      sessionId,
      refreshId,
      issuedAtSeconds,
      refreshExpiresAtMs,
      absoluteExpiresAtMs,
      createdAtMs: nowMs,
      user,
      userAgent: origin.userAgent.slice(0, 256),
      ip: origin.ip,
    }),
    // Only this address's bucket: the owner signing in must not wipe a distributed guesser's count.
    deps.limiter.reset(buckets.accountIp),
  ]);
  const tokens = await signSessionTokens(deps, {
    userId: user.id,
    sessionId,
    refreshId,
    issuedAtSeconds,
    refreshExpiresAtMs,
  });
  deps.metrics.count('LoginSucceeded');
  return { user, sessionId, tokens };
}
