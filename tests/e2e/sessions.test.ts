import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ACCESS_COOKIE,
  type Account,
  loginWithCookies,
  loginWithTokens,
  REFRESH_COOKIE,
  REFRESH_PATH,
  refreshWithToken,
  registerAccount,
} from '../support/e2e-accounts.js';
import {
  bearer,
  CookieJar,
  call,
  expectProblem,
  parseSetCookies,
  readJson,
  SessionListSchema,
} from '../support/e2e-http.js';

const SPOOFED_IP = '203.0.113.66';

async function listSessions(accessToken: string) {
  const res = await call('/auth/sessions', { headers: bearer(accessToken) });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await readJson(res, SessionListSchema)).sessions;
}

/** Both cookies expired on the paths they are set with (refresh: /auth, and the old /auth/refresh too). */
function expectCookiesExpired(res: Response): void {
  const cookies = parseSetCookies(res);
  for (const cookie of cookies) expect(cookie.attributes.get('max-age'), cookie.raw).toBe('0');
  const pathsOf = (name: string) =>
    cookies.filter((cookie) => cookie.name === name).map((cookie) => cookie.attributes.get('path'));
  expect(pathsOf(ACCESS_COOKIE)).toEqual(['/']);
  expect(pathsOf(REFRESH_COOKIE).sort()).toEqual(['/auth', '/auth/refresh']);
}

let account: Account;

beforeAll(async () => {
  account = await registerAccount();
});

describe('session management', () => {
  it('lists live sessions newest first, marks the caller, and revokes another one at once', async () => {
    const owner = await registerAccount();
    const laptop = await loginWithTokens(owner, {
      'user-agent': 'e2e-laptop',
      'x-forwarded-for': SPOOFED_IP,
    });
    const phone = await loginWithTokens(owner, { 'user-agent': 'e2e-phone' });

    const sessions = await listSessions(laptop.accessToken);

    expect(sessions.map((session) => session.userAgent)).toEqual(['e2e-phone', 'e2e-laptop']);
    expect(sessions.map((session) => session.current)).toEqual([false, true]);
    // The gateway's source address is recorded, never a client-sent X-Forwarded-For.
    expect(sessions[1]?.ip).toMatch(/\S/);
    expect(sessions[1]?.ip).not.toContain(SPOOFED_IP);
    const [phoneSession] = sessions;
    if (!phoneSession) throw new Error('phone session missing');

    const revoked = await call(`/auth/sessions/${phoneSession.id}`, {
      method: 'DELETE',
      headers: bearer(laptop.accessToken),
    });

    expect(revoked.status).toBe(204);
    await expectProblem(await call('/me', { headers: bearer(phone.accessToken) }), 401, 'unauthenticated');
    await expectProblem(await refreshWithToken(phone.refreshToken), 401, 'unauthenticated');
    expect((await listSessions(laptop.accessToken)).map((session) => session.userAgent)).toEqual([
      'e2e-laptop',
    ]);
    expect((await call('/me', { headers: bearer(laptop.accessToken) })).status).toBe(200);
  });

  it('answers 404 for a session id that is not the caller’s and 400 for a malformed one', async () => {
    const tokens = await loginWithTokens(account);

    const missing = await call(`/auth/sessions/${randomUUID()}`, {
      method: 'DELETE',
      headers: bearer(tokens.accessToken),
    });
    const malformed = await call('/auth/sessions/not-a-uuid', {
      method: 'DELETE',
      headers: bearer(tokens.accessToken),
    });

    await expectProblem(missing, 404, 'not_found');
    await expectProblem(malformed, 400, 'validation_failed');
    await expectProblem(await call('/auth/sessions'), 401, 'unauthenticated');
  });
});

