import { createHash, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetPointerKey, resetTokenKey } from '../../shared/adapters/redis/reset-token-store.js';
import type * as Wire from '../../shared/contract/wire.js';
import type { MailMessage } from '../../shared/domain/mail/ports.js';
import { MailNotSentError } from '../../shared/domain/mail/ports.js';
import {
  expectProblem,
  listRedisKeys,
  loginWithTokens,
  registerAccount,
  send,
  startApp,
  type TestApp,
} from '../support/auth-helpers.js';
import { pollUntil } from '../support/poll.js';
import { jsonPost, randomEmail } from '../support/test-env.js';

type Started = TestApp & { stop(): Promise<void> };

const NEW_PASSWORD = 'a brand new passphrase';
const digest = (token: string): string => createHash('sha256').update(token).digest('base64url');

let ipCounter = 0;
const freshIp = (): string => {
  ipCounter += 1;
  return `10.91.${(ipCounter >> 8) & 255}.${ipCounter & 255}`;
};

/** An app whose mail lands in `mail` (newest last). */
async function appWithMail(overrides: Record<string, string> = {}) {
  const t: Started = await startApp({ PASSWORD_RESET_MIN_RESPONSE_MS: '0', ...overrides });
  const mail: MailMessage[] = [];
  t.deps.mailer = { send: async (message) => void mail.push(message) };
  return { t, mail };
}

const tokenIn = (mail: MailMessage | undefined): string => {
  const link = /https?:\/\/\S+/.exec(mail?.text ?? '')?.[0] ?? '';
  const fragment = new URL(link).hash;
  return new URLSearchParams(fragment.slice(fragment.indexOf('?') + 1)).get('token') ?? '';
};

describe('password reset', () => {
  let t: Started;
  let mail: MailMessage[];

  beforeAll(async () => {
    ({ t, mail } = await appWithMail());
  });

  afterAll(async () => {
    await t?.stop();
  });

  const forgot = (email: string, ip = freshIp(), headers: Record<string, string> = {}) =>
    send(
      t.app,
      '/auth/password/forgot',
      jsonPost({ email } satisfies Wire.ForgotPasswordRequest, headers),
      ip,
    );
  const reset = (token: string, newPassword = NEW_PASSWORD, ip = freshIp()) =>
    send(
      t.app,
      '/auth/password/reset',
      jsonPost({ token, newPassword } satisfies Wire.ResetPasswordRequest),
      ip,
    );
  const mailedToken = async (email: string): Promise<string> => {
    expect((await forgot(email)).status).toBe(202);
    return tokenIn(mail.filter((m) => m.to === email).at(-1));
  };

  it('mails a link, and the token sets the new password and ends every session', async () => {
    const account = await registerAccount(t.app, {}, freshIp());
    const session = await loginWithTokens(t.app, account, freshIp());

    const token = await mailedToken(account.email);
    const res = await reset(token);

    expect(res.status, await res.clone().text()).toBe(204);
    await expectProblem(
      await send(t.app, '/auth/refresh', jsonPost({ refreshToken: session.refreshToken }), freshIp()),
      401,
      'unauthenticated',
    );
    expect(
      (await send(t.app, '/me', { headers: { authorization: `Bearer ${session.accessToken}` } })).status,
    ).toBe(401);
    await expect(loginWithTokens(t.app, account, freshIp())).rejects.toThrow(/401/);
    await expect(
      loginWithTokens(t.app, { ...account, password: NEW_PASSWORD }, freshIp()),
    ).resolves.toBeTruthy();
  });

  it('accepts a token once: the second use is 400 invalid_token', async () => {
    const account = await registerAccount(t.app, {}, freshIp());
    const token = await mailedToken(account.email);

    expect((await reset(token)).status).toBe(204);
    await expectProblem(await reset(token, 'yet another passphrase'), 400, 'invalid_token');
  });

  it('lets exactly one of 20 concurrent resets with one token through', async () => {
    const account = await registerAccount(t.app, {}, freshIp());
    const token = await mailedToken(account.email);

    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => reset(token, `${NEW_PASSWORD} ${i}`)),
    );

    const statuses = answers.map((res) => res.status).sort();
    expect(statuses).toEqual([204, ...Array(19).fill(400)]);
    for (const res of answers.filter((r) => r.status === 400)) await expectProblem(res, 400, 'invalid_token');
  });

  it('only the newest mailed token works', async () => {
    const account = await registerAccount(t.app, {}, freshIp());
    const older = await mailedToken(account.email);
    const newer = await mailedToken(account.email);

    await expectProblem(await reset(older), 400, 'invalid_token');
    expect((await reset(newer)).status).toBe(204);
  });

  it('stores only the SHA-256 of the token: the token is in no key and no value', async () => {
    const account = await registerAccount(t.app, {}, freshIp());
    const token = await mailedToken(account.email);
    const prefix = t.env.REDIS_KEY_PREFIX;

    const keys = await listRedisKeys(t.env.REDIS_URL, prefix);
    const raw = new Redis(t.env.REDIS_URL);
    const values = await Promise.all(
      keys.map(async (key) =>
        (await raw.type(key)) === 'string' ? raw.get(key) : JSON.stringify(await raw.dump(key)),
      ),
    );
    const ttl = await raw.ttl(`${prefix}${resetTokenKey(digest(token))}`);
    const pointer = await raw.get(`${prefix}${resetPointerKey(account.id)}`);
    raw.disconnect();

    expect(keys).toContain(`${prefix}${resetTokenKey(digest(token))}`);
    expect(pointer).toBe(digest(token));
    expect(ttl).toBeGreaterThan(29 * 60);
    expect(ttl).toBeLessThanOrEqual(30 * 60);
    for (const text of [...keys, ...values]) expect(text ?? '').not.toContain(token);
  });

  it('answers 400 invalid_token for made-up tokens and 400 validation_failed for a weak password (token kept)', async () => {
    const account = await registerAccount(t.app, {}, freshIp());
    const token = await mailedToken(account.email);

    for (const madeUp of ['', 'abc', 'A'.repeat(43), digest(token)]) {
      await expectProblem(await reset(madeUp), 400, 'invalid_token');
    }
    await expectProblem(await reset(token, 'short'), 400, 'validation_failed');
    expect((await reset(token)).status).toBe(204);
  });

  it('answers an unknown and a known email identically (status, headers that matter, body) and mails only the account', async () => {
    const account = await registerAccount(t.app, {}, freshIp());
    const unknown = randomEmail();
    const before = mail.length;

    const [known, other] = [await forgot(account.email), await forgot(unknown)];

    const view = async (res: Response) => ({
      status: res.status,
      headers: [...res.headers].filter(([name]) => !['x-request-id', 'date'].includes(name)),
      body: await res.text(),
    });
    expect(await view(known)).toEqual(await view(other));
    expect(known.status).toBe(202);
    expect(mail.slice(before).map((m) => m.to)).toEqual([account.email]);
  });

  it('answers 202 even when the mail provider fails', async () => {
    const account = await registerAccount(t.app, {}, freshIp());
    const working = t.deps.mailer;
    t.deps.mailer = {
      send: async () => {
        throw new MailNotSentError(false);
      },
    };
    try {
      expect((await forgot(account.email)).status).toBe(202);
    } finally {
      t.deps.mailer = working;
    }
  });

  it('refuses a malformed email with 400, a cross-site request with 403 and a form post with 415', async () => {
    await expectProblem(await forgot('not an email'), 400, 'validation_failed');
    await expectProblem(
      await forgot(randomEmail(), freshIp(), {
        origin: 'https://evil.example',
        'sec-fetch-site': 'cross-site',
      }),
      403,
      'csrf_rejected',
    );
    const form = await send(
      t.app,
      '/auth/password/forgot',
      {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ email: randomEmail() }),
      },
      freshIp(),
    );
    await expectProblem(form, 415, 'unsupported_media_type');
  });
});

