import { createMiddleware } from 'hono/factory';
import { parseBearer } from '../../domain/auth/bearer.js';
import type { SessionStore, TokenClaims, TokenService } from '../../domain/auth/ports.js';
import type { Clock } from '../../domain/clock.js';
import { unauthenticated } from '../../domain/errors.js';
import { createLruCache, type LruCache } from '../../domain/lru-cache.js';
import type { RequestLog } from '../../domain/request-log.js';
import type { AppEnv, CredentialSource } from '../app-env.js';
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

const CLAIMS_CACHE_SIZE = 1_000;

interface VerifiedClaims {
  claims: TokenClaims;
  expiresAtMs: number;
}

// One cache per token service (i.e. per key set), shared by every `authenticate` built on it. Per instance:
// an app built with other keys never sees tokens this one verified.
const claimsCaches = new WeakMap<TokenService, LruCache<string, VerifiedClaims>>();

export interface AuthenticateDeps {
  tokens: TokenService;
  sessions: SessionStore;
  accessCookie: string;
  clock?: Clock;
  /** Verified tokens remembered per warm instance (read when the token service is first seen). */
  claimsCacheSize?: number;
  /** Gets the user id once the session is confirmed, so the request's later log lines carry it. */
  requestLog?: RequestLog;
}

/**
 * The token's claims, verifying its signature only the first time this warm instance sees it. An entry is
 * used only while the token is unexpired by both the app's clock and the wall clock the verifier uses, so it
 * never outlives the token; key sets change only with a new instance. Only access tokens are cached, and
 * never the "expired is fine" verification that logout uses.
 */
async function verifiedClaims(deps: AuthenticateDeps, token: string): Promise<TokenClaims | null> {
  let cache = claimsCaches.get(deps.tokens);
  if (!cache) {
    cache = createLruCache(deps.claimsCacheSize ?? CLAIMS_CACHE_SIZE);
    claimsCaches.set(deps.tokens, cache);
  }
  const nowMs = Math.max(Date.now(), deps.clock?.nowMs() ?? 0);
  const cached = cache.get(token);
  if (cached && nowMs < cached.expiresAtMs) return cached.claims;
  if (cached) cache.delete(token);
  const claims = await deps.tokens.verifyAccess(token);
  const expiresAtMs = (claims?.expiresAtSeconds ?? 0) * 1000;
  if (claims && nowMs < expiresAtMs) cache.set(token, { claims, expiresAtMs });
  return claims;
}

/**
 * Verifies the access token (once per warm instance, see `verifiedClaims`), then requires its Redis session
 * to still exist on every request, so logout revokes at once.
 */
export const authenticate = (deps: AuthenticateDeps) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const credential = readCredential(
      c.req.header('authorization'),
      c.req.header('cookie'),
      deps.accessCookie,
    );
    const claims = await verifiedClaims(deps, credential.token);
    if (!claims) throw unauthenticated('Access token is invalid or expired');
    const session = await deps.sessions.findActive(claims.userId, claims.sessionId);
    if (!session) throw unauthenticated('Session has ended');
    c.set('auth', {
      userId: claims.userId,
      sessionId: claims.sessionId,
      user: session.user,
      via: credential.via,
    });
    deps.requestLog?.append({ userId: claims.userId });
    await next();
  });
