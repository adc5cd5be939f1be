import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Account,
  expectProblem,
  listRedisKeys,
  type Problem,
  registerAccount,
  STRONG_PASSWORD,
  send,
  startApp,
  type TestApp,
} from '../support/auth-helpers.js';
import { pollUntil } from '../support/poll.js';
import { jsonPost, randomEmail } from '../support/test-env.js';

type Started = TestApp & { stop(): Promise<void> };

const ACCOUNT_IP_LIMIT = 3;
const ACCOUNT_LIMIT = 6;
const IP_LIMIT = 8;
const REGISTER_LIMIT = 4;
const WINDOW_SECONDS = 900;

let ipCounter = 0;
/** A fresh gateway source IP per call, so only the bucket under test fills up. */
const freshIp = (): string => {
  ipCounter += 1;
  return `10.${(ipCounter >> 16) & 255}.${(ipCounter >> 8) & 255}.${ipCounter & 255}`;
};

const expectRetryAfter = (res: Response, max = WINDOW_SECONDS) => {
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(max);
};

/** Throttled, the right and the wrong password must be indistinguishable: no password oracle. */
async function expectSameThrottle(right: Response, wrong: Response): Promise<void> {
  await expectProblem(right.clone(), 429, 'rate_limited');
  await expectProblem(wrong.clone(), 429, 'rate_limited');
  expectRetryAfter(right);
  const strip = async (res: Response) => {
    const { requestId: _id, ...rest } = (await res.json()) as Problem;
    return rest;
  };
  expect(await strip(right)).toEqual(await strip(wrong));
  expect([...right.headers.keys()].sort()).toEqual([...wrong.headers.keys()].sort());
  expect(right.headers.get('retry-after')).toBe(wrong.headers.get('retry-after'));
}

