import { createMiddleware } from 'hono/factory';
import type { SessionStore, TokenService } from '../../domain/auth/ports.js';
import { unauthenticated } from '../../domain/errors.js';
import type { AppEnv, CredentialSource } from '../app-env.js';
import { parseBearer } from '../bearer.js';
import { readCookie } from '../cookies.js';

type Credential = { token: string; via: CredentialSource };

/** Bearer wins over the cookie; a malformed Authorization header or a duplicated cookie is a 401, not a fallback. */
function readCredential(
  authorization: string | undefined,
  cookieHeader: string | undefined,
  cookieName: string,
): Credential {
  if (authorization !== undefined) {
    const token = parseBearer(authorization);
    if (!token) throw unauthenticated('Authorization header must be "Bearer <token>"');
    return { token, via: 'bearer' };
  }
  const cookie = readCookie(cookieHeader, cookieName);
  if (cookie.kind === 'ambiguous') throw unauthenticated('Duplicate session cookies');
  if (cookie.kind === 'absent') throw unauthenticated();
  return { token: cookie.value, via: 'cookie' };
}

/** Verifies the access token, then requires its Redis session to still exist (logout revokes at once). */
export const authenticate = (deps: { tokens: TokenService; sessions: SessionStore; accessCookie: string }) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const credential = readCredential(
      c.req.header('authorization'),
      c.req.header('cookie'),
      deps.accessCookie,
    );
    const claims = await deps.tokens.verifyAccess(credential.token);
    if (!claims) throw unauthenticated('Access token is invalid or expired');
    const session = await deps.sessions.findActive(claims.userId, claims.sessionId);
    if (!session) throw unauthenticated('Session has ended');
    c.set('auth', {
      userId: claims.userId,
      sessionId: claims.sessionId,
      user: session.user,
      via: credential.via,
    });
    await next();
  });
