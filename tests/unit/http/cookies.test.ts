import { describe, expect, it } from 'vitest';
import type { SessionTokens } from '../../../shared/domain/auth/session-tokens.js';
import {
  clearSessionCookies,
  cookieNames,
  expireLegacyRefreshCookie,
  readCookie,
  readCookieValues,
  setSessionCookies,
} from '../../../shared/http/cookies.js';
import { tinyApp } from './tiny-app.js';

interface SetCookie {
  name: string;
  value: string;
  /** Attribute names lowercased; flags map to ''. */
  attributes: Map<string, string>;
}

function setCookiesOf(res: Response): Map<string, SetCookie> {
  const cookies = new Map<string, SetCookie>();
  for (const header of res.headers.getSetCookie()) {
    const [pair = '', ...rest] = header.split(';');
    const equals = pair.indexOf('=');
    const attributes = new Map<string, string>();
    for (const attribute of rest) {
      const [key = '', ...value] = attribute.trim().split('=');
      attributes.set(key.toLowerCase(), value.join('='));
    }
    const name = pair.slice(0, equals).trim();
    cookies.set(name, { name, value: pair.slice(equals + 1), attributes });
  }
  return cookies;
}

function cookie(cookies: Map<string, SetCookie>, name: string): SetCookie {
  const found = cookies.get(name);
  if (!found) throw new Error(`no Set-Cookie for ${name}; got ${[...cookies.keys()].join(', ')}`);
  return found;
}

const ACCESS_TTL = 900;
const REFRESH_TTL = 30 * 24 * 3600;

function tokensExpiringIn(accessSeconds: number, refreshSeconds: number): SessionTokens {
  return {
    access: { token: 'access.jwt.value', expiresAt: new Date(Date.now() + accessSeconds * 1000) },
    refresh: { token: 'refresh.jwt.value', expiresAt: new Date(Date.now() + refreshSeconds * 1000) },
  };
}

function cookieApp(secure: boolean, tokens: SessionTokens = tokensExpiringIn(ACCESS_TTL, REFRESH_TTL)) {
  return tinyApp((app) => {
    app.post('/set', (c) => {
      setSessionCookies(c, tokens, secure);
      return c.body(null, 204);
    });
    app.post('/clear', (c) => {
      clearSessionCookies(c, secure);
      return c.body(null, 204);
    });
  });
}

const expectHardened = (set: SetCookie, path: string): void => {
  expect(set.attributes.get('path')).toBe(path);
  expect(set.attributes.has('httponly')).toBe(true);
  expect(set.attributes.has('secure')).toBe(true);
  expect(set.attributes.get('samesite')).toBe('Strict');
  expect(set.attributes.has('domain')).toBe(false);
};

describe('cookieNames', () => {
  it('uses the __Host- and __Secure- prefixes in secure mode and plain names otherwise', () => {
    expect(cookieNames(true)).toEqual({ access: '__Host-access', refresh: '__Secure-refresh' });
    expect(cookieNames(false)).toEqual({ access: 'access', refresh: 'refresh' });
  });
});

describe('setSessionCookies', () => {
  it('sets __Host-access on Path=/ as HttpOnly, Secure, SameSite=Strict, Max-Age = access lifetime', async () => {
    const res = await cookieApp(true).request('/set', { method: 'POST' });

    const access = cookie(setCookiesOf(res), '__Host-access');
    expect(access.value).toBe('access.jwt.value');
    expectHardened(access, '/');
    const maxAge = Number(access.attributes.get('max-age'));
    expect(maxAge).toBeGreaterThanOrEqual(ACCESS_TTL - 2);
    expect(maxAge).toBeLessThanOrEqual(ACCESS_TTL);
  });

  it('sets __Secure-refresh scoped to Path=/auth (so logout receives it) with Max-Age = refresh lifetime', async () => {
    const res = await cookieApp(true).request('/set', { method: 'POST' });

    const refresh = cookie(setCookiesOf(res), '__Secure-refresh');
    expect(refresh.value).toBe('refresh.jwt.value');
    expectHardened(refresh, '/auth');
    const maxAge = Number(refresh.attributes.get('max-age'));
    expect(maxAge).toBeGreaterThanOrEqual(REFRESH_TTL - 2);
    expect(maxAge).toBeLessThanOrEqual(REFRESH_TTL);
  });

  it('never sends a negative Max-Age for an already expired token', async () => {
    const res = await cookieApp(true, tokensExpiringIn(-60, -60)).request('/set', { method: 'POST' });

    const cookies = setCookiesOf(res);
    expect(cookie(cookies, '__Host-access').attributes.get('max-age')).toBe('0');
    expect(cookie(cookies, '__Secure-refresh').attributes.get('max-age')).toBe('0');
  });

  it('drops the prefixes and the Secure flag only when cookies are not secure (plain-HTTP local dev)', async () => {
    const res = await cookieApp(false).request('/set', { method: 'POST' });

    const cookies = setCookiesOf(res);
    expect([...cookies.keys()].sort()).toEqual(['access', 'refresh']);
    expect(cookie(cookies, 'access').attributes.has('secure')).toBe(false);
    expect(cookie(cookies, 'access').attributes.has('httponly')).toBe(true);
    expect(cookie(cookies, 'refresh').attributes.get('path')).toBe('/auth');
  });

  it('sets exactly the two session cookies', async () => {
    const res = await cookieApp(true).request('/set', { method: 'POST' });

    expect(res.headers.getSetCookie()).toHaveLength(2);
  });
});

