import { describe, expect, it } from 'vitest';
import type { RequestOrigin } from '../../../shared/domain/auth/auth-deps.js';
import { logIn } from '../../../shared/domain/auth/log-in.js';
import { refreshSession } from '../../../shared/domain/auth/refresh-session.js';
import { registerUser } from '../../../shared/domain/auth/register-user.js';
import { type FakeAuth, fakeAuth, TEST_POLICY } from '../../support/fakes-auth-ports.js';
import { withEmailVerification } from '../../support/fakes-email-verification.js';

const ORIGIN: RequestOrigin = { ip: '203.0.113.20', userAgent: 'vitest' };
const EMAIL = 'metrics@example.com';
const PASSWORD = 'correct horse battery staple';

async function withUser(): Promise<FakeAuth> {
  const auth = fakeAuth();
  await auth.users.create({ email: EMAIL, passwordHash: `fake-hash:${PASSWORD}`, displayName: 'Meg' });
  return auth;
}

// The alarms and the dashboard count these; each event is counted once, where it happens.
describe('auth business metrics', () => {
  it('counts a sign-up once the account exists, and nothing for a refused one', async () => {
    const auth = fakeAuth();
    const { deps } = withEmailVerification(auth);
    const input = { email: EMAIL, password: PASSWORD, displayName: 'Meg' };

    await registerUser(deps, input, ORIGIN);
    await expect(registerUser(deps, input, ORIGIN)).rejects.toMatchObject({ code: 'email_taken' });

    expect(auth.metrics.snapshot()).toEqual({ SignUp: 1 });
  });

  it('counts a successful login as LoginSucceeded only', async () => {
    const auth = await withUser();

    await logIn(auth.deps, { email: EMAIL, password: PASSWORD }, ORIGIN);

    expect(auth.metrics.snapshot()).toEqual({ LoginSucceeded: 1 });
  });

  it('counts a wrong password, an unknown account and an over-long password as LoginFailed', async () => {
    const auth = await withUser();
    const attempts = [
      { email: EMAIL, password: 'wrong password here' },
      { email: 'nobody@example.com', password: PASSWORD },
      { email: EMAIL, password: 'x'.repeat(10_000) },
    ];

    for (const attempt of attempts) {
      await expect(logIn(auth.deps, attempt, ORIGIN)).rejects.toMatchObject({ code: 'invalid_credentials' });
    }

    expect(auth.metrics.snapshot()).toEqual({ LoginFailed: 3 });
  });

  it('counts a throttled attempt as LoginThrottled, not as a failure, even with the right password', async () => {
    const auth = await withUser();
    auth.limiter.deny(`login:ip:${ORIGIN.ip}`, 60);

    await expect(logIn(auth.deps, { email: EMAIL, password: PASSWORD }, ORIGIN)).rejects.toMatchObject({
      code: 'rate_limited',
    });

    expect(auth.metrics.snapshot()).toEqual({ LoginThrottled: 1 });
  });

  it('counts a rotation, not the grace-window replay, and a reuse as RefreshReuseDetected', async () => {
    const auth = await withUser();
    const login = await logIn(auth.deps, { email: EMAIL, password: PASSWORD }, ORIGIN);
    auth.clock.advanceSeconds(60);
    await refreshSession(auth.deps, login.tokens.refresh.token);
    await refreshSession(auth.deps, login.tokens.refresh.token);
    expect(auth.metrics.of('RefreshRotated')).toBe(1);

    auth.clock.advanceSeconds(TEST_POLICY.refreshGraceSeconds + 1);
    await expect(refreshSession(auth.deps, login.tokens.refresh.token)).rejects.toMatchObject({
      code: 'refresh_token_reused',
    });

    expect(auth.metrics.snapshot()).toEqual({
      LoginSucceeded: 1,
      RefreshRotated: 1,
      RefreshReuseDetected: 1,
    });
  });
});