describe('password reset limits', () => {
  it('throttles forgot per email (any IP) and per IP (any email) with 429 + Retry-After', async () => {
    const { t } = await appWithMail({ PASSWORD_RESET_EMAIL_LIMIT: '2', PASSWORD_RESET_IP_LIMIT: '3' });
    try {
      const forgot = (email: string, ip: string) =>
        send(t.app, '/auth/password/forgot', jsonPost({ email }), ip);
      const email = randomEmail();
      expect((await forgot(email, '10.92.0.1')).status).toBe(202);
      expect((await forgot(email, '10.92.0.2')).status).toBe(202);
      const byEmail = await forgot(email, '10.92.0.3');
      await expectProblem(byEmail, 429, 'rate_limited');
      expect(Number(byEmail.headers.get('retry-after'))).toBeGreaterThan(0);

      for (let i = 0; i < 3; i++) expect((await forgot(randomEmail(), '10.92.1.1')).status).toBe(202);
      const byIp = await forgot(randomEmail(), '10.92.1.1');
      await expectProblem(byIp, 429, 'rate_limited');
      expect(Number(byIp.headers.get('retry-after'))).toBeGreaterThan(0);

      const keys = await listRedisKeys(t.env.REDIS_URL, t.env.REDIS_KEY_PREFIX);
      for (const key of keys) expect(key).not.toContain(email);
    } finally {
      await t.stop();
    }
  });

  it('refuses a token once its (shortened) lifetime has passed', async () => {
    const { t, mail } = await appWithMail({ PASSWORD_RESET_TTL_SECONDS: '1' });
    try {
      const account = await registerAccount(t.app, {}, freshIp());
      expect(
        (await send(t.app, '/auth/password/forgot', jsonPost({ email: account.email }), freshIp())).status,
      ).toBe(202);
      const token = tokenIn(mail.at(-1));
      const key = `${t.env.REDIS_KEY_PREFIX}${resetTokenKey(digest(token))}`;
      const raw = new Redis(t.env.REDIS_URL);
      await pollUntil(async () => ((await raw.exists(key)) === 0 ? true : undefined), {
        timeoutMs: 5_000,
        what: 'the reset token to expire',
      });
      raw.disconnect();

      await expectProblem(
        await send(t.app, '/auth/password/reset', jsonPost({ token, newPassword: NEW_PASSWORD }), freshIp()),
        400,
        'invalid_token',
      );
    } finally {
      await t.stop();
    }
  });

  it('pads every forgot answer to the configured floor, with or without an account', async () => {
    const { t } = await appWithMail({ PASSWORD_RESET_MIN_RESPONSE_MS: '300' });
    try {
      const account = await registerAccount(t.app, {}, freshIp());
      for (const email of [account.email, `nobody-${randomUUID()}@example.com`]) {
        const started = performance.now();
        const res = await send(t.app, '/auth/password/forgot', jsonPost({ email }), freshIp());
        expect(res.status).toBe(202);
        expect(performance.now() - started).toBeGreaterThanOrEqual(295);
      }
    } finally {
      await t.stop();
    }
  });
});
