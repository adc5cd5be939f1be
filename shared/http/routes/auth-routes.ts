import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { parseBearer } from '../../domain/auth/bearer.js';
import { changePassword } from '../../domain/auth/change-password.js';
import { logIn } from '../../domain/auth/log-in.js';
import { logOut, logOutEverywhere } from '../../domain/auth/log-out.js';
import { refreshSession } from '../../domain/auth/refresh-session.js';
import { registerUser } from '../../domain/auth/register-user.js';
import type { SessionTokens } from '../../domain/auth/session-tokens.js';
import { isAppError, statusOf, unauthenticated } from '../../domain/errors.js';
import type { AppDeps } from '../app-deps.js';
import { userView } from '../app-deps.js';
import type { AppEnv } from '../app-env.js';
import {
  clearSessionCookies,
  cookieNames,
  expireLegacyRefreshCookie,
  readCookie,
  readCookieValues,
  setSessionCookies,
} from '../cookies.js';
import { authenticate } from '../middleware/authenticate.js';
import { requestOrigin } from '../request-origin.js';
import {
  ChangePasswordBody,
  CookieSessionResponse,
  jsonContent,
  LoginBody,
  LogoutBody,
  problems,
  RefreshBody,
  RegisterBody,
  TokenSessionResponse,
  UserResponse,
} from '../schemas.js';

const tokenBody = (tokens: SessionTokens) => ({
  accessToken: tokens.access.token,
  accessTokenExpiresAt: tokens.access.expiresAt.toISOString(),
  refreshToken: tokens.refresh.token,
  refreshTokenExpiresAt: tokens.refresh.expiresAt.toISOString(),
});

const register = createRoute({
  method: 'post',
  path: '/auth/register',
  operationId: 'registerUser',
  summary: 'Create an account',
  security: [],
  tags: ['auth'],
  request: { body: { required: true, ...jsonContent(RegisterBody, 'New account') } },
  responses: {
    201: jsonContent(UserResponse, 'Created'),
    ...problems(400, 403, 409, 413, 415, 429, 503),
  },
});

const login = createRoute({
  method: 'post',
  path: '/auth/login',
  operationId: 'logIn',
  summary: 'Sign in (cookie or token transport)',
  security: [],
  tags: ['auth'],
  description:
    'transport "cookie" (default) sets HttpOnly cookies (access on Path=/, refresh on Path=/auth so refresh ' +
    'and logout receive it) and returns no tokens; "token" returns them in the body.',
  request: { body: { required: true, ...jsonContent(LoginBody, 'Credentials') } },
  responses: {
    200: jsonContent(z.union([CookieSessionResponse, TokenSessionResponse]), 'Signed in'),
    ...problems(400, 401, 403, 413, 415, 429, 503),
  },
});

const refresh = createRoute({
  method: 'post',
  path: '/auth/refresh',
  operationId: 'refreshSession',
  summary: 'Rotate the refresh token for a new pair',
  security: [],
  tags: ['auth'],
  description:
    'Refresh token from the cookie (answers in cookie mode) or from the body (answers in token mode).',
  request: { body: { required: false, ...jsonContent(RefreshBody, 'Token-mode refresh token') } },
  responses: {
    200: jsonContent(z.union([CookieSessionResponse, TokenSessionResponse]), 'Rotated'),
    ...problems(400, 401, 403, 415, 503),
  },
});

const logout = createRoute({
  method: 'post',
  path: '/auth/logout',
  operationId: 'logOut',
  summary: 'Sign out the session of any token presented',
  security: [],
  tags: ['auth'],
  description:
    'Ends the session named by any token the caller holds: the access token (Bearer or cookie, accepted ' +
    'even when expired), the refresh cookie (its path is /auth, so it is sent here) or a token-mode ' +
    '{refreshToken} body. A refresh token revokes without rotating. Always expires the cookies; a 204 ' +
    'means no session named by those tokens is left.',
  request: { body: { required: false, ...jsonContent(LogoutBody, 'Token-mode refresh token') } },
  responses: { 204: { description: 'Signed out' }, ...problems(400, 403, 415, 503) },
});

const logoutAll = createRoute({
  method: 'post',
  path: '/auth/logout-all',
  operationId: 'logOutEverywhere',
  summary: 'Sign out every session of the user',
  tags: ['auth'],
  security: [{ bearer: [] }, { cookie: [] }] as Record<string, string[]>[],
  responses: { 204: { description: 'Every session revoked' }, ...problems(401, 403, 503) },
});

