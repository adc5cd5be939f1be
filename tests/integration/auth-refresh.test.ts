import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../shared/http/create-app.js';
import {
  type Account,
  bearer,
  expectProblem,
  loginWithCookies,
  loginWithTokens,
  me,
  type ParsedCookie,
  parseSetCookies,
  registerAccount,
  type SessionBody,
  send,
  sessionIdOf,
  startApp,
  type TestApp,
  type TokenSession,
} from '../support/auth-helpers.js';
import { clockPasses, pollUntil } from '../support/poll.js';
import { jsonPost } from '../support/test-env.js';

type Started = TestApp & { stop(): Promise<void> };

const refreshWithToken = (app: App, refreshToken: string, ip?: string) =>
  send(app, '/auth/refresh', jsonPost({ refreshToken }), ip);

const refreshWithCookie = (app: App, cookie: string) =>
  send(app, '/auth/refresh', { method: 'POST', headers: { cookie } });

async function rotated(res: Response): Promise<TokenSession> {
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as TokenSession;
}

async function listSessions(app: App, accessToken: string): Promise<SessionBody[]> {
  const res = await send(app, '/auth/sessions', { headers: bearer(accessToken) });
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { sessions: SessionBody[] }).sessions;
}

/** Both session cookies expired with the attributes (and therefore scope) they were set with. */
function expectCookiesCleared(res: Response): void {
  const cookies = parseSetCookies(res);
  const check = (cookie: ParsedCookie | undefined, path: string) => {
    expect(cookie?.value).toBe('');
    expect(cookie?.attributes.get('max-age')).toBe('0');
    expect(cookie?.attributes.get('path')).toBe(path);
    expect(cookie?.attributes.has('secure')).toBe(true);
    expect(cookie?.attributes.has('httponly')).toBe(true);
  };
  check(cookies.get('__Host-access'), '/');
  check(cookies.get('__Secure-refresh'), '/auth');
}