describe('expireLegacyRefreshCookie', () => {
  it('expires a refresh cookie left on the old Path=/auth/refresh, which would make refresh ambiguous', async () => {
    const app = tinyApp((routes) =>
      routes.post('/legacy', (c) => {
        expireLegacyRefreshCookie(c, true);
        return c.body(null, 204);
      }),
    );

    const res = await app.request('/legacy', { method: 'POST' });

    const legacy = cookie(setCookiesOf(res), '__Secure-refresh');
    expect(legacy.value).toBe('');
    expect(legacy.attributes.get('max-age')).toBe('0');
    expectHardened(legacy, '/auth/refresh');
  });
});

describe('clearSessionCookies', () => {
  it('expires both cookies with Max-Age=0 and the same names, paths and attributes', async () => {
    const res = await cookieApp(true).request('/clear', { method: 'POST' });

    const cookies = setCookiesOf(res);
    const access = cookie(cookies, '__Host-access');
    const refresh = cookie(cookies, '__Secure-refresh');
    expect(access.value).toBe('');
    expect(refresh.value).toBe('');
    expect(access.attributes.get('max-age')).toBe('0');
    expect(refresh.attributes.get('max-age')).toBe('0');
    expectHardened(access, '/');
    expectHardened(refresh, '/auth');
  });

  it('also expires the refresh cookie of the old Path=/auth/refresh', async () => {
    const res = await cookieApp(true).request('/clear', { method: 'POST' });

    const paths = res.headers
      .getSetCookie()
      .filter((header) => header.startsWith('__Secure-refresh=;'))
      .map((header) => /Path=([^;]+)/.exec(header)?.[1]);
    expect(paths.sort()).toEqual(['/auth', '/auth/refresh']);
  });
});

describe('readCookieValues', () => {
  it('returns every non-empty value in header order, duplicates included', () => {
    expect(readCookieValues('refresh=a; other=1; refresh=; refresh=b', 'refresh')).toEqual(['a', 'b']);
  });

  it('returns nothing without a Cookie header or without the cookie', () => {
    expect(readCookieValues(undefined, 'refresh')).toEqual([]);
    expect(readCookieValues('xrefresh=a', 'refresh')).toEqual([]);
  });
});

describe('readCookie', () => {
  it.each([
    ['no Cookie header', undefined],
    ['an empty Cookie header', ''],
    ['only other cookies', 'theme=dark; lang=en'],
    ['a cookie whose name merely ends with the name', 'xaccess=abc'],
    ['the prefixed cookie when the plain name is asked for', '__Host-access=abc'],
    ['an empty value', 'access='],
  ])('reports absent for %s', (_label, header) => {
    expect(readCookie(header, 'access')).toEqual({ kind: 'absent' });
  });

  it('reads the value when the cookie is present once', () => {
    expect(readCookie('theme=dark; __Host-access=eyJ.abc.def; lang=en', '__Host-access')).toEqual({
      kind: 'present',
      value: 'eyJ.abc.def',
    });
  });

  it('tolerates missing spaces between pairs', () => {
    expect(readCookie('a=1;access=tok;b=2', 'access')).toEqual({ kind: 'present', value: 'tok' });
  });

  it('reports ambiguous when the cookie appears twice (cookie tossing), even with equal values', () => {
    expect(readCookie('access=mine; access=theirs', 'access')).toEqual({ kind: 'ambiguous' });
    expect(readCookie('access=same; other=1; access=same', 'access')).toEqual({ kind: 'ambiguous' });
  });
});
