import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionKey } from '../../shared/adapters/redis/keys.js';
import type { ErrorCode } from '../../shared/contract/wire.js';
import {
  type Account,
  bearer,
  DEFAULT_IP,
  expectProblem,
  loginWithCookies,
  loginWithTokens,
  me,
  type Problem,
  parseSetCookies,
  registerAccount,
  STRONG_PASSWORD,
  send,
  sessionIdOf,
  startApp,
  type TestApp,
  type UserBody,
} from '../support/auth-helpers.js';
import { jsonPost, randomEmail } from '../support/test-env.js';

type Started = TestApp & { stop(): Promise<void> };

const ALLOWED = 'https://app.example.test';
const MAX_BODY_BYTES = 2_048;

const rawPost = (
  body: NonNullable<RequestInit['body']>,
  headers: Record<string, string> = {},
): RequestInit => ({
  method: 'POST',
  headers,
  body,
});

const CROSS_SITE: [string, Record<string, string>][] = [
  ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
  ['Sec-Fetch-Site: same-site', { 'sec-fetch-site': 'same-site' }],
  ['Origin: https://evil.example', { origin: 'https://evil.example' }],
  ['Origin: null', { origin: 'null' }],
  ['cross-site with a forged Host match', { origin: 'https://evil.example', host: 'evil.example.net' }],
  ['a look-alike of the allowed origin', { origin: `${ALLOWED}.evil.example` }],
  ['the allowed host over plain http', { origin: ALLOWED.replace('https:', 'http:') }],
  [
    'Origin evil with Sec-Fetch-Site cross-site',
    { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
  ],
];

describe('CSRF, content types, limits and hostile input', () => {
  let t: Started;
  let account: Account;

  beforeAll(async () => {
    t = await startApp({
      ALLOWED_ORIGINS: `${ALLOWED}, https://other.example.test`,
      MAX_BODY_BYTES: String(MAX_BODY_BYTES),
    });
    account = await registerAccount(t.app);
  });

  afterAll(async () => {
    await t?.stop();
  });

  const sessionCount = async (accessToken: string): Promise<number> => {
    const res = await send(t.app, '/auth/sessions', { headers: bearer(accessToken) });
    expect(res.status).toBe(200);
    return ((await res.json()) as { sessions: unknown[] }).sessions.length;
  };

  /** The refresh id the store currently accepts for this session (changes on every rotation). */
  const storedRefreshId = (accessToken: string): Promise<string | null> => {
    const claims = decodeJwt(accessToken);
    return t.redis.hget(sessionKey(String(claims.sub), sessionIdOf(accessToken)), 'rid');
  };

  describe('cross-site unsafe requests', () => {
    it.each(CROSS_SITE)('login with %s → 403 csrf_rejected and no session', async (_label, headers) => {
      const observer = await loginWithTokens(t.app, account);
      const before = await sessionCount(observer.accessToken);

      const res = await send(
        t.app,
        '/auth/login',
        jsonPost({ email: account.email, password: account.password, transport: 'token' }, headers),
      );

      await expectProblem(res.clone(), 403, 'csrf_rejected');
      expect(res.headers.getSetCookie()).toEqual([]);
      expect(await sessionCount(observer.accessToken)).toBe(before);
    });

    it.each(CROSS_SITE)(
      'refresh with %s → 403 and the refresh token is not rotated',
      async (_label, headers) => {
        const login = await loginWithCookies(t.app, account);
        const ridBefore = await storedRefreshId(login.access);
        expect(ridBefore).toBe(decodeJwt(login.refresh).jti);

        const res = await send(t.app, '/auth/refresh', {
          method: 'POST',
          headers: { cookie: `__Secure-refresh=${login.refresh}`, ...headers },
        });

        await expectProblem(res.clone(), 403, 'csrf_rejected');
        expect(res.headers.getSetCookie()).toEqual([]);
        expect(await storedRefreshId(login.access)).toBe(ridBefore);
      },
    );

    it.each(CROSS_SITE)('logout with %s → 403 and the session stays valid', async (_label, headers) => {
      const login = await loginWithCookies(t.app, account);
      const cookie = `__Host-access=${login.access}`;

      const res = await send(t.app, '/auth/logout', { method: 'POST', headers: { cookie, ...headers } });

      await expectProblem(res.clone(), 403, 'csrf_rejected');
      expect(res.headers.getSetCookie()).toEqual([]);
      expect((await me(t.app, { cookie })).status).toBe(200);
    });

    it('logout-all, session revocation and registration are CSRF-checked too', async () => {
      const login = await loginWithCookies(t.app, account);
      const cookie = `__Host-access=${login.access}`;
      const evil = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' };
      const email = randomEmail();

      const logoutAll = await send(t.app, '/auth/logout-all', {
        method: 'POST',
        headers: { cookie, ...evil },
      });
      const revoke = await send(t.app, `/auth/sessions/${sessionIdOf(login.access)}`, {
        method: 'DELETE',
        headers: { cookie, ...evil },
      });
      const register = await send(
        t.app,
        '/auth/register',
        jsonPost({ email, password: STRONG_PASSWORD, displayName: 'X' }, evil),
      );

      await expectProblem(logoutAll, 403, 'csrf_rejected');
      await expectProblem(revoke, 403, 'csrf_rejected');
      await expectProblem(register, 403, 'csrf_rejected');
      expect((await me(t.app, { cookie })).status).toBe(200);
      const { rows } = await t.pool.query('select 1 from users where email = $1', [email]);
      expect(rows).toHaveLength(0);
    });

    it.each([
      [
        'Sec-Fetch-Site: same-origin',
        { 'sec-fetch-site': 'same-origin', origin: 'https://api.example.test' },
      ],
      ['Sec-Fetch-Site: none (typed by the user)', { 'sec-fetch-site': 'none' }],
      ['an Origin matching the Host', { origin: 'https://api.example.test', host: 'api.example.test' }],
      ['an allowlisted Origin', { origin: ALLOWED, 'sec-fetch-site': 'same-site' }],
      [
        'the second allowlisted Origin',
        { origin: 'https://other.example.test', 'sec-fetch-site': 'cross-site' },
      ],
      ['neither header (non-browser client)', {}],
    ])('lets %s through', async (_label, headers) => {
      const login = await send(
        t.app,
        '/auth/login',
        jsonPost({ email: account.email, password: account.password }, headers),
      );
      expect(login.status, await login.clone().text()).toBe(200);
      const cookies = parseSetCookies(login);
      const access = `__Host-access=${cookies.get('__Host-access')?.value}`;
      const refresh = `__Secure-refresh=${cookies.get('__Secure-refresh')?.value}`;

      const refreshed = await send(t.app, '/auth/refresh', {
        method: 'POST',
        headers: { cookie: String(refresh), ...headers },
      });
      const logout = await send(t.app, '/auth/logout', {
        method: 'POST',
        headers: { cookie: String(access), ...headers },
      });

      expect(refreshed.status).toBe(200);
      expect(logout.status).toBe(204);
    });

    it('does not block safe methods (GET) from other sites', async () => {
      const login = await loginWithCookies(t.app, account);

      const res = await me(t.app, {
        cookie: `__Host-access=${login.access}`,
        'sec-fetch-site': 'cross-site',
        origin: 'https://evil.example',
      });

      expect(res.status).toBe(200);
    });
  });

  describe('content types', () => {
    const loginJson = () =>
      JSON.stringify({ email: account.email, password: account.password, transport: 'token' });

    it.each([
      'text/plain',
      'text/plain;charset=UTF-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=xyz',
      'application/vnd.x+json',
      'application/json-patch+json',
      'text/json',
      'application/jsonx',
    ])('answers a body sent as %s with 415 and does not log in', async (contentType) => {
      const res = await send(t.app, '/auth/login', rawPost(loginJson(), { 'content-type': contentType }));

      const problem = await expectProblem(res.clone(), 415, 'unsupported_media_type');
      expect(JSON.stringify(problem)).not.toContain('accessToken');
      expect(res.headers.getSetCookie()).toEqual([]);
    });

    it('answers a body without any content type with 415', async () => {
      const init = rawPost(new TextEncoder().encode(loginJson()));
      expect(new Request('http://x/', init).headers.get('content-type')).toBeNull();

      await expectProblem(await send(t.app, '/auth/login', init), 415, 'unsupported_media_type');
      await expectProblem(
        await send(t.app, '/auth/register', rawPost(new TextEncoder().encode('{}'))),
        415,
        'unsupported_media_type',
      );
    });

    it.each(['application/json; charset=utf-8', 'Application/JSON'])('accepts %s', async (contentType) => {
      const res = await send(t.app, '/auth/login', rawPost(loginJson(), { 'content-type': contentType }));

      expect(res.status).toBe(200);
    });
  });

  describe('malformed and oversized bodies', () => {
    it.each(['{"email":', '{email: "a@b.c"}', "{'a':1}", 'nul\u0000l', '', '{"a":1}}'])(
      'answers malformed JSON %j with 400 malformed_json',
      async (body) => {
        const res = await send(t.app, '/auth/login', rawPost(body, { 'content-type': 'application/json' }));

        await expectProblem(res, 400, 'malformed_json');
      },
    );

    it.each(['[]', '"text"', 'null', '42', '{}'])(
      'answers the JSON value %s with 400 validation_failed',
      async (body) => {
        const res = await send(
          t.app,
          '/auth/register',
          rawPost(body, { 'content-type': 'application/json' }),
        );

        await expectProblem(res, 400, 'validation_failed');
      },
    );

    it('answers a body over MAX_BODY_BYTES with 413', async () => {
      const body = JSON.stringify({
        email: randomEmail(),
        password: STRONG_PASSWORD,
        displayName: 'x'.repeat(MAX_BODY_BYTES),
      });

      const res = await send(t.app, '/auth/register', jsonPost(JSON.parse(body)));

      await expectProblem(res, 413, 'payload_too_large');
    });

    it('accepts a body just under MAX_BODY_BYTES', async () => {
      const base = JSON.stringify({
        email: account.email,
        password: account.password,
        transport: 'token',
        pad: '',
      });
      const pad = 'p'.repeat(MAX_BODY_BYTES - Buffer.byteLength(base));
      const body = JSON.stringify({
        email: account.email,
        password: account.password,
        transport: 'token',
        pad,
      });
      expect(Buffer.byteLength(body)).toBe(MAX_BODY_BYTES);

      const res = await send(t.app, '/auth/login', rawPost(body, { 'content-type': 'application/json' }));

      expect(res.status).toBe(200);
    });

    const streamOf = (text: string, chunkSize = 512) => {
      const bytes = new TextEncoder().encode(text);
      let offset = 0;
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          if (offset >= bytes.length) {
            controller.close();
            return;
          }
          controller.enqueue(bytes.slice(offset, offset + chunkSize));
          offset += chunkSize;
        },
      });
    };

    it('answers a streamed (chunked, no Content-Length) body over the limit with 413', async () => {
      const body = JSON.stringify({ email: account.email, password: 'x'.repeat(MAX_BODY_BYTES * 4) });
      const init = {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: streamOf(body),
        duplex: 'half',
      } as RequestInit;
      expect(new Request('http://x/', init).headers.get('content-length')).toBeNull();

      const res = await send(t.app, '/auth/login', init);

      await expectProblem(res, 413, 'payload_too_large');
    });

    it('accepts a small streamed body', async () => {
      const body = JSON.stringify({ email: account.email, password: account.password, transport: 'token' });
      const init = {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: streamOf(body, 16),
        duplex: 'half',
      } as RequestInit;

      const res = await send(t.app, '/auth/login', init);

      expect(res.status).toBe(200);
    });
  });

  describe('control, invisible and bidi characters', () => {
    const hostile: [string, string][] = [
      ['NUL', '\u0000'],
      ['BEL', '\u0007'],
      ['ESC', '\u001b'],
      ['DEL', '\u007f'],
      ['NEL (C1)', '\u0085'],
      ['zero-width space', '\u200b'],
      ['right-to-left override', '\u202e'],
      ['left-to-right isolate', '\u2066'],
      ['byte-order mark', '\ufeff'],
      ['a lone surrogate', '\ud800'],
      ['a newline', '\n'],
    ];

    it.each(hostile)('rejects %s in the email with 400 on register and login', async (_label, char) => {
      const email = `a${char}b-${randomUUID().slice(0, 8)}@example.com`;

      const register = await send(
        t.app,
        '/auth/register',
        jsonPost({ email, password: STRONG_PASSWORD, displayName: 'Ctl' }),
      );
      const login = await send(t.app, '/auth/login', jsonPost({ email, password: STRONG_PASSWORD }));

      await expectProblem(register, 400, 'validation_failed');
      await expectProblem(login, 400, 'validation_failed');
    });

    it.each(hostile)('rejects %s in the display name with 400', async (_label, char) => {
      const email = randomEmail();

      const res = await send(
        t.app,
        '/auth/register',
        jsonPost({ email, password: STRONG_PASSWORD, displayName: `Mallory${char}Admin` }),
      );

      await expectProblem(res, 400, 'validation_failed');
      const { rows } = await t.pool.query('select 1 from users where email = $1', [email]);
      expect(rows).toHaveLength(0);
    });

    it.each([
      ['blank', '   '],
      ['empty', ''],
      ['65 characters', 'n'.repeat(65)],
    ])('rejects a %s display name with 400', async (_label, displayName) => {
      const res = await send(
        t.app,
        '/auth/register',
        jsonPost({ email: randomEmail(), password: STRONG_PASSWORD, displayName }),
      );

      await expectProblem(res, 400, 'validation_failed');
    });

    it.each([
      ['no @', 'not-an-email'],
      ['two @', 'a@b@example.com'],
      ['no domain dot', 'a@localhost'],
      ['spaces inside', 'a b@example.com'],
      ['too long', `${'l'.repeat(65)}@example.com`],
    ])('rejects an implausible email (%s) with 400', async (_label, email) => {
      const res = await send(
        t.app,
        '/auth/register',
        jsonPost({ email, password: STRONG_PASSWORD, displayName: 'E' }),
      );

      await expectProblem(res, 400, 'validation_failed');
    });
  });

  describe('hostile payloads', () => {
    it('ignores __proto__ and constructor keys without polluting prototypes', async () => {
      const email = randomEmail();
      const body = `{"__proto__":{"polluted":"yes","isAdmin":true},"constructor":{"prototype":{"polluted":"yes"}},"email":${JSON.stringify(email)},"password":${JSON.stringify(STRONG_PASSWORD)},"displayName":"Proto"}`;

      const res = await send(t.app, '/auth/register', rawPost(body, { 'content-type': 'application/json' }));

      expect(res.status).toBe(201);
      const { user } = (await res.json()) as { user: UserBody & Record<string, unknown> };
      expect(user).not.toHaveProperty('polluted');
      expect(user).not.toHaveProperty('isAdmin');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty('polluted');
    });

    it('does not take the login transport from an inherited __proto__ property', async () => {
      const body = `{"__proto__":{"transport":"token"},"email":${JSON.stringify(account.email)},"password":${JSON.stringify(account.password)}}`;

      const res = await send(t.app, '/auth/login', rawPost(body, { 'content-type': 'application/json' }));

      expect(res.status).toBe(200);
      const json = (await res.json()) as Record<string, unknown>;
      expect(json).not.toHaveProperty('accessToken');
      expect(json).not.toHaveProperty('refreshToken');
    });

    it('stores SQL-looking text verbatim', async () => {
      const displayName = `Robert'); DROP TABLE users;-- %_\\`;
      const email = `o'brien+${randomUUID().slice(0, 8)}@example.com`;

      const created = await registerAccount(t.app, { email, displayName });
      const tokens = await loginWithTokens(t.app, created);
      const res = await me(t.app, bearer(tokens.accessToken));

      expect(((await res.json()) as { user: UserBody }).user).toMatchObject({ email, displayName });
      const { rows } = await t.pool.query<{ n: number }>('select count(*)::int as n from users');
      expect(rows[0]?.n).toBeGreaterThan(0);
    });

    it.each([`' OR '1'='1`, `admin'--@example.com`, `x@example.com' OR 1=1 --`])(
      'answers the SQL-ish login email %j with 400 or 401, never 200 or 500',
      async (email) => {
        const res = await send(t.app, '/auth/login', jsonPost({ email, password: `' OR '1'='1` }));

        expect([400, 401]).toContain(res.status);
        expect(res.headers.get('content-type')).toBe('application/problem+json');
      },
    );
  });

  describe('CORS', () => {
    const preflight = (origin: string) =>
      send(t.app, '/auth/login', {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });

    it('answers a preflight from an allowlisted origin by echoing it, with credentials', async () => {
      const res = await preflight(ALLOWED);

      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED);
      expect(res.headers.get('access-control-allow-credentials')).toBe('true');
      expect(res.headers.get('access-control-allow-methods')).toContain('POST');
      expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-type');
      expect(res.headers.get('vary')?.toLowerCase()).toContain('origin');
    });

    it.each(['https://evil.example', 'null', `${ALLOWED}.evil.example`, ALLOWED.toUpperCase()])(
      'gives the origin %s no Access-Control-Allow-Origin',
      async (origin) => {
        const pre = await preflight(origin);
        const actual = await send(t.app, '/health', { headers: { origin } });

        expect(pre.headers.get('access-control-allow-origin')).toBeNull();
        expect(actual.headers.get('access-control-allow-origin')).toBeNull();
      },
    );

    it('echoes an allowlisted origin on actual requests and never sends "*"', async () => {
      const allowed = await send(t.app, '/health', { headers: { origin: ALLOWED } });
      const none = await send(t.app, '/health');

      expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED);
      expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
      expect(none.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  describe('error format', () => {
    it('renders every error as problem+json with a stable code and the gateway request id', async () => {
      const email = randomEmail();
      await registerAccount(t.app, { email });
      const cases: [string, RequestInit, number, ErrorCode][] = [
        ['/auth/register', jsonPost({ email }), 400, 'validation_failed'],
        ['/auth/login', rawPost('{', { 'content-type': 'application/json' }), 400, 'malformed_json'],
        ['/me', {}, 401, 'unauthenticated'],
        ['/auth/login', jsonPost({ email, password: 'wrong-password' }), 401, 'invalid_credentials'],
        ['/auth/logout', { method: 'POST', headers: { origin: 'null' } }, 403, 'csrf_rejected'],
        ['/no/such/route', {}, 404, 'not_found'],
        ['/auth/login', {}, 404, 'not_found'],
        [
          '/auth/register',
          jsonPost({ email, password: STRONG_PASSWORD, displayName: 'D' }),
          409,
          'email_taken',
        ],
        ['/auth/login', jsonPost({ pad: 'x'.repeat(MAX_BODY_BYTES) }), 413, 'payload_too_large'],
        ['/auth/login', rawPost('{}', { 'content-type': 'text/plain' }), 415, 'unsupported_media_type'],
      ];

      for (const [path, init, status, code] of cases) {
        const requestId = randomUUID();
        const res = await t.app.request(path, init, {
          event: { requestContext: { requestId, http: { sourceIp: DEFAULT_IP } } },
        });
        const problem = await expectProblem(res.clone(), status, code);
        expect(problem.requestId).toBe(requestId);
        expect(problem).toMatchObject({
          type: `/problems/${code}`,
          title: expect.any(String),
          detail: expect.any(String),
        });
        expect(res.headers.get('cache-control')).toBe('no-store');
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        const text = await res.text();
        expect(text).not.toMatch(/node_modules|\bat [\w.<>]+ \(|stack/i);
      }
    });

    it('answers an unknown route with a 404 problem', async () => {
      const res = await send(t.app, `/definitely-not-here/${randomUUID()}`);

      const problem: Problem = await expectProblem(res, 404, 'not_found');
      expect(problem.status).toBe(404);
    });
  });
});