describe('refresh rotation and sessions', () => {
  let t: Started;
  let app: App;
  /** Added to the wall clock by the app under test, to step past the grace window without sleeping. */
  let clockOffsetMs = 0;

  beforeAll(async () => {
    t = await startApp({ REFRESH_GRACE_SECONDS: '10' });
    app = createApp({ ...t.deps, clock: { nowMs: () => Date.now() + clockOffsetMs } });
  });

  afterAll(async () => {
    await t?.stop();
  });

  const newSession = async (account?: Account) => {
    const owner = account ?? (await registerAccount(app));
    return { account: owner, tokens: await loginWithTokens(app, owner) };
  };

  /** Signed in 20 minutes ago: the access token expired 5 minutes ago, the session and refresh token live. */
  const signedInEarlier = () => createApp({ ...t.deps, clock: { nowMs: () => Date.now() - 20 * 60_000 } });

  const expiredSession = async () => {
    const owner = await registerAccount(app);
    return { account: owner, tokens: await loginWithTokens(signedInEarlier(), owner) };
  };

  const expiredCookieSession = async () => {
    const login = await loginWithCookies(signedInEarlier(), await registerAccount(app));
    return {
      accessCookie: `__Host-access=${login.access}`,
      refreshCookie: `__Secure-refresh=${login.refresh}`,
    };
  };

  /** A WebSocket as `$connect` records it, for the session of this access token. */
  const openSocket = async (userId: string, accessToken: string) => {
    const record = { connectionId: `c-${randomUUID()}`, userId, sessionId: sessionIdOf(accessToken) };
    await t.deps.connections.add(record, 600);
    expect(await t.deps.connections.find(record.connectionId)).toMatchObject(record);
    return record;
  };

  describe('POST /auth/refresh', () => {
    it('rotates the pair: new access and refresh tokens, both usable', async () => {
      const { tokens } = await newSession();

      const next = await rotated(await refreshWithToken(app, tokens.refreshToken));
      const after = await rotated(await refreshWithToken(app, next.refreshToken));

      expect(next.refreshToken).not.toBe(tokens.refreshToken);
      expect(next.accessToken).not.toBe(tokens.accessToken);
      expect(sessionIdOf(next.accessToken)).toBe(sessionIdOf(tokens.accessToken));
      expect((await me(app, bearer(next.accessToken))).status).toBe(200);
      expect(after.refreshToken).not.toBe(next.refreshToken);
    });

    it('answers the just-rotated token inside the grace window with the identical pair', async () => {
      const { tokens } = await newSession();

      const first = await rotated(await refreshWithToken(app, tokens.refreshToken));
      const replay = await rotated(await refreshWithToken(app, tokens.refreshToken));

      expect(replay).toEqual(first);
      expect((await me(app, bearer(first.accessToken))).status).toBe(200);
      const onward = await rotated(await refreshWithToken(app, first.refreshToken));
      expect(onward.refreshToken).not.toBe(first.refreshToken);
    });

    it('treats a rotated token replayed after the grace window as reuse and revokes the whole session', async () => {
      const { account, tokens } = await newSession();
      const bystander = await loginWithTokens(app, account);
      const next = await rotated(await refreshWithToken(app, tokens.refreshToken));

      clockOffsetMs = 11_000;
      let reuse: Response;
      try {
        reuse = await refreshWithToken(app, tokens.refreshToken);
      } finally {
        clockOffsetMs = 0;
      }

      await expectProblem(reuse, 401, 'refresh_token_reused');
      await expectProblem(await me(app, bearer(next.accessToken)), 401, 'unauthenticated');
      await expectProblem(await me(app, bearer(tokens.accessToken)), 401, 'unauthenticated');
      await expectProblem(await refreshWithToken(app, next.refreshToken), 401, 'unauthenticated');
      // Only the compromised session goes; the user's other session is untouched.
      expect((await me(app, bearer(bystander.accessToken))).status).toBe(200);
    });

    it('closes the WebSockets of the session revoked by reuse, and keeps the user’s other sessions’ sockets', async () => {
      const { account, tokens } = await newSession();
      const bystander = await loginWithTokens(app, account);
      const stolen = await openSocket(account.id, tokens.accessToken);
      const other = await openSocket(account.id, bystander.accessToken);
      await rotated(await refreshWithToken(app, tokens.refreshToken));

      clockOffsetMs = 11_000;
      try {
        await expectProblem(await refreshWithToken(app, tokens.refreshToken), 401, 'refresh_token_reused');
      } finally {
        clockOffsetMs = 0;
      }

      expect(await t.deps.connections.find(stolen.connectionId)).toBeNull();
      expect(await t.deps.connections.find(other.connectionId)).toMatchObject(other);
    });

    it('with a grace window of 0 s, any replay of a rotated token is reuse', async () => {
      const strict = await startApp({ REFRESH_GRACE_SECONDS: '0' });
      try {
        const { tokens } = await (async () => {
          const owner = await registerAccount(strict.app);
          return { tokens: await loginWithTokens(strict.app, owner) };
        })();
        const next = await rotated(await refreshWithToken(strict.app, tokens.refreshToken));
        await clockPasses(Date.now());

        const reuse = await refreshWithToken(strict.app, tokens.refreshToken);

        await expectProblem(reuse, 401, 'refresh_token_reused');
        await expectProblem(await me(strict.app, bearer(next.accessToken)), 401, 'unauthenticated');
      } finally {
        await strict.stop();
      }
    });

    it('treats a token two generations old as reuse even inside the grace window', async () => {
      const { tokens } = await newSession();
      const second = await rotated(await refreshWithToken(app, tokens.refreshToken));
      const third = await rotated(await refreshWithToken(app, second.refreshToken));

      const reuse = await refreshWithToken(app, tokens.refreshToken);

      await expectProblem(reuse, 401, 'refresh_token_reused');
      await expectProblem(await me(app, bearer(third.accessToken)), 401, 'unauthenticated');
      await expectProblem(await refreshWithToken(app, third.refreshToken), 401, 'unauthenticated');
    });

    it('answers 20 parallel refreshes of one token with one identical pair and leaves one live session', async () => {
      const { tokens } = await newSession();

      const responses = await Promise.all(
        Array.from({ length: 20 }, () => refreshWithToken(app, tokens.refreshToken)),
      );

      expect(responses.map((res) => res.status)).toEqual(Array(20).fill(200));
      const bodies = (await Promise.all(responses.map((res) => res.json()))) as TokenSession[];
      expect(new Set(bodies.map((body) => body.refreshToken)).size).toBe(1);
      expect(new Set(bodies.map((body) => body.accessToken)).size).toBe(1);
      const [winner] = bodies;
      if (!winner) throw new Error('no response');
      expect(winner.refreshToken).not.toBe(tokens.refreshToken);
      const sessions = await listSessions(app, winner.accessToken);
      expect(sessions).toHaveLength(1);
      expect((await refreshWithToken(app, winner.refreshToken)).status).toBe(200);
    });

    it('in cookie mode reads the refresh cookie and answers with fresh cookies, not tokens', async () => {
      const account = await registerAccount(app);
      const login = await loginWithCookies(app, account);

      const res = await refreshWithCookie(app, `__Secure-refresh=${login.refresh}`);

      expect(res.status).toBe(200);
      const body = (await res.json()) as Record<string, unknown>;
      expect(Object.keys(body)).toEqual(['accessTokenExpiresAt']);
      const cookies = parseSetCookies(res);
      const access = cookies.get('__Host-access');
      const refresh = cookies.get('__Secure-refresh');
      expect(access?.value).toBeTruthy();
      expect(refresh?.value).toBeTruthy();
      expect(refresh?.value).not.toBe(login.refresh);
      expect(refresh?.attributes.get('path')).toBe('/auth');
      expect(access?.attributes.get('samesite')).toBe('Strict');
      expect(Number(access?.attributes.get('max-age'))).toBeLessThanOrEqual(900);
      expect((await me(app, { cookie: `__Host-access=${access?.value}` })).status).toBe(200);
    });

    it('in cookie mode also expires a refresh cookie left on the old Path=/auth/refresh, so it cannot make the next refresh ambiguous', async () => {
      const account = await registerAccount(app);
      const login = await loginWithCookies(app, account);

      const res = await refreshWithCookie(app, `__Secure-refresh=${login.refresh}`);

      expect(res.status).toBe(200);
      const refreshCookies = res.headers
        .getSetCookie()
        .filter((header) => header.startsWith('__Secure-refresh='));
      expect(refreshCookies).toHaveLength(2);
      expect(refreshCookies[0]).toMatch(/^__Secure-refresh=;.*Max-Age=0/);
      expect(refreshCookies[0]).toContain('Path=/auth/refresh');
      expect(refreshCookies[1]).toMatch(/^__Secure-refresh=[\w-]+\.[\w-]+\.[\w-]+;.*Path=\/auth;/);
    });

    it.each([
      ['an invalid refresh cookie', () => '__Secure-refresh=not-a-token'],
      ['no refresh cookie', () => 'unrelated=1'],
      ['a duplicated refresh cookie', () => '__Secure-refresh=a.b.c; __Secure-refresh=d.e.f'],
    ])('in cookie mode answers %s with 401 and expires both cookies', async (_label, cookie) => {
      const res = await refreshWithCookie(app, cookie());

      await expectProblem(res.clone(), 401, 'unauthenticated');
      expectCookiesCleared(res);
    });

    it('in cookie mode answers reuse with 401 refresh_token_reused and expires both cookies', async () => {
      const account = await registerAccount(app);
      const login = await loginWithCookies(app, account);
      const first = parseSetCookies(await refreshWithCookie(app, `__Secure-refresh=${login.refresh}`));
      const second = first.get('__Secure-refresh')?.value;
      await refreshWithCookie(app, `__Secure-refresh=${second}`);

      const res = await refreshWithCookie(app, `__Secure-refresh=${login.refresh}`);

      await expectProblem(res.clone(), 401, 'refresh_token_reused');
      expectCookiesCleared(res);
    });

    it('in token mode answers an invalid token with 401 and sets no cookie', async () => {
      const res = await refreshWithToken(app, 'not-a-token');

      await expectProblem(res.clone(), 401, 'unauthenticated');
      expect(res.headers.getSetCookie()).toEqual([]);
    });
  });

  describe('absolute session lifetime', () => {
    it('ends the session at the absolute limit however often it is refreshed', async () => {
      // Long enough for a login and a refresh on a loaded machine; the end itself is read from the login.
      const short = await startApp({ SESSION_ABSOLUTE_TTL_SECONDS: '4' });
      try {
        const owner = await registerAccount(short.app);
        const tokens = await loginWithTokens(short.app, owner);
        const absoluteEnd = Date.parse(tokens.refreshTokenExpiresAt);
        const next = await rotated(await refreshWithToken(short.app, tokens.refreshToken));

        expect(Date.parse(next.refreshTokenExpiresAt)).toBe(absoluteEnd);
        expect(Date.parse(next.accessTokenExpiresAt)).toBeLessThanOrEqual(absoluteEnd);
        const ended = await pollUntil(
          async () => {
            const res = await me(short.app, bearer(next.accessToken));
            return res.status === 401 ? res : undefined;
          },
          { timeoutMs: 10_000, intervalMs: 100, what: 'the session to reach its absolute lifetime' },
        );
        await expectProblem(ended, 401, 'unauthenticated');
        await expectProblem(await refreshWithToken(short.app, next.refreshToken), 401, 'unauthenticated');
      } finally {
        await short.stop();
      }
    });
  });

  describe('logout', () => {
    it('answers 204, expires the cookies, sends no-store and revokes the access token at once', async () => {
      const { tokens } = await newSession();

      const res = await send(app, '/auth/logout', { method: 'POST', headers: bearer(tokens.accessToken) });

      expect(res.status).toBe(204);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expectCookiesCleared(res);
      await expectProblem(await me(app, bearer(tokens.accessToken)), 401, 'unauthenticated');
      await expectProblem(await refreshWithToken(app, tokens.refreshToken), 401, 'unauthenticated');
    });

    it('revokes a cookie session when called with the access cookie', async () => {
      const account = await registerAccount(app);
      const login = await loginWithCookies(app, account);
      const cookie = `__Host-access=${login.access}`;

      const res = await send(app, '/auth/logout', { method: 'POST', headers: { cookie } });

      expect(res.status).toBe(204);
      expectCookiesCleared(res);
      await expectProblem(await me(app, { cookie }), 401, 'unauthenticated');
      await expectProblem(
        await refreshWithCookie(app, `__Secure-refresh=${login.refresh}`),
        401,
        'unauthenticated',
      );
    });

    it('ends the session of an expired access token (Bearer), so its refresh token stops working', async () => {
      const { tokens } = await expiredSession();
      await expectProblem(await me(app, bearer(tokens.accessToken)), 401, 'unauthenticated');

      const res = await send(app, '/auth/logout', { method: 'POST', headers: bearer(tokens.accessToken) });

      expect(res.status).toBe(204);
      await expectProblem(await refreshWithToken(app, tokens.refreshToken), 401, 'unauthenticated');
    });

    it('in cookie mode ends the session by an expired access cookie plus the refresh cookie', async () => {
      const { refreshCookie, accessCookie } = await expiredCookieSession();

      const res = await send(app, '/auth/logout', {
        method: 'POST',
        headers: { cookie: `${accessCookie}; ${refreshCookie}` },
      });

      expect(res.status).toBe(204);
      expectCookiesCleared(res);
      await expectProblem(await refreshWithCookie(app, refreshCookie), 401, 'unauthenticated');
    });

    it('in cookie mode ends the session by the refresh cookie alone (the browser dropped the expired access cookie)', async () => {
      const { refreshCookie } = await expiredCookieSession();

      const res = await send(app, '/auth/logout', { method: 'POST', headers: { cookie: refreshCookie } });

      expect(res.status).toBe(204);
      await expectProblem(await refreshWithCookie(app, refreshCookie), 401, 'unauthenticated');
    });

    it('in token mode ends the session by a {refreshToken} body, without rotating it', async () => {
      const { tokens } = await expiredSession();

      const res = await send(app, '/auth/logout', jsonPost({ refreshToken: tokens.refreshToken }));

      expect(res.status).toBe(204);
      expect(res.headers.getSetCookie().filter((cookie) => !cookie.includes('Max-Age=0'))).toEqual([]);
      await expectProblem(await refreshWithToken(app, tokens.refreshToken), 401, 'unauthenticated');
    });

    it('closes the WebSockets of the session it ends, even when ended by an expired access token', async () => {
      const { account, tokens } = await expiredSession();
      const socket = await openSocket(account.id, tokens.accessToken);

      const res = await send(app, '/auth/logout', { method: 'POST', headers: bearer(tokens.accessToken) });

      expect(res.status).toBe(204);
      expect(await t.deps.connections.find(socket.connectionId)).toBeNull();
    });

    it('ignores an access token signed by another key and leaves the session alive', async () => {
      const { tokens } = await newSession();
      const forger = await startApp();
      try {
        const claims = decodeJwt(tokens.accessToken);
        const forged = await forger.deps.tokens.signAccess({
          userId: String(claims.sub),
          sessionId: String(claims.sid),
          tokenId: 'forged',
          issuedAtSeconds: Math.floor(Date.now() / 1000) - 1200,
          expiresAtSeconds: Math.floor(Date.now() / 1000) - 300,
        });

        const res = await send(app, '/auth/logout', { method: 'POST', headers: bearer(forged.token) });

        expect(res.status).toBe(204);
        expect((await me(app, bearer(tokens.accessToken))).status).toBe(200);
      } finally {
        await forger.stop();
      }
    });

    it('still answers 204 and expires the cookies without credentials', async () => {
      const res = await send(app, '/auth/logout', { method: 'POST' });

      expect(res.status).toBe(204);
      expectCookiesCleared(res);
    });

    it('logout-all revokes every session of the user and no one else’s', async () => {
      const account = await registerAccount(app);
      const first = await loginWithTokens(app, account);
      const second = await loginWithTokens(app, account);
      const browser = await loginWithCookies(app, account);
      const other = await newSession();

      const res = await send(app, '/auth/logout-all', { method: 'POST', headers: bearer(first.accessToken) });

      expect(res.status).toBe(204);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expectCookiesCleared(res);
      for (const token of [first.accessToken, second.accessToken, browser.access]) {
        await expectProblem(await me(app, bearer(token)), 401, 'unauthenticated');
      }
      for (const token of [first.refreshToken, second.refreshToken, browser.refresh]) {
        await expectProblem(await refreshWithToken(app, token), 401, 'unauthenticated');
      }
      expect((await me(app, bearer(other.tokens.accessToken))).status).toBe(200);
    });

    it('logout-all requires authentication', async () => {
      await expectProblem(await send(app, '/auth/logout-all', { method: 'POST' }), 401, 'unauthenticated');
    });
  });

  describe('session management', () => {
    it('lists live sessions newest first, marks the current one and records the gateway source IP', async () => {
      const account = await registerAccount(app);
      const older = await loginWithTokens(app, account, '198.51.100.1', {
        'user-agent': 'Phone/1.0',
        'x-forwarded-for': '6.6.6.6',
      });
      await clockPasses(Date.now());
      const newer = await loginWithTokens(app, account, '198.51.100.2', { 'user-agent': 'Laptop/2.0' });

      const sessions = await listSessions(app, older.accessToken);

      expect(sessions.map((session) => session.id)).toEqual([
        sessionIdOf(newer.accessToken),
        sessionIdOf(older.accessToken),
      ]);
      expect(sessions.map((session) => session.current)).toEqual([false, true]);
      expect(sessions[1]).toMatchObject({ ip: '198.51.100.1', userAgent: 'Phone/1.0' });
      expect(sessions[0]).toMatchObject({ ip: '198.51.100.2', userAgent: 'Laptop/2.0' });
      for (const session of sessions) {
        expect(Date.parse(session.expiresAt)).toBeGreaterThan(Date.now());
        expect(session).not.toHaveProperty('rid');
      }
    });

    it('answers 404 for another user’s session id and leaves that session alive', async () => {
      const attacker = await newSession();
      const victim = await newSession();
      const victimSessionId = sessionIdOf(victim.tokens.accessToken);

      const res = await send(app, `/auth/sessions/${victimSessionId}`, {
        method: 'DELETE',
        headers: bearer(attacker.tokens.accessToken),
      });

      await expectProblem(res, 404, 'not_found');
      expect((await me(app, bearer(victim.tokens.accessToken))).status).toBe(200);
      expect(await listSessions(app, victim.tokens.accessToken)).toHaveLength(1);
    });

    it('revokes one of the caller’s other sessions at once', async () => {
      const { account, tokens: current } = await newSession();
      const other = await loginWithTokens(app, account);

      const res = await send(app, `/auth/sessions/${sessionIdOf(other.accessToken)}`, {
        method: 'DELETE',
        headers: bearer(current.accessToken),
      });

      expect(res.status).toBe(204);
      await expectProblem(await me(app, bearer(other.accessToken)), 401, 'unauthenticated');
      await expectProblem(await refreshWithToken(app, other.refreshToken), 401, 'unauthenticated');
      expect((await me(app, bearer(current.accessToken))).status).toBe(200);
      expect((await listSessions(app, current.accessToken)).map((s) => s.id)).toEqual([
        sessionIdOf(current.accessToken),
      ]);
    });

    it('revoking the current cookie session also expires its cookies', async () => {
      const account = await registerAccount(app);
      const login = await loginWithCookies(app, account);
      const cookie = `__Host-access=${login.access}`;

      const res = await send(app, `/auth/sessions/${sessionIdOf(login.access)}`, {
        method: 'DELETE',
        headers: { cookie },
      });

      expect(res.status).toBe(204);
      expectCookiesCleared(res);
      await expectProblem(await me(app, { cookie }), 401, 'unauthenticated');
    });

    it('answers 404 for an unknown session id and 400 for a malformed one', async () => {
      const { tokens } = await newSession();

      const unknown = await send(app, `/auth/sessions/${randomUUID()}`, {
        method: 'DELETE',
        headers: bearer(tokens.accessToken),
      });
      const malformed = await send(app, '/auth/sessions/..%2F..%2Fetc', {
        method: 'DELETE',
        headers: bearer(tokens.accessToken),
      });

      await expectProblem(unknown, 404, 'not_found');
      await expectProblem(malformed, 400, 'validation_failed');
    });

    it('requires authentication to list or revoke sessions', async () => {
      await expectProblem(await send(app, '/auth/sessions'), 401, 'unauthenticated');
      await expectProblem(
        await send(app, `/auth/sessions/${randomUUID()}`, { method: 'DELETE' }),
        401,
        'unauthenticated',
      );
    });
  });
});
