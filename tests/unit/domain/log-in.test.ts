import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { RequestOrigin } from '../../../shared/domain/auth/auth-deps.js';
import { logIn } from '../../../shared/domain/auth/log-in.js';
import { type FakeAuth, fakeAuth } from '../../support/fakes-auth-ports.js';

const ORIGIN: RequestOrigin = { ip: '203.0.113.7', userAgent: 'vitest' };
const OWNER_ORIGIN: RequestOrigin = { ip: '192.0.2.55', userAgent: 'owner' };
const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery staple';
const sha256 = (text: string): string => createHash('sha256').update(text).digest('base64url');
const BUCKETS = {
  ip: `login:ip:${ORIGIN.ip}`,
  accountIp: `login:account-ip:${sha256(EMAIL)}:${ORIGIN.ip}`,
  account: `login:account:${sha256(EMAIL)}`,
};

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
    expect(refresh).toMatchObject({ userId: result.user.id, sessionId: result.sessionId });
  });

  it('gives the access token its own jti, derived one-way from the refresh id', async () => {
    const auth = await withUser();

    const { tokens } = await logIn(auth.deps, { email: EMAIL, password: PASSWORD }, ORIGIN);

    const access = await auth.tokens.verifyAccess(tokens.access.token);
    const refresh = await auth.tokens.verifyRefresh(tokens.refresh.token);
    expect(access?.tokenId).not.toBe(refresh?.tokenId);
    expect(access?.tokenId).toBe(sha256(`access:${refresh?.tokenId}`));
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
    expect(auth.limiter.hits.map((hit) => hit.bucket)).toContain(BUCKETS.account);
  });

  it('hits the IP bucket, then the (account, IP) bucket, then the account ceiling, with the configured limits', async () => {
    const auth = await withUser();
    const { policy } = auth.deps;
    const window = policy.loginWindowSeconds;

    await logIn(auth.deps, { email: EMAIL, password: PASSWORD }, ORIGIN);

    expect(auth.limiter.hits).toEqual([
      { bucket: BUCKETS.ip, limit: policy.loginIpLimit, windowSeconds: window },
      { bucket: BUCKETS.accountIp, limit: policy.loginAccountIpLimit, windowSeconds: window },
      { bucket: BUCKETS.account, limit: policy.loginAccountLimit, windowSeconds: window },
    ]);
  });

  it('names accounts in limiter buckets only by a SHA-256 of the canonical email, never the email', async () => {
    const auth = await withUser();

    await logIn(auth.deps, { email: 'Ada@Example.com', password: 'wrong password!' }, ORIGIN).catch(
      () => undefined,
    );

    const buckets = auth.limiter.hits.map((hit) => hit.bucket);
    expect(buckets.filter((bucket) => bucket.includes(sha256(EMAIL)))).toHaveLength(2);
    for (const bucket of buckets) {
      expect(bucket).not.toContain('@');
      expect(bucket.toLowerCase()).not.toContain('ada');
    }
  });

  it('stops at the IP bucket when the source IP is throttled: no account bucket is written', async () => {
    const auth = await withUser();
    auth.limiter.deny(BUCKETS.ip, 7);

    await expect(logIn(auth.deps, { email: EMAIL, password: PASSWORD }, ORIGIN)).rejects.toMatchObject({
      code: 'rate_limited',
      retryAfterSeconds: 7,
    });
    expect(auth.limiter.hits.map((hit) => hit.bucket)).toEqual([BUCKETS.ip]);
    expect(auth.passwords.verified).toEqual([]);
    expect(auth.users.lookups).toEqual([]);
  });

  it.each([
    ['no at sign', 'ada.example.com'],
    ['an inner space', 'ada lovelace@example.com'],
    ['a soft hyphen (U+00AD)', 'a\u00adda@example.com'],
    ['a tag character', 'ada\u{e0041}@example.com'],
    ['over 254 characters', `a@${'b'.repeat(250)}.com`],
  ])('refuses an email with %s as validation_failed before any bucket is written', async (_label, email) => {
    const auth = await withUser();

    await expect(logIn(auth.deps, { email, password: PASSWORD }, ORIGIN)).rejects.toMatchObject({
      code: 'validation_failed',
    });
    expect(auth.limiter.hits).toEqual([]);
    expect(auth.users.lookups).toEqual([]);
    expect(auth.passwords.burned).toEqual([]);
  });

  it.each([
    ['(account, IP)', 'accountIp'],
    ['account-wide', 'account'],
  ] as const)(
    'answers the right password with rate_limited and hashes nothing while the %s bucket is throttled',
    async (_label, bucket) => {
      const auth = await withUser();
      auth.limiter.deny(BUCKETS[bucket], 42);

      await expect(logIn(auth.deps, { email: EMAIL, password: PASSWORD }, ORIGIN)).rejects.toMatchObject({
        code: 'rate_limited',
        retryAfterSeconds: 42,
      });
      expect(auth.passwords.verified).toEqual([]);
      expect(auth.passwords.burned).toEqual([]);
      expect(auth.users.lookups).toEqual([]);
      expect(auth.sessions.records.size).toBe(0);
    },
  );

  it('slows a guesser from one IP after loginAccountIpLimit attempts while the owner gets in from another', async () => {
    const auth = await withUser();
    const guess = () => logIn(auth.deps, { email: EMAIL, password: 'wrong password!' }, ORIGIN);
    for (let i = 0; i < auth.deps.policy.loginAccountIpLimit; i++) {
      await expect(guess()).rejects.toMatchObject({ code: 'invalid_credentials' });
    }

    await expect(guess()).rejects.toMatchObject({ code: 'rate_limited' });
    await expect(logIn(auth.deps, { email: EMAIL, password: PASSWORD }, ORIGIN)).rejects.toMatchObject({
      code: 'rate_limited',
    });
    const owner = await logIn(auth.deps, { email: EMAIL, password: PASSWORD }, OWNER_ORIGIN);
    expect(owner.user.email).toBe(EMAIL);
  });

  it('throttles every IP, even for the right password, once the account-wide ceiling is reached', async () => {
    const auth = await withUser();
    const { loginAccountLimit } = auth.deps.policy;
    for (let i = 0; i < loginAccountLimit; i++) {
      const from = { ip: `198.51.100.${i + 1}`, userAgent: 'guesser' };
      await expect(
        logIn(auth.deps, { email: EMAIL, password: 'wrong password!' }, from),
      ).rejects.toMatchObject({ code: 'invalid_credentials' });
    }

    await expect(logIn(auth.deps, { email: EMAIL, password: PASSWORD }, OWNER_ORIGIN)).rejects.toMatchObject({
      code: 'rate_limited',
    });
    expect(auth.passwords.verified).toHaveLength(loginAccountLimit);
  });

  it('does not count attempts refused per (account, IP) toward the account-wide ceiling', async () => {
    const auth = await withUser();
    const { loginAccountLimit, loginIpLimit } = auth.deps.policy;
    const attempts = Math.min(loginAccountLimit + 5, loginIpLimit);
    for (let i = 0; i < attempts; i++) {
      await logIn(auth.deps, { email: EMAIL, password: 'wrong password!' }, ORIGIN).catch(() => undefined);
    }

    const owner = await logIn(auth.deps, { email: EMAIL, password: PASSWORD }, OWNER_ORIGIN);

    expect(owner.user.email).toBe(EMAIL);
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

  it('resets only the (account, IP) bucket after a successful login, never the IP bucket or the ceiling', async () => {
    const auth = await withUser();

    await logIn(auth.deps, { email: EMAIL, password: PASSWORD }, ORIGIN);

    expect(auth.limiter.resets).toEqual([BUCKETS.accountIp]);
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