describe('login and registration throttling', () => {
  let t: Started;

  beforeAll(async () => {
    t = await startApp({
      LOGIN_ACCOUNT_IP_LIMIT: String(ACCOUNT_IP_LIMIT),
      LOGIN_ACCOUNT_LIMIT: String(ACCOUNT_LIMIT),
      LOGIN_IP_LIMIT: String(IP_LIMIT),
      LOGIN_WINDOW_SECONDS: String(WINDOW_SECONDS),
      REGISTER_IP_LIMIT: String(REGISTER_LIMIT),
    });
  });

  afterAll(async () => {
    await t?.stop();
  });

  const login = (email: string, password: string, ip: string, headers: Record<string, string> = {}) =>
    send(t.app, '/auth/login', jsonPost({ email, password, transport: 'token' }, headers), ip);

  const newAccount = (): Promise<Account> => registerAccount(t.app, {}, freshIp());

  /** Every raw Redis key of this suite's app. */
  const redisKeys = () => listRedisKeys(t.env.REDIS_URL, t.env.REDIS_KEY_PREFIX);

  describe('per account and source IP (lockout-resistant)', () => {
    it('slows an attacker guessing from one IP (429 + Retry-After, even for the right password) while the owner signs in from another', async () => {
      const account = await newAccount();
      const attacker = freshIp();
      for (let i = 0; i < ACCOUNT_IP_LIMIT; i++) {
        await expectProblem(
          await login(account.email, 'wrong-password-1', attacker),
          401,
          'invalid_credentials',
        );
      }

      const right = await login(account.email, account.password, attacker);
      const wrong = await login(account.email, 'wrong-password-1', attacker);
      const owner = await login(account.email, account.password, freshIp());

      await expectSameThrottle(right, wrong);
      expect(owner.status, await owner.clone().text()).toBe(200);
    });

    it('does not count attempts refused per (account, IP) toward the account-wide ceiling', async () => {
      const account = await newAccount();
      const attacker = freshIp();
      const statuses: number[] = [];
      for (let i = 0; i < IP_LIMIT; i++) {
        statuses.push((await login(account.email, 'wrong-password-1', attacker)).status);
      }

      const owner = await login(account.email, account.password, freshIp());

      expect(IP_LIMIT).toBeGreaterThan(ACCOUNT_LIMIT);
      expect(statuses).toEqual([
        ...Array(ACCOUNT_IP_LIMIT).fill(401),
        ...Array(IP_LIMIT - ACCOUNT_IP_LIMIT).fill(429),
      ]);
      expect(owner.status, await owner.clone().text()).toBe(200);
    });

    it('after LOGIN_ACCOUNT_LIMIT failures from many IPs answers every IP, even the right password, with 429', async () => {
      const account = await newAccount();
      for (let i = 0; i < ACCOUNT_LIMIT; i++) {
        await expectProblem(
          await login(account.email, 'wrong-password-1', freshIp()),
          401,
          'invalid_credentials',
        );
      }

      const right = await login(account.email, account.password, freshIp());
      const wrong = await login(account.email, 'wrong-password-1', freshIp());

      await expectSameThrottle(right, wrong);
    });

    it('counts failures per canonical email, whatever its spelling', async () => {
      const account = await newAccount();
      const ip = freshIp();
      const spellings = [account.email.toUpperCase(), `  ${account.email}`, `${account.email} `];

      for (const email of spellings) {
        await expectProblem(await login(email, 'wrong-password-1', ip), 401, 'invalid_credentials');
      }

      await expectProblem(await login(account.email, account.password, ip), 429, 'rate_limited');
    });

    it('resets the (account, IP) counter after a successful login from that IP', async () => {
      const account = await newAccount();
      const ip = freshIp();
      for (let i = 0; i < ACCOUNT_IP_LIMIT - 1; i++) {
        expect((await login(account.email, 'wrong-password-1', ip)).status).toBe(401);
      }
      expect((await login(account.email, account.password, ip)).status).toBe(200);

      for (let i = 0; i < ACCOUNT_IP_LIMIT - 1; i++) {
        expect((await login(account.email, 'wrong-password-1', ip)).status).toBe(401);
      }
      expect((await login(account.email, account.password, ip)).status).toBe(200);
    });

    it('throttles unknown emails too, so the 429 does not reveal which accounts exist', async () => {
      const email = randomEmail();
      const ip = freshIp();
      for (let i = 0; i < ACCOUNT_IP_LIMIT; i++) {
        expect((await login(email, 'wrong-password-1', ip)).status).toBe(401);
      }

      await expectProblem(await login(email, 'wrong-password-1', ip), 429, 'rate_limited');
    });
  });

  describe('limiter keys', () => {
    it('writes no new key for logins from an IP already over its limit, however many new emails it tries', async () => {
      const ip = freshIp();
      for (let i = 0; i < IP_LIMIT; i++) await login(randomEmail(), 'wrong-password-1', ip);
      const before = await redisKeys();

      const responses = await Promise.all(
        Array.from({ length: 50 }, () => login(randomEmail(), 'wrong-password-1', ip)),
      );

      expect(responses.map((res) => res.status)).toEqual(Array(50).fill(429));
      expect((await redisKeys()).sort()).toEqual(before.sort());
    });

    it('writes no key for a malformed email and answers 400 validation_failed', async () => {
      const ip = freshIp();
      const before = await redisKeys();

      const malformed = await login('not-an-email', 'wrong-password-1', ip);
      const invisible = await login(`a\u00ad${randomEmail()}`, 'wrong-password-1', ip);

      await expectProblem(malformed, 400, 'validation_failed');
      await expectProblem(invisible, 400, 'validation_failed');
      expect((await redisKeys()).sort()).toEqual(before.sort());
    });

    it('never puts an email (or its local part) in a key name, only a hash', async () => {
      const account = await newAccount();
      await login(account.email, 'wrong-password-1', freshIp());
      await login(account.email, account.password, freshIp());

      const keys = await redisKeys();
      const local = account.email.slice(0, account.email.indexOf('@'));
      const hash = createHash('sha256').update(account.email).digest('base64url');
      expect(keys.some((key) => key.includes(hash))).toBe(true);
      for (const key of keys) {
        expect(key).not.toContain('@');
        expect(key).not.toContain(local);
      }
    });
  });

  describe('per source IP', () => {
    it('keys on the gateway source IP and ignores X-Forwarded-For', async () => {
      const ip = freshIp();
      for (let i = 0; i < IP_LIMIT; i++) {
        const res = await login(randomEmail(), 'wrong-password-1', ip, {
          'x-forwarded-for': `192.0.2.${i + 1}`,
        });
        expect(res.status).toBe(401);
      }

      const spoofed = await login(randomEmail(), 'wrong-password-1', ip, {
        'x-forwarded-for': '192.0.2.200',
        'x-real-ip': '192.0.2.201',
        forwarded: 'for=192.0.2.202',
      });
      const otherSource = await login(randomEmail(), 'wrong-password-1', freshIp(), {
        'x-forwarded-for': '192.0.2.1',
      });

      await expectProblem(spoofed.clone(), 429, 'rate_limited');
      expectRetryAfter(spoofed);
      await expectProblem(otherSource, 401, 'invalid_credentials');
    });

    it('admits exactly LOGIN_IP_LIMIT of LOGIN_IP_LIMIT + 5 simultaneous attempts', async () => {
      const ip = freshIp();

      const responses = await Promise.all(
        Array.from({ length: IP_LIMIT + 5 }, () => login(randomEmail(), 'wrong-password-1', ip)),
      );

      const statuses = responses.map((res) => res.status);
      expect(statuses.filter((status) => status !== 429)).toHaveLength(IP_LIMIT);
      expect(statuses.filter((status) => status === 429)).toHaveLength(5);
      expect(statuses.filter((status) => status !== 429 && status !== 401)).toEqual([]);
    });

    it('limits registrations per source IP (ignoring X-Forwarded-For) with 429 and Retry-After', async () => {
      const ip = freshIp();
      const register = (xff: string) =>
        send(
          t.app,
          '/auth/register',
          jsonPost(
            { email: randomEmail(), password: STRONG_PASSWORD, displayName: 'Bulk' },
            { 'x-forwarded-for': xff },
          ),
          ip,
        );
      for (let i = 0; i < REGISTER_LIMIT; i++) expect((await register(`192.0.2.${i + 1}`)).status).toBe(201);

      const blocked = await register('192.0.2.99');
      const elsewhere = await send(
        t.app,
        '/auth/register',
        jsonPost({ email: randomEmail(), password: STRONG_PASSWORD, displayName: 'Ok' }),
        freshIp(),
      );

      await expectProblem(blocked.clone(), 429, 'rate_limited');
      expectRetryAfter(blocked, 3600);
      expect(elsewhere.status).toBe(201);
    });
  });
});

describe('throttle window', () => {
  let t: Started;

  beforeAll(async () => {
    t = await startApp({ LOGIN_ACCOUNT_LIMIT: '1', LOGIN_WINDOW_SECONDS: '1' });
  });

  afterAll(async () => {
    await t?.stop();
  });

  it('lifts the account throttle once the window has passed', async () => {
    const account = await registerAccount(t.app);
    const attempt = (password: string) =>
      send(t.app, '/auth/login', jsonPost({ email: account.email, password }), freshIp());
    expect((await attempt('wrong-password-1')).status).toBe(401);
    const throttled = await attempt(account.password);
    await expectProblem(throttled.clone(), 429, 'rate_limited');
    expect(throttled.headers.get('retry-after')).toBe('1');

    const admitted = await pollUntil(
      async () => {
        const res = await attempt(account.password);
        return res.status === 200 ? res : undefined;
      },
      { timeoutMs: 5_000, intervalMs: 250, what: 'the login window to expire' },
    );

    expect(admitted.status).toBe(200);
  });
});
