import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verificationTokenKey } from '../../shared/adapters/redis/verification-token-store.js';
import {
  type Account,
  bearer,
  expectProblem,
  listRedisKeys,
  loginWithCookies,
  loginWithTokens,
  me,
  registerAccount,
  send,
  startApp,
  type TestApp,
  type UserBody,
} from '../support/auth-helpers.js';
import { tokenFromMail } from '../support/fakes-email-verification.js';
import { pollUntil } from '../support/poll.js';
import { jsonPost } from '../support/test-env.js';

const RESEND_LIMIT = 2;

describe('email verification against Postgres and Redis', () => {
  let t: TestApp & { stop(): Promise<void> };
  let raw: Redis;

  beforeAll(async () => {
    t = await startApp({ EMAIL_VERIFY_RESEND_LIMIT: String(RESEND_LIMIT), EMAIL_VERIFY_TTL_SECONDS: '3600' });
    raw = new Redis(t.env.REDIS_URL, { maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    raw?.disconnect();
    await t?.stop();
  });

  const userOf = async (res: Promise<Response>) => ((await (await res).json()) as { user: UserBody }).user;
  const mailTo = (account: Account) => t.mail.filter((mail) => mail.to === account.email);
  const verify = (token: string) => send(t.app, '/auth/email/verify', jsonPost({ token }));
  const resend = (accessToken: string) =>
    send(t.app, '/auth/email/verify/resend', { method: 'POST', headers: bearer(accessToken) });
  /** The Redis key (with the app's prefix) a mailed token is stored under: only its SHA-256. */
  const storedKey = (keyPrefix: string, token: string) =>
    `${keyPrefix}${verificationTokenKey(createHash('sha256').update(token).digest('base64url'))}`;

  const search = (accessToken: string, query: string) =>
    send(t.app, `/users?query=${encodeURIComponent(query)}`, { headers: bearer(accessToken) });

  it('stores only the SHA-256 of the mailed token, with the configured TTL', async () => {
    const account = await registerAccount(t.app);
    const token = tokenFromMail(mailTo(account)[0]);

    const key = storedKey(t.env.REDIS_KEY_PREFIX, token);
    expect(await raw.get(key)).toBe(account.id);
    const ttl = await raw.ttl(key);
    expect(ttl).toBeGreaterThan(3500);
    expect(ttl).toBeLessThanOrEqual(3600);
    for (const stored of await listRedisKeys(t.env.REDIS_URL, t.env.REDIS_KEY_PREFIX)) {
      expect(stored.includes(token)).toBe(false);
      if ((await raw.type(stored)) === 'string') expect(await raw.get(stored)).not.toContain(token);
    }
  });

  it('verifies once: the row, GET /me of an open session, then 400 invalid_token on a second use', async () => {
    const account = await registerAccount(t.app);
    const session = await loginWithTokens(t.app, account);
    const cookies = await loginWithCookies(t.app, account);
    expect((await userOf(me(t.app, bearer(session.accessToken)))).emailVerified).toBe(false);
    const token = tokenFromMail(mailTo(account)[0]);

    expect((await verify(token)).status).toBe(204);

    const row = await t.pool.query('select email_verified_at from users where id = $1', [account.id]);
    expect(row.rows[0]?.email_verified_at).toBeInstanceOf(Date);
    expect(await userOf(me(t.app, bearer(session.accessToken)))).toMatchObject({
      id: account.id,
      emailVerified: true,
    });
    expect((await userOf(me(t.app, { cookie: `__Host-access=${cookies.access}` }))).emailVerified).toBe(true);
    const login = await loginWithTokens(t.app, account);
    expect(login.user?.emailVerified).toBe(true);
    await expectProblem(await verify(token), 400, 'invalid_token');
  });

  it('refuses unknown, malformed and expired tokens with 400 invalid_token', async () => {
    const short = await startApp({ EMAIL_VERIFY_TTL_SECONDS: '1' });
    try {
      const account = await registerAccount(short.app);
      const token = tokenFromMail(short.mail.find((mail) => mail.to === account.email));
      const key = storedKey(short.env.REDIS_KEY_PREFIX, token);
      // Redis expires the key after its 1 s TTL: wait for that, not for a fixed time.
      await pollUntil(async () => ((await raw.exists(key)) === 0 ? true : undefined), {
        timeoutMs: 10_000,
        what: 'the token key to expire',
      });

      await expectProblem(
        await send(short.app, '/auth/email/verify', jsonPost({ token })),
        400,
        'invalid_token',
      );
    } finally {
      await short.stop();
    }
    await expectProblem(await verify('A'.repeat(43)), 400, 'invalid_token');
    await expectProblem(await verify('not a token'), 400, 'invalid_token');
    await expectProblem(await send(t.app, '/auth/email/verify', jsonPost({})), 400, 'validation_failed');
  });

  it('resends a fresh link (202), throttles per user with Retry-After, and mails nothing once verified', async () => {
    const account = await registerAccount(t.app);
    const other = await registerAccount(t.app);
    const session = await loginWithTokens(t.app, account);
    const otherSession = await loginWithTokens(t.app, other);

    for (let i = 0; i < RESEND_LIMIT; i++) expect((await resend(session.accessToken)).status).toBe(202);
    const throttled = await resend(session.accessToken);
    await expectProblem(throttled, 429, 'rate_limited');
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(mailTo(account)).toHaveLength(1 + RESEND_LIMIT);
    const tokens = mailTo(account).map((mail) => tokenFromMail(mail));
    expect(new Set(tokens).size).toBe(tokens.length);

    // Another user's budget is their own; a verified address gets no mail but the same 202.
    expect((await verify(tokenFromMail(mailTo(other)[0]))).status).toBe(204);
    expect((await resend(otherSession.accessToken)).status).toBe(202);
    expect(mailTo(other)).toHaveLength(1);
    await expectProblem(
      await send(t.app, '/auth/email/verify/resend', { method: 'POST' }),
      401,
      'unauthenticated',
    );
  });

  it('checks cookie-authenticated resends for CSRF like every cookie POST', async () => {
    const account = await registerAccount(t.app);
    const cookies = await loginWithCookies(t.app, account);

    const res = await send(t.app, '/auth/email/verify/resend', {
      method: 'POST',
      headers: { cookie: `__Host-access=${cookies.access}`, 'sec-fetch-site': 'cross-site' },
    });

    await expectProblem(res, 403, 'csrf_rejected');
    expect(mailTo(account)).toHaveLength(1);
  });

  it('finds an unverified account by display name only; once verified, by its whole email too', async () => {
    const target = await registerAccount(t.app, { displayName: 'Quintessa Verifiable' });
    const seeker = await registerAccount(t.app);
    const { accessToken } = await loginWithTokens(t.app, seeker);
    const found = async (query: string) =>
      ((await (await search(accessToken, query)).json()) as { users: { id: string }[] }).users.map(
        (u) => u.id,
      );

    expect(await found(target.email)).toEqual([]);
    expect(await found('Quintessa Verif')).toContain(target.id);

    expect((await verify(tokenFromMail(mailTo(target)[0]))).status).toBe(204);

    expect(await found(target.email.toUpperCase())).toEqual([target.id]);
  });
});
