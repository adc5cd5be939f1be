import { randomUUID } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type Account,
  expectProblem,
  loginWithTokens,
  type Problem,
  parseSetCookies,
  registerAccount,
  STRONG_PASSWORD,
  send,
  startApp,
  type TestApp,
  type TokenSession,
  type UserBody,
} from '../support/auth-helpers.js';
import { jsonPost, randomEmail } from '../support/test-env.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('registration and login', () => {
  let t: TestApp & { stop(): Promise<void> };

  beforeAll(async () => {
    t = await startApp();
  });

  afterAll(async () => {
    await t?.stop();
  });

  const register = (body: unknown) => send(t.app, '/auth/register', jsonPost(body));
  const login = (body: unknown) => send(t.app, '/auth/login', jsonPost(body));
  const countUsers = async (email: string): Promise<number> => {
    const { rows } = await t.pool.query<{ n: number }>(
      'select count(*)::int as n from users where email = $1',
      [email],
    );
    return rows[0]?.n ?? -1;
  };

  describe('POST /auth/register', () => {
    it('answers 201 with only the public user fields', async () => {
      const email = randomEmail();
      const res = await register({ email, password: STRONG_PASSWORD, displayName: 'Ada Lovelace' });

      expect(res.status).toBe(201);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.headers.getSetCookie()).toEqual([]);
      const body = (await res.json()) as { user: UserBody };
      expect(Object.keys(body)).toEqual(['user']);
      expect(Object.keys(body.user).sort()).toEqual([
        'createdAt',
        'displayName',
        'email',
        'emailVerified',
        'id',
      ]);
      expect(body.user.emailVerified).toBe(false);
      expect(body.user).toMatchObject({ email, displayName: 'Ada Lovelace' });
      expect(body.user.id).toMatch(UUID);
      expect(Number.isNaN(Date.parse(body.user.createdAt))).toBe(false);
    });

    it('stores the email trimmed, lowercased and NFC-normalised', async () => {
      const local = `jose-${randomUUID().slice(0, 8)}`;
      const decomposed = `  ${local.toUpperCase()}E\u0301@Example.COM   `;
      const canonical = `${local}\u00e9@example.com`;

      const res = await register({ email: decomposed, password: STRONG_PASSWORD, displayName: 'José' });

      expect(res.status).toBe(201);
      expect(((await res.json()) as { user: UserBody }).user.email).toBe(canonical);
      expect(await countUsers(canonical)).toBe(1);
      const signedIn = await loginWithTokens(t.app, { email: canonical, password: STRONG_PASSWORD });
      expect(signedIn.user?.email).toBe(canonical);
    });

    it('rejects another spelling of an existing canonical email with 409 email_taken', async () => {
      const local = `dup-${randomUUID().slice(0, 8)}`;
      const canonical = `${local}\u00e9@example.com`;
      await registerAccount(t.app, { email: canonical });

      for (const variant of [
        canonical,
        canonical.toUpperCase(),
        `  ${canonical}  `,
        `${local}e\u0301@example.com`,
        `${local.toUpperCase()}E\u0301@EXAMPLE.com`,
      ]) {
        const res = await register({ email: variant, password: STRONG_PASSWORD, displayName: 'Dup' });
        await expectProblem(res, 409, 'email_taken');
      }
      expect(await countUsers(canonical)).toBe(1);
    });

    it('creates exactly one account when 20 registrations of one email race; each loser gets 409 or a retry', async () => {
      const email = randomEmail();
      const attempts = Array.from({ length: 20 }, (_, i) => ({
        email,
        password: STRONG_PASSWORD,
        displayName: `Racer ${i}`,
      }));

      const responses = await Promise.all(attempts.map((attempt) => register(attempt)));

      expect(responses.filter((res) => res.status === 201)).toHaveLength(1);
      expect(await countUsers(email)).toBe(1);
      // A loser is told the email is taken, or, when its insert could not get a pooled connection within
      // DATABASE_CONNECT_TIMEOUT_MS (20 requests share one connection here, as in a Lambda), to retry: a
      // 503 with Retry-After. Never a 500, never a second account.
      const retryable: number[] = [];
      for (const [i, res] of responses.entries()) {
        if (res.status === 201) continue;
        if (res.status === 503) {
          await expectProblem(res.clone(), 503, 'dependency_unavailable');
          expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
          retryable.push(i);
        } else {
          await expectProblem(res, 409, 'email_taken');
        }
      }
      for (const i of retryable) await expectProblem(await register(attempts[i]), 409, 'email_taken');
      expect(await countUsers(email)).toBe(1);
    });

    it.each([
      ['7 characters', 'abcdefg'],
      ['7 emoji (14 UTF-16 units, still 7 characters)', '😀'.repeat(7)],
      ['257 characters', 'x'.repeat(257)],
      ['far over the cap', 'x'.repeat(5_000)],
      ['a very common password', 'Password123'],
      ['a very common password in another case', 'P@SSW0RD'],
    ])('rejects a password of %s with 400', async (_label, password) => {
      const email = randomEmail();
      const res = await register({ email, password, displayName: 'Weak' });

      const problem = await expectProblem(res, 400, 'validation_failed');
      expect(JSON.stringify(problem)).not.toContain(password);
      expect(await countUsers(email)).toBe(0);
    });

    it.each([
      ['exactly 8 characters', 'kq8#vz2m'],
      ['64 characters', 'k'.repeat(32) + 'Q'.repeat(32)],
      ['256 characters', 'z9'.repeat(128)],
      ['256 emoji (512 UTF-16 units)', '🦄'.repeat(256)],
      ['emoji', '🔐🦄🌈🍕🚀🎉🐙🧩'],
      ['Cyrillic', 'пароль-надёжный'],
      ['Chinese', '这是一个很长的密码短语'],
      ['Arabic', 'كلمة-مرور-طويلة'],
      ['spaces', '   spaced out words   '],
      ['a NUL byte', 'nul\u0000inside-password'],
    ])('accepts a password of %s and logs in with it', async (_label, password) => {
      const account = await registerAccount(t.app, { password });

      const signedIn = await loginWithTokens(t.app, account);

      expect(signedIn.user?.id).toBe(account.id);
    });

    it.each([
      ['a number', { password: 12345678 }],
      ['null', { password: null }],
      ['an array', { password: ['correct', 'horse'] }],
      ['an object', { password: { toString: 'x' } }],
      ['a boolean', { password: true }],
      ['missing', { password: undefined }],
      ['a numeric email', { email: 42 }],
      ['an object displayName', { displayName: { first: 'A' } }],
    ])('answers 400 (never 500) when the password or another field is %s', async (_label, patch) => {
      const body = { email: randomEmail(), password: STRONG_PASSWORD, displayName: 'Typed', ...patch };

      const res = await register(body);

      await expectProblem(res, 400, 'validation_failed');
    });

    it.each([
      ['U+3164 HANGUL FILLER', '\u3164'],
      ['U+2800 BRAILLE PATTERN BLANK', '\u2800'],
      ['U+00AD SOFT HYPHEN', '\u00ad'],
      ['U+034F COMBINING GRAPHEME JOINER', '\u034f'],
      ['U+115F U+1160 Hangul fillers', '\u115f\u1160'],
      ['U+FFA0 HALFWIDTH HANGUL FILLER', '\uffa0'],
      ['tag characters', '\u{e0041}\u{e0064}\u{e007f}'],
      ['a name hidden behind fillers', 'Ada\u3164\u3164'],
      ['only combining marks', '\u0301\u0301'],
    ])('refuses an invisible display name (%s) with 400 and creates nothing', async (_label, displayName) => {
      const email = randomEmail();

      const res = await register({ email, password: STRONG_PASSWORD, displayName });

      const problem = await expectProblem(res, 400, 'validation_failed');
      expect(problem.errors?.[0]?.path).toBe('displayName');
      expect(await countUsers(email)).toBe(0);
    });

    it('keeps an emoji with its presentation selector in a display name (❤️)', async () => {
      const res = await register({
        email: randomEmail(),
        password: STRONG_PASSWORD,
        displayName: 'Ada \u2764\ufe0f',
      });

      expect(res.status).toBe(201);
      expect(((await res.json()) as { user: UserBody }).user.displayName).toBe('Ada \u2764\ufe0f');
    });

    it.each([
      ['a soft hyphen U+00AD', (email: string) => `\u00ad${email}`],
      ['a soft hyphen in the domain', (email: string) => email.replace('example', 'exam\u00adple')],
      ['a tag character', (email: string) => `${email}\u{e0041}`],
    ])('refuses an email with %s, so no look-alike account is created', async (_label, spoil) => {
      const email = randomEmail();

      const res = await register({ email: spoil(email), password: STRONG_PASSWORD, displayName: 'Spoof' });

      await expectProblem(res, 400, 'validation_failed');
      expect(await countUsers(email)).toBe(0);
    });

    it.each([
      ['8 spaces', ' '.repeat(8)],
      ['ideographic spaces', '\u3000'.repeat(8)],
      ['tabs and newlines', '\t\n'.repeat(4)],
    ])('refuses a password of only whitespace (%s) with 400', async (_label, password) => {
      const email = randomEmail();

      const res = await register({ email, password, displayName: 'Blank' });

      const problem = await expectProblem(res, 400, 'validation_failed');
      expect(problem.errors?.[0]?.path).toBe('password');
      expect(await countUsers(email)).toBe(0);
    });

    it.each([
      ['a non-string password', { password: 12345678 }],
      ['a null password', { password: null }],
      ['an array email', { email: ['a@example.com'] }],
      ['an unknown transport', { transport: 'carrier-pigeon' }],
    ])('login answers 400 (never 500) for %s', async (_label, patch) => {
      const res = await login({ email: randomEmail(), password: STRONG_PASSWORD, ...patch });

      await expectProblem(res, 400, 'validation_failed');
    });
  });

  describe('POST /auth/login', () => {
    let account: Account;

    beforeAll(async () => {
      account = await registerAccount(t.app);
    });

    it('never truncates at bcrypt’s 72 bytes: a72+X and a72+Y are different passwords', async () => {
      const registered = await registerAccount(t.app, { password: `${'a'.repeat(72)}X` });

      const wrong = await login({
        email: registered.email,
        password: `${'a'.repeat(72)}Y`,
        transport: 'token',
      });
      const right = await login({
        email: registered.email,
        password: `${'a'.repeat(72)}X`,
        transport: 'token',
      });

      await expectProblem(wrong, 401, 'invalid_credentials');
      expect(right.status).toBe(200);
    });

    it('never truncates multi-byte passwords either (36 × "é" is 72 bytes)', async () => {
      const registered = await registerAccount(t.app, { password: `${'é'.repeat(36)}1` });

      const wrong = await login({
        email: registered.email,
        password: `${'é'.repeat(36)}2`,
        transport: 'token',
      });

      await expectProblem(wrong, 401, 'invalid_credentials');
    });

    it('accepts the NFD spelling of an NFC password and vice versa', async () => {
      const nfc = 'Cr\u00e8me br\u00fbl\u00e9e au caf\u00e9';
      const nfd = nfc.normalize('NFD');
      expect(nfd).not.toBe(nfc);
      const registeredNfc = await registerAccount(t.app, { password: nfc });
      const registeredNfd = await registerAccount(t.app, { password: nfd });

      const [a, b] = await Promise.all([
        login({ email: registeredNfc.email, password: nfd, transport: 'token' }),
        login({ email: registeredNfd.email, password: nfc, transport: 'token' }),
      ]);

      expect(a.status).toBe(200);
      expect(b.status).toBe(200);
    });

    it('looks the email up in canonical form', async () => {
      const res = await login({ email: `  ${account.email.toUpperCase()} `, password: account.password });

      expect(res.status).toBe(200);
    });

    it('gives an unknown email and a wrong password the identical 401 (status, body, header names)', async () => {
      const unknown = await login({ email: randomEmail(), password: account.password });
      const wrongPassword = await login({ email: account.email, password: `${account.password}!` });
      const overLong = await login({ email: account.email, password: 'x'.repeat(1_000) });

      for (const res of [unknown, wrongPassword, overLong]) {
        await expectProblem(res.clone(), 401, 'invalid_credentials');
        expect(res.headers.getSetCookie()).toEqual([]);
      }
      const bodyOf = async (res: Response) => {
        const { requestId: _ignored, ...rest } = (await res.json()) as Problem;
        return rest;
      };
      const reference = await bodyOf(unknown);
      expect(await bodyOf(wrongPassword)).toEqual(reference);
      expect(await bodyOf(overLong)).toEqual(reference);
      const headerNames = (res: Response) => [...res.headers.keys()].sort();
      expect(headerNames(wrongPassword)).toEqual(headerNames(unknown));
      expect(headerNames(overLong)).toEqual(headerNames(unknown));
      const headerValues = (res: Response) =>
        [...res.headers.entries()].filter(([name]) => name !== 'x-request-id').sort();
      expect(headerValues(wrongPassword)).toEqual(headerValues(unknown));
    });

    it('by default (cookie transport) sets hardened session cookies and returns no tokens', async () => {
      const res = await login({ email: account.email, password: account.password });

      expect(res.status).toBe(200);
      const body = (await res.json()) as Record<string, unknown>;
      expect(Object.keys(body).sort()).toEqual(['accessTokenExpiresAt', 'user']);
      const cookies = parseSetCookies(res);
      expect([...cookies.keys()].sort()).toEqual(['__Host-access', '__Secure-refresh']);

      const access = cookies.get('__Host-access');
      expect(access?.value).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      expect(access?.attributes.get('path')).toBe('/');
      expect(access?.attributes.has('domain')).toBe(false);
      expect(access?.attributes.has('httponly')).toBe(true);
      expect(access?.attributes.has('secure')).toBe(true);
      expect(access?.attributes.get('samesite')).toBe('Strict');
      const accessMaxAge = Number(access?.attributes.get('max-age'));
      expect(accessMaxAge).toBeGreaterThan(0);
      expect(accessMaxAge).toBeLessThanOrEqual(900);

      const refresh = cookies.get('__Secure-refresh');
      // Path=/auth, so the refresh cookie also reaches /auth/logout (which ends the session by it).
      expect(refresh?.attributes.get('path')).toBe('/auth');
      expect(refresh?.attributes.has('httponly')).toBe(true);
      expect(refresh?.attributes.has('secure')).toBe(true);
      expect(refresh?.attributes.get('samesite')).toBe('Strict');
      const refreshMaxAge = Number(refresh?.attributes.get('max-age'));
      expect(refreshMaxAge).toBeGreaterThan(900);
      expect(refreshMaxAge).toBeLessThanOrEqual(30 * 24 * 3600);

      const text = JSON.stringify(body);
      expect(text).not.toContain(access?.value);
      expect(text).not.toContain(refresh?.value);
      expect(res.headers.get('cache-control')).toBe('no-store');
    });

    it('with transport "token" returns both tokens in the body and sets no cookie', async () => {
      const res = await login({ email: account.email, password: account.password, transport: 'token' });

      expect(res.status).toBe(200);
      expect(res.headers.getSetCookie()).toEqual([]);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const body = (await res.json()) as TokenSession;
      expect(body.user?.id).toBe(account.id);
      expect(body.accessToken).not.toBe(body.refreshToken);
      const accessLeft = Date.parse(body.accessTokenExpiresAt) - Date.now();
      const refreshLeft = Date.parse(body.refreshTokenExpiresAt) - Date.now();
      expect(accessLeft).toBeGreaterThan(0);
      expect(accessLeft).toBeLessThanOrEqual(900_000);
      expect(refreshLeft).toBeGreaterThan(accessLeft);
      expect(refreshLeft).toBeLessThanOrEqual(30 * 24 * 3600 * 1000);
    });
  });
});

