import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Account,
  expectProblem,
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

const ACCOUNT_LIMIT = 3;
const IP_LIMIT = 5;
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

describe('login and registration throttling', () => {
  let t: Started;

  beforeAll(async () => {
    t = await startApp({
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

  describe('per account', () => {
    it('after LOGIN_ACCOUNT_LIMIT failures answers even the correct password with 429 and Retry-After', async () => {
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

      await expectProblem(right.clone(), 429, 'rate_limited');
      await expectProblem(wrong.clone(), 429, 'rate_limited');
      expectRetryAfter(right);
      const strip = async (res: Response) => {
        const { requestId: _id, ...rest } = (await res.json()) as Problem;
        return rest;
      };
      // Throttled, the right and the wrong password are indistinguishable: no password oracle.
      expect(await strip(right)).toEqual(await strip(wrong));
      expect([...right.headers.keys()].sort()).toEqual([...wrong.headers.keys()].sort());
      expect(right.headers.get('retry-after')).toBe(wrong.headers.get('retry-after'));
    });

    it('counts failures per canonical email, whatever its spelling', async () => {
      const account = await newAccount();
      const spellings = [account.email.toUpperCase(), `  ${account.email}`, `${account.email} `];

      for (const email of spellings) {
        await expectProblem(await login(email, 'wrong-password-1', freshIp()), 401, 'invalid_credentials');
      }

      await expectProblem(await login(account.email, account.password, freshIp()), 429, 'rate_limited');
    });

    it('resets the account counter after a successful login', async () => {
      const account = await newAccount();
      for (let i = 0; i < ACCOUNT_LIMIT - 1; i++) {
        expect((await login(account.email, 'wrong-password-1', freshIp())).status).toBe(401);
      }
      expect((await login(account.email, account.password, freshIp())).status).toBe(200);

      for (let i = 0; i < ACCOUNT_LIMIT - 1; i++) {
        expect((await login(account.email, 'wrong-password-1', freshIp())).status).toBe(401);
      }
      expect((await login(account.email, account.password, freshIp())).status).toBe(200);
    });

    it('throttles unknown emails too, so the 429 does not reveal which accounts exist', async () => {
      const email = randomEmail();
      for (let i = 0; i < ACCOUNT_LIMIT; i++) {
        expect((await login(email, 'wrong-password-1', freshIp())).status).toBe(401);
      }

      await expectProblem(await login(email, 'wrong-password-1', freshIp()), 429, 'rate_limited');
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
