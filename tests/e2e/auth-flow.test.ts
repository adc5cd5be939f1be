import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Assert, Equals } from '../../shared/contract/equals.js';
import type * as Wire from '../../shared/contract/wire.js';
import {
  ACCESS_COOKIE,
  type Account,
  loginWithCookies,
  loginWithTokens,
  REFRESH_COOKIE,
  REFRESH_PATH,
  randomEmail,
  randomPassword,
  refreshWithToken,
  registerAccount,
  UserEnvelopeSchema,
} from '../support/e2e-accounts.js';
import {
  bearer,
  CookieJar,
  call,
  expectProblem,
  jwtClaims,
  parseSetCookies,
  readJson,
  setCookieNamed,
  TokenPairSchema,
  UserSchema,
} from '../support/e2e-http.js';

const ACCESS_TTL_MAX_SECONDS = 15 * 60;
/** The refresh cookie is scoped to /auth (not just /auth/refresh) so that logout receives it too. */
const REFRESH_COOKIE_PATH = '/auth';
const REFRESH_TTL_MAX_SECONDS = 30 * 24 * 3600;
const CookieLoginSchema = z.object({ user: UserSchema, accessTokenExpiresAt: z.iso.datetime() });
const CookieRefreshSchema = z.object({ accessTokenExpiresAt: z.iso.datetime() });
// Compile-time only: a cookie-mode login answers with its user, a cookie-mode refresh without one.
type _WireChecks = [
  Assert<Equals<z.infer<typeof CookieLoginSchema>, Required<Wire.CookieSession>>>,
  Assert<Equals<z.infer<typeof CookieRefreshSchema>, Omit<Wire.CookieSession, 'user'>>>,
];
const JwksSchema = z.object({ keys: z.array(z.looseObject({ kid: z.string(), kty: z.string() })) });

const secondsUntil = (iso: string): number => (Date.parse(iso) - Date.now()) / 1000;

describe('registration', () => {
  it('creates an account and answers 201 with the public user only', async () => {
    const email = randomEmail();
    const res = await call('/auth/register', {
      json: { email, password: randomPassword(), displayName: 'Ada E2E' },
    });

    expect(res.status).toBe(201);
    const body: unknown = await res.json();
    const { user } = UserEnvelopeSchema.strict().parse(body);
    expect(user).toMatchObject({ email, displayName: 'Ada E2E' });
    expect(Object.keys(user).sort()).toEqual(['createdAt', 'displayName', 'email', 'emailVerified', 'id']);
  });
});

