import type { Context } from 'hono';
import { setCookie } from 'hono/cookie';
import type { SessionTokens } from '../domain/auth/session-tokens.js';

/** `/auth`, not just `/auth/refresh`: logout must receive the refresh cookie to end the session by it. */
const REFRESH_COOKIE_PATH = '/auth';
/**
 * Where the refresh cookie lived before. A browser still holding one sends two refresh cookies to
 * `/auth/refresh` once the new one is set (ambiguous, so 401): cookie refreshes and every clear expire it.
 */
const LEGACY_REFRESH_COOKIE_PATH = '/auth/refresh';

export interface CookieNames {
  access: string;
  refresh: string;
}

/** `__Host-` pins the access cookie to this host and path `/`; `__Secure-` allows the narrower `/auth` path. */
export const cookieNames = (secure: boolean): CookieNames =>
  secure
    ? { access: '__Host-access', refresh: '__Secure-refresh' }
    : { access: 'access', refresh: 'refresh' };

const maxAgeUntil = (expiresAt: Date): number =>
  Math.max(0, Math.floor((expiresAt.getTime() - Date.now()) / 1000));

/** Expires a refresh cookie left on the old path; sent before the new cookies so name-keyed jars keep those. */
export const expireLegacyRefreshCookie = (c: Context, secure: boolean): void =>
  setCookie(c, cookieNames(secure).refresh, '', {
    path: LEGACY_REFRESH_COOKIE_PATH,
    httpOnly: true,
    secure,
    sameSite: 'Strict',
    maxAge: 0,
  });

export function setSessionCookies(c: Context, tokens: SessionTokens, secure: boolean): void {
  const names = cookieNames(secure);
  setCookie(c, names.access, tokens.access.token, {
    path: '/',
    httpOnly: true,
    secure,
    sameSite: 'Strict',
    maxAge: maxAgeUntil(tokens.access.expiresAt),
  });
  setCookie(c, names.refresh, tokens.refresh.token, {
    path: REFRESH_COOKIE_PATH,
    httpOnly: true,
    secure,
    sameSite: 'Strict',
    maxAge: maxAgeUntil(tokens.refresh.expiresAt),
  });
}

/** Expires both cookies with the same names, paths and attributes they were set with. */
export function clearSessionCookies(c: Context, secure: boolean): void {
  const names = cookieNames(secure);
  expireLegacyRefreshCookie(c, secure);
  setCookie(c, names.access, '', { path: '/', httpOnly: true, secure, sameSite: 'Strict', maxAge: 0 });
  setCookie(c, names.refresh, '', {
    path: REFRESH_COOKIE_PATH,
    httpOnly: true,
    secure,
    sameSite: 'Strict',
    maxAge: 0,
  });
}

const rawCookieValues = (cookieHeader: string | undefined, name: string): string[] =>
  (cookieHeader ?? '')
    .split(';')
    .map((pair) => pair.trim())
    .filter((pair) => pair.startsWith(`${name}=`))
    .map((pair) => pair.slice(name.length + 1));

/** Every non-empty value of one cookie in header order, duplicates included (logout tries them all). */
export const readCookieValues = (cookieHeader: string | undefined, name: string): string[] =>
  rawCookieValues(cookieHeader, name).filter((value) => value !== '');

export type CookieRead = { kind: 'absent' } | { kind: 'ambiguous' } | { kind: 'present'; value: string };

/** Reads one cookie, treating duplicates as ambiguous (cookie tossing from a sibling domain). */
export function readCookie(cookieHeader: string | undefined, name: string): CookieRead {
  const values = rawCookieValues(cookieHeader, name);
  if (values.length === 0) return { kind: 'absent' };
  if (values.length > 1) return { kind: 'ambiguous' };
  const value = values[0] ?? '';
  return value ? { kind: 'present', value } : { kind: 'absent' };
}