describe('login work for an unknown email', () => {
  let t: TestApp & { stop(): Promise<void> };

  beforeAll(async () => {
    t = await startApp({ BCRYPT_COST: '8' });
  });

  afterAll(async () => {
    await t?.stop();
  });

  /** The cost of every bcrypt comparison one login attempt runs (each is one full KDF run). */
  async function kdfRunsOf(email: string): Promise<number[]> {
    const compare = vi.spyOn(bcrypt, 'compare');
    try {
      const res = await send(t.app, '/auth/login', jsonPost({ email, password: 'not-the-password-1' }));
      await expectProblem(res, 401, 'invalid_credentials');
      return compare.mock.calls.map(([, hash]) => {
        // A full-length hash: bcryptjs answers a malformed one at once, without running the KDF.
        expect(String(hash)).toHaveLength(60);
        return bcrypt.getRounds(String(hash));
      });
    } finally {
      compare.mockRestore();
    }
  }

  // Same work, so the same time (SECURITY.md): counted rather than timed, which flakes on a loaded machine.
  it('runs the same KDF work for an unknown email as for a wrong password: one comparison at the configured cost', async () => {
    const account = await registerAccount(t.app);

    const wrongPassword = await kdfRunsOf(account.email);
    const unknownEmail = await kdfRunsOf(randomEmail());

    expect(wrongPassword).toEqual([8]);
    expect(unknownEmail).toEqual(wrongPassword);
  });
});