describe('an existing account: sign-in, /me and refresh', () => {
  let account: Account;

  beforeAll(async () => {
    account = await registerAccount();
  });

  it('rejects registering the same email again, in any letter case, with 409 email_taken', async () => {
    const res = await call('/auth/register', {
      json: { email: account.email.toUpperCase(), password: randomPassword(), displayName: 'Twin' },
    });

    await expectProblem(res, 409, 'email_taken');
  });

  it('cookie login sets exactly two HttpOnly, Secure, SameSite=Strict cookies and returns no tokens', async () => {
    const jar = new CookieJar();
    const res = await call('/auth/login', {
      json: { email: account.email, password: account.password },
      jar,
    });

    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie()).toHaveLength(2);
    const access = setCookieNamed(res, ACCESS_COOKIE);
    const refresh = setCookieNamed(res, REFRESH_COOKIE);
    for (const cookie of [access, refresh]) {
      expect(cookie.value).not.toBe('');
      expect(cookie.attributes.has('httponly')).toBe(true);
      expect(cookie.attributes.has('secure')).toBe(true);
      expect(cookie.attributes.get('samesite')?.toLowerCase()).toBe('strict');
      expect(cookie.attributes.has('domain')).toBe(false);
    }
    expect(access.attributes.get('path')).toBe('/');
    expect(refresh.attributes.get('path')).toBe(REFRESH_COOKIE_PATH);

    const text = await res.text();
    const body = CookieLoginSchema.strict().parse(JSON.parse(text));
    expect(body.user.email).toBe(account.email);
    expect(text).not.toContain(access.value);
    expect(text).not.toContain(refresh.value);

    const accessMaxAge = Number(access.attributes.get('max-age'));
    expect(accessMaxAge).toBeGreaterThan(0);
    expect(accessMaxAge).toBeLessThanOrEqual(ACCESS_TTL_MAX_SECONDS);
    expect(Math.abs(accessMaxAge - secondsUntil(body.accessTokenExpiresAt))).toBeLessThan(5);
    const refreshMaxAge = Number(refresh.attributes.get('max-age'));
    expect(refreshMaxAge).toBeGreaterThan(accessMaxAge);
    expect(refreshMaxAge).toBeLessThanOrEqual(REFRESH_TTL_MAX_SECONDS);
    expect(res.headers.get('cache-control')).toContain('no-store');
  });

  it('token login returns the user and both tokens in the body and sets no cookie', async () => {
    const res = await call('/auth/login', {
      json: { email: account.email, password: account.password, transport: 'token' },
    });

    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie()).toEqual([]);
    const body = await readJson(res, TokenPairSchema.extend({ user: UserSchema }));
    expect(body.user.id).toBe(account.user.id);
    expect(body.accessToken).not.toBe(body.refreshToken);
    expect(secondsUntil(body.accessTokenExpiresAt)).toBeGreaterThan(0);
    expect(secondsUntil(body.accessTokenExpiresAt)).toBeLessThanOrEqual(ACCESS_TTL_MAX_SECONDS);
    expect(secondsUntil(body.refreshTokenExpiresAt)).toBeGreaterThan(secondsUntil(body.accessTokenExpiresAt));
  });

  it('rejects a wrong password and an unknown email with the same generic 401', async () => {
    const wrong = await call('/auth/login', { json: { email: account.email, password: randomPassword() } });
    const unknown = await call('/auth/login', { json: { email: randomEmail(), password: randomPassword() } });

    const a = await expectProblem(wrong, 401, 'invalid_credentials');
    const b = await expectProblem(unknown, 401, 'invalid_credentials');
    expect({ ...a, requestId: '' }).toEqual({ ...b, requestId: '' });
    expect(wrong.headers.getSetCookie()).toEqual([]);
    expect(unknown.headers.getSetCookie()).toEqual([]);
  });

  it('GET /me answers the signed-in user for a Bearer access token', async () => {
    const tokens = await loginWithTokens(account);

    const res = await call('/me', { headers: bearer(tokens.accessToken) });

    expect(res.status).toBe(200);
    expect((await readJson(res, UserEnvelopeSchema)).user).toEqual(account.user);
  });

  it('GET /me answers the signed-in user for the access cookie alone', async () => {
    const { jar } = await loginWithCookies(account);

    const res = await call('/me', { jar });

    expect(res.status).toBe(200);
    expect((await readJson(res, UserEnvelopeSchema)).user).toEqual(account.user);
  });

  it('GET /me without credentials, with a garbage token or with a refresh token is 401', async () => {
    const tokens = await loginWithTokens(account);

    await expectProblem(await call('/me'), 401, 'unauthenticated');
    await expectProblem(await call('/me', { headers: bearer('not.a.jwt') }), 401, 'unauthenticated');
    await expectProblem(await call('/me', { headers: bearer(tokens.refreshToken) }), 401, 'unauthenticated');
  });

  it('never accepts an access token as a refresh token', async () => {
    const tokens = await loginWithTokens(account);

    await expectProblem(await refreshWithToken(tokens.accessToken), 401, 'unauthenticated');
    // The session itself is untouched by the failed attempt.
    expect((await refreshWithToken(tokens.refreshToken)).status).toBe(200);
  });

  it('signs access tokens with a published JWKS key and the documented claims', async () => {
    const tokens = await loginWithTokens(account);
    const jwks = await readJson(await call('/.well-known/jwks.json'), JwksSchema);

    const { kid, alg } = decodeProtectedHeader(tokens.accessToken);
    expect(jwks.keys.map((key) => key.kid)).toContain(kid);
    expect(alg === 'EdDSA' || alg === 'ES256').toBe(true);
    const { payload } = await jwtVerify(tokens.accessToken, createLocalJWKSet(jwks), {
      algorithms: ['EdDSA', 'ES256'],
    });
    expect(payload.sub).toBe(account.user.id);
    for (const claim of ['iss', 'aud', 'sid', 'jti', 'iat', 'exp']) expect(payload).toHaveProperty(claim);
    expect(Number(payload.exp) - Number(payload.iat)).toBeLessThanOrEqual(ACCESS_TTL_MAX_SECONDS);
    expect(jwtClaims(tokens.refreshToken).aud).not.toEqual(payload.aud);
    expect(jwtClaims(tokens.refreshToken).jti).not.toEqual(payload.jti);
  });

  it('token refresh rotates the pair; the old token replays the same pair within the grace window', async () => {
    const first = await loginWithTokens(account);

    const rotated = await refreshWithToken(first.refreshToken);
    expect(rotated.status).toBe(200);
    expect(rotated.headers.getSetCookie()).toEqual([]);
    const second = await readJson(rotated, TokenPairSchema.strict());
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(jwtClaims(second.accessToken).sid).toBe(jwtClaims(first.accessToken).sid);

    // Default grace window is 10 s: a second tab presenting the previous token gets the current pair.
    const replay = await readJson(await refreshWithToken(first.refreshToken), TokenPairSchema);
    expect(replay).toEqual(second);
    expect((await call('/me', { headers: bearer(second.accessToken) })).status).toBe(200);
  });

  it('a refresh token two generations old is reuse: 401 refresh_token_reused and the session dies', async () => {
    const gen0 = await loginWithTokens(account);
    const gen1 = await readJson(await refreshWithToken(gen0.refreshToken), TokenPairSchema);
    const gen2 = await readJson(await refreshWithToken(gen1.refreshToken), TokenPairSchema);
    expect((await call('/me', { headers: bearer(gen2.accessToken) })).status).toBe(200);

    await expectProblem(await refreshWithToken(gen0.refreshToken), 401, 'refresh_token_reused');

    await expectProblem(await call('/me', { headers: bearer(gen2.accessToken) }), 401, 'unauthenticated');
    await expectProblem(await refreshWithToken(gen2.refreshToken), 401, 'unauthenticated');
  });

  it('cookie refresh answers in cookie mode: new cookies, no tokens in the body', async () => {
    const { jar } = await loginWithCookies(account);
    const oldAccess = jar.get(ACCESS_COOKIE);
    const oldRefresh = jar.get(REFRESH_COOKIE);

    const res = await call(REFRESH_PATH, { method: 'POST', jar });

    expect(res.status, await res.clone().text()).toBe(200);
    // Besides the two new cookies, an expiry for a refresh cookie left on the old /auth/refresh path.
    const live = parseSetCookies(res).filter((cookie) => cookie.value !== '');
    expect(live.map((cookie) => cookie.name).sort()).toEqual([ACCESS_COOKIE, REFRESH_COOKIE].sort());
    expect(live.find((cookie) => cookie.name === REFRESH_COOKIE)?.attributes.get('path')).toBe(
      REFRESH_COOKIE_PATH,
    );
    CookieRefreshSchema.strict().parse(await res.json());
    expect(jar.get(ACCESS_COOKIE)).not.toBe(oldAccess);
    expect(jar.get(REFRESH_COOKIE)).not.toBe(oldRefresh);
    expect((await call('/me', { jar })).status).toBe(200);
  });

  it('a reused refresh cookie revokes the session and expires both cookies', async () => {
    const { jar } = await loginWithCookies(account);
    const stale = jar.clone();
    expect((await call(REFRESH_PATH, { method: 'POST', jar })).status).toBe(200);
    expect((await call(REFRESH_PATH, { method: 'POST', jar })).status).toBe(200);

    const res = await call(REFRESH_PATH, { method: 'POST', jar: stale });

    await expectProblem(res, 401, 'refresh_token_reused');
    const cleared = parseSetCookies(res);
    expect(new Set(cleared.map((cookie) => cookie.name))).toEqual(new Set([ACCESS_COOKIE, REFRESH_COOKIE]));
    for (const cookie of cleared) expect(cookie.attributes.get('max-age')).toBe('0');
    await expectProblem(await call('/me', { jar }), 401, 'unauthenticated');
    await expectProblem(await call(REFRESH_PATH, { method: 'POST', jar }), 401, 'unauthenticated');
  });

  it('refresh without any refresh token is 401', async () => {
    await expectProblem(await call(REFRESH_PATH, { method: 'POST' }), 401, 'unauthenticated');
  });
});
