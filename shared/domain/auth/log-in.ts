import { AppError } from '../errors.js';
import type { AuthDeps, RequestOrigin } from './auth-policy.js';
import { canonicalEmail } from './email.js';
import { PASSWORD_MAX_LENGTH } from './password-policy.js';
import type { User } from './ports.js';
import { type SessionTokens, signSessionTokens } from './session-tokens.js';

export interface LoginResult {
  user: User;
  sessionId: string;
  tokens: SessionTokens;
}

const invalidCredentials = (): AppError => new AppError('invalid_credentials', 'Invalid email or password');

/** Throttled per account and per source IP *before* the KDF, so a locked account is never a password oracle. */
async function enforceLoginThrottle(deps: AuthDeps, email: string, ip: string): Promise<void> {
  const { policy, limiter } = deps;
  const [account, address] = await Promise.all([
    limiter.hit(`login:account:${email}`, policy.loginAccountLimit, policy.loginWindowSeconds),
    limiter.hit(`login:ip:${ip}`, policy.loginIpLimit, policy.loginWindowSeconds),
  ]);
  const waits = [account, address].flatMap((decision) =>
    decision.allowed ? [] : [decision.retryAfterSeconds],
  );
  if (waits.length > 0) {
    throw new AppError('rate_limited', 'Too many login attempts; try again later', {
      retryAfterSeconds: Math.max(...waits),
    });
  }
}

/** Verifies credentials and opens a new session (a new refresh-token family). */
export async function logIn(
  deps: AuthDeps,
  input: { email: string; password: string },
  origin: RequestOrigin,
): Promise<LoginResult> {
  const email = canonicalEmail(input.email);
  // Over-long input is rejected before throttling and hashing; it can never match a stored password.
  if (input.password.length > PASSWORD_MAX_LENGTH * 2 || email.length > 254) throw invalidCredentials();
  await enforceLoginThrottle(deps, email, origin.ip);

  const found = await deps.users.findByEmail(email);
  if (!found) {
    await deps.passwords.burn(input.password);
    throw invalidCredentials();
  }
  if (!(await deps.passwords.verify(input.password, found.passwordHash))) throw invalidCredentials();

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
    deps.limiter.reset(`login:account:${email}`),
  ]);
  const tokens = await signSessionTokens(deps, {
    userId: user.id,
    sessionId,
    refreshId,
    issuedAtSeconds,
    refreshExpiresAtMs,
  });
  return { user, sessionId, tokens };
}