describe('logout', () => {
  it('cookie logout answers 204, expires both cookies with no-store, and the old cookies stop working', async () => {
    const { jar } = await loginWithCookies(account);
    const before = jar.clone();

    const res = await call('/auth/logout', { method: 'POST', jar });

    expect(res.status).toBe(204);
    expectCookiesExpired(res);
    expect(res.headers.get('cache-control')).toContain('no-store');
    expect(jar.get(ACCESS_COOKIE)).toBeUndefined();
    await expectProblem(await call('/me', { jar: before }), 401, 'unauthenticated');
    await expectProblem(await call(REFRESH_PATH, { method: 'POST', jar: before }), 401, 'unauthenticated');
  });

  it('Bearer logout answers 204 and revokes that session’s access and refresh tokens only', async () => {
    const kept = await loginWithTokens(account);
    const ended = await loginWithTokens(account);

    const res = await call('/auth/logout', { method: 'POST', headers: bearer(ended.accessToken) });

    expect(res.status).toBe(204);
    await expectProblem(await call('/me', { headers: bearer(ended.accessToken) }), 401, 'unauthenticated');
    await expectProblem(await refreshWithToken(ended.refreshToken), 401, 'unauthenticated');
    expect((await call('/me', { headers: bearer(kept.accessToken) })).status).toBe(200);
  });

  it('ends a cookie session by the refresh cookie alone, once the browser has dropped the expired access cookie', async () => {
    const { jar } = await loginWithCookies(account);
    const refreshOnly = new CookieJar();
    refreshOnly.set(REFRESH_COOKIE, jar.get(REFRESH_COOKIE) ?? '', '/auth');

    const res = await call('/auth/logout', { method: 'POST', jar: refreshOnly.clone() });

    expect(res.status).toBe(204);
    await expectProblem(
      await call(REFRESH_PATH, { method: 'POST', jar: refreshOnly }),
      401,
      'unauthenticated',
    );
    await expectProblem(await call('/me', { jar }), 401, 'unauthenticated');
  });

  it('ends a token session by a {refreshToken} body alone', async () => {
    const tokens = await loginWithTokens(account);

    const res = await call('/auth/logout', { json: { refreshToken: tokens.refreshToken } });

    expect(res.status).toBe(204);
    await expectProblem(await refreshWithToken(tokens.refreshToken), 401, 'unauthenticated');
    await expectProblem(await call('/me', { headers: bearer(tokens.accessToken) }), 401, 'unauthenticated');
  });

  it('logout without credentials is still 204 and still expires the cookies', async () => {
    const res = await call('/auth/logout', { method: 'POST' });

    expect(res.status).toBe(204);
    expectCookiesExpired(res);
  });

  it('revoking the current session through DELETE /auth/sessions/{id} expires the caller’s cookies', async () => {
    const { jar } = await loginWithCookies(account);
    const list = await call('/auth/sessions', { jar });
    const current = (await readJson(list, SessionListSchema)).sessions.find((session) => session.current);
    if (!current) throw new Error('no current session listed');

    const res = await call(`/auth/sessions/${current.id}`, { method: 'DELETE', jar: jar.clone() });

    expect(res.status).toBe(204);
    expectCookiesExpired(res);
    await expectProblem(await call('/me', { jar }), 401, 'unauthenticated');
  });

  it('logout-all answers 204 and ends every session of the user, cookie and token alike', async () => {
    const other = await registerAccount();
    const tokenSessions = await Promise.all([loginWithTokens(other), loginWithTokens(other)]);
    const { jar } = await loginWithCookies(other);
    const bystander = await loginWithTokens(account);

    const res = await call('/auth/logout-all', {
      method: 'POST',
      headers: bearer(tokenSessions[0].accessToken),
    });

    expect(res.status).toBe(204);
    expectCookiesExpired(res);
    for (const tokens of tokenSessions) {
      await expectProblem(await call('/me', { headers: bearer(tokens.accessToken) }), 401, 'unauthenticated');
      await expectProblem(await refreshWithToken(tokens.refreshToken), 401, 'unauthenticated');
    }
    await expectProblem(await call('/me', { jar }), 401, 'unauthenticated');
    await expectProblem(await call(REFRESH_PATH, { method: 'POST', jar }), 401, 'unauthenticated');
    expect((await call('/me', { headers: bearer(bystander.accessToken) })).status).toBe(200);
  });

  it('logout-all without credentials is 401', async () => {
    await expectProblem(await call('/auth/logout-all', { method: 'POST' }), 401, 'unauthenticated');
  });
});
