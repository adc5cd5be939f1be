import { describe, expect, it } from 'vitest';
import type { RequestOrigin } from '../../../shared/domain/auth/auth-policy.js';
import { logIn } from '../../../shared/domain/auth/log-in.js';
import { type FakeAuth, fakeAuth } from '../../support/fakes-auth-ports.js';

const ORIGIN: RequestOrigin = { ip: '203.0.113.7', userAgent: 'vitest' };
const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery staple';

async function withUser(): Promise<FakeAuth> {
  const auth = fakeAuth();
  await auth.users.create({ email: EMAIL, passwordHash: `fake-hash:${PASSWORD}`, displayName: 'Ada' });
  return auth;
}

describe('logIn', () => {
  it('opens a session and returns a signed access/refresh pair for the right password', async () => {
    const auth = await withUser();

    const result = await logIn(auth.deps, { email: EMAIL, password: PASSWORD }, ORIGIN);

    expect(result.user).toMatchObject({ email: EMAIL, displayName: 'Ada' });
    expect(result.user).not.toHaveProperty('passwordHash');
    expect(await auth.deps.sessions.findActive(result.user.id, result.sessionId)).not.toBeNull();
    const access = await auth.tokens.verifyAccess(result.tokens.access.token);
    const refresh = await auth.tokens.verifyRefresh(result.tokens.refresh.token);
    expect(access).toMatchObject({ userId: result.user.id, sessionId: result.sessionId });
    expect(refresh?.tokenId).toBe(access?.tokenId);
  });

  it('gives the access token the access TTL and the refresh token the refresh TTL', async () => {
    const auth = await withUser();
    const nowSeconds = auth.clock.nowMs() / 1000;

    const { tokens } = await logIn(auth.deps, { email: EMAIL, password: PASSWORD }, ORIGIN);

    expect(tokens.access.expiresAt.getTime() / 1000).toBe(nowSeconds + auth.deps.policy.accessTtlSeconds);
    expect(tokens.refresh.expiresAt.getTime() / 1000).toBe(nowSeconds + auth.deps.policy.refreshTtlSeconds);
  });

  it('caps the first refresh expiry at the absolute session lifetime', async () => {
    const auth = fakeAuth({ policy: { refreshTtlSeconds: 3600, absoluteTtlSeconds: 600 } });
    await auth.users.create({ email: EMAIL, passwordHash: `fake-hash:${PASSWORD}`, displayName: 'Ada' });

    const { tokens } = await logIn(auth.deps, { email: EMAIL, password: PASSWORD }, ORIGIN);

    expect(tokens.refresh.expiresAt.getTime()).toBe(auth.clock.nowMs() + 600_000);
    expect(tokens.access.expiresAt.getTime()).toBeLessThanOrEqual(tokens.refresh.expiresAt.getTime());
  });

  it('canonicalises the email before the lookup and the account throttle', async () => {
    const auth = await withUser();

    await logIn(auth.deps, { email: '  ADA@Example.com ', password: PASSWORD }, ORIGIN);

    expect(auth.users.lookups).toEqual([EMAIL]);
    expect(auth.limiter.hits.map((hit) => hit.bucket)).toContain(`login:account:${EMAIL}`);
  });

  it('consults both the account and the source-IP buckets with the configured limits', async () => {
    const auth = await withUser();
    const { policy } = auth.deps;

    await logIn(auth.deps, { email: EMAIL, password: PASSWORD }, ORIGIN);

    expect(auth.limiter.hits).toEqual(
      expect.arrayContaining([
        {
          bucket: `login:account:${EMAIL}`,
          limit: policy.loginAccountLimit,
          windowSeconds: policy.loginWindowSeconds,
        },
        {
          bucket: `login:ip:${ORIGIN.ip}`,
          limit: policy.loginIpLimit,
          windowSeconds: policy.loginWindowSeconds,
        },
      ]),
    );
  });

  it('returns rate_limited with Retry-After before any hashing when the account is throttled, even for the right password', async () => {
    const auth = await withUser();
    auth.limiter.deny(`login:account:${EMAIL}`, 42);

    await expect(logIn(auth.deps, { email: EMAIL, password: PASSWORD }, ORIGIN)).rejects.toMatchObject({
      code: 'rate_limited',
      retryAfterSeconds: 42,
    });
    expect(auth.passwords.verified).toEqual([]);
    expect(auth.passwords.burned).toEqual([]);
    expect(auth.users.lookups).toEqual([]);
    expect(auth.sessions.records.size).toBe(0);
  });

  it('returns rate_limited when the source IP is throttled', async () => {
    const auth = await withUser();
    auth.limiter.deny(`login:ip:${ORIGIN.ip}`, 7);

    await expect(logIn(auth.deps, { email: EMAIL, password: PASSWORD }, ORIGIN)).rejects.toMatchObject({
      code: 'rate_limited',
      retryAfterSeconds: 7,
    });
    expect(auth.passwords.verified).toEqual([]);
  });

  it('reports the longer wait when both buckets are throttled', async () => {
    const auth = await withUser();
    auth.limiter.deny(`login:account:${EMAIL}`, 30);
    auth.limiter.deny(`login:ip:${ORIGIN.ip}`, 90);

    await expect(logIn(auth.deps, { email: EMAIL, password: PASSWORD }, ORIGIN)).rejects.toMatchObject({
      code: 'rate_limited',
      retryAfterSeconds: 90,
    });
  });

  it('starts throttling the account after the configured number of attempts', async () => {
    const auth = await withUser();
    const attempt = () => logIn(auth.deps, { email: EMAIL, password: 'wrong password!' }, ORIGIN);
    for (let i = 0; i < auth.deps.policy.loginAccountLimit; i++) {
      await expect(attempt()).rejects.toMatchObject({ code: 'invalid_credentials' });
    }

    await expect(attempt()).rejects.toMatchObject({ code: 'rate_limited' });
    await expect(logIn(auth.deps, { email: EMAIL, password: PASSWORD }, ORIGIN)).rejects.toMatchObject({
      code: 'rate_limited',
    });
  });

  it('burns a hash comparison for an unknown email and fails like a wrong password', async () => {
    const auth = await withUser();

    const unknown = logIn(auth.deps, { email: 'nobody@example.com', password: PASSWORD }, ORIGIN);
    await expect(unknown).rejects.toMatchObject({ code: 'invalid_credentials' });
    const unknownError = await unknown.catch((error: unknown) => error);
    const wrong = await logIn(auth.deps, { email: EMAIL, password: 'not the password' }, ORIGIN).catch(
      (error: unknown) => error,
    );

    expect(auth.passwords.burned).toEqual([PASSWORD]);
    expect(auth.passwords.verified).toEqual(['not the password']);
    expect(wrong).toMatchObject({ code: 'invalid_credentials' });
    expect((wrong as Error).message).toBe((unknownError as Error).message);
  });

  it('does not create a session or reset the throttle on a wrong password', async () => {
    const auth = await withUser();

    await expect(
      logIn(auth.deps, { email: EMAIL, password: 'not the password' }, ORIGIN),
    ).rejects.toMatchObject({ code: 'invalid_credentials' });

    expect(auth.sessions.records.size).toBe(0);
    expect(auth.limiter.resets).toEqual([]);
  });

  it('resets the account bucket (not the IP bucket) after a successful login', async () => {
    const auth = await withUser();

    await logIn(auth.deps, { email: EMAIL, password: PASSWORD }, ORIGIN);

    expect(auth.limiter.resets).toEqual([`login:account:${EMAIL}`]);
  });

  it('rejects an absurdly long password without throttling or hashing', async () => {
    const auth = await withUser();

    await expect(
      logIn(auth.deps, { email: EMAIL, password: 'x'.repeat(100_000) }, ORIGIN),
    ).rejects.toMatchObject({ code: 'invalid_credentials' });

    expect(auth.limiter.hits).toEqual([]);
    expect(auth.passwords.verified).toEqual([]);
    expect(auth.passwords.burned).toEqual([]);
  });

  it('stores the source IP and a truncated user agent on the session', async () => {
    const auth = await withUser();

    const { sessionId, user } = await logIn(
      auth.deps,
      { email: EMAIL, password: PASSWORD },
      { ip: ORIGIN.ip, userAgent: 'u'.repeat(1000) },
    );

    const [summary] = await auth.sessions.list(user.id, auth.clock.nowMs());
    expect(summary).toMatchObject({ id: sessionId, ip: ORIGIN.ip });
    expect(summary?.userAgent).toHaveLength(256);
  });
});