const passwordChange = createRoute({
  method: 'post',
  path: '/auth/password',
  operationId: 'changePassword',
  summary: 'Change your password; every other session is signed out',
  tags: ['auth'],
  security: [{ bearer: [] }, { cookie: [] }] as Record<string, string[]>[],
  description:
    'Re-checks the current password (counted in the login throttle: 429 + Retry-After when exceeded), ' +
    'applies the registration password policy to the new one (it may equal the current one), then revokes ' +
    'every other session of the user and closes their sockets. The calling session stays signed in.',
  request: { body: { required: true, ...jsonContent(ChangePasswordBody, 'Current and new password') } },
  responses: {
    204: { description: 'Changed; the other sessions are revoked' },
    ...problems(400, 401, 403, 413, 415, 429, 503),
  },
});

/** Register, login, refresh, logout, logout-all and password change. */
export function authRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();
  const secure = deps.http.cookieSecure;
  const names = cookieNames(secure);
  const origin = (c: Parameters<typeof requestOrigin>[1]) => requestOrigin(deps, c);

  app.openapi(register, async (c) => {
    const user = await registerUser(deps, c.req.valid('json'), origin(c));
    deps.requestLog.append({ userId: user.id });
    return c.json({ user: userView(user) }, 201);
  });

  app.openapi(login, async (c) => {
    const body = c.req.valid('json');
    const result = await logIn(deps, body, origin(c));
    deps.requestLog.append({ userId: result.user.id });
    if (body.transport === 'token')
      return c.json({ user: userView(result.user), ...tokenBody(result.tokens) }, 200);
    setSessionCookies(c, result.tokens, secure);
    return c.json(
      { user: userView(result.user), accessTokenExpiresAt: result.tokens.access.expiresAt.toISOString() },
      200,
    );
  });

  app.openapi(refresh, async (c) => {
    const bodyToken = c.req.valid('json')?.refreshToken;
    const cookie = readCookie(c.req.header('cookie'), names.refresh);
    const cookieMode = bodyToken === undefined;
    try {
      if (cookieMode && cookie.kind === 'ambiguous') throw unauthenticated('Duplicate refresh cookies');
      const presented = bodyToken ?? (cookie.kind === 'present' ? cookie.value : undefined);
      if (!presented) throw unauthenticated('No refresh token');
      const tokens = await refreshSession(deps, presented);
      if (!cookieMode) return c.json(tokenBody(tokens), 200);
      expireLegacyRefreshCookie(c, secure);
      setSessionCookies(c, tokens, secure);
      return c.json({ accessTokenExpiresAt: tokens.access.expiresAt.toISOString() }, 200);
    } catch (error) {
      // A dead refresh cookie is useless to the browser; the 401 from onError carries its expiry.
      if (cookieMode && isAppError(error) && statusOf(error.code) === 401) clearSessionCookies(c, secure);
      throw error;
    }
  });

  app.openapi(logout, async (c) => {
    const cookies = c.req.header('cookie');
    const bearer = parseBearer(c.req.header('authorization') ?? '');
    const bodyToken = c.req.valid('json')?.refreshToken;
    await logOut(deps, {
      accessTokens: [...(bearer ? [bearer] : []), ...readCookieValues(cookies, names.access)],
      refreshTokens: [...(bodyToken ? [bodyToken] : []), ...readCookieValues(cookies, names.refresh)],
    });
    clearSessionCookies(c, secure);
    c.header('clear-site-data', '"cookies", "storage"');
    return c.body(null, 204);
  });

  app.use(logoutAll.path, authenticate({ ...deps, accessCookie: names.access }));
  app.openapi(logoutAll, async (c) => {
    await logOutEverywhere(deps, c.get('auth').userId);
    clearSessionCookies(c, secure);
    c.header('clear-site-data', '"cookies", "storage"');
    return c.body(null, 204);
  });

  app.use(passwordChange.path, authenticate({ ...deps, accessCookie: names.access }));
  app.openapi(passwordChange, async (c) => {
    const { user, sessionId } = c.get('auth');
    await changePassword(deps, { user, sessionId }, c.req.valid('json'), origin(c));
    return c.body(null, 204);
  });

  return app;
}
