import { createLocalJWKSet, decodeJwt, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import type { SignedToken, TokenClaims, TokenService, VerifyOptions } from '../../domain/auth/ports.js';
import type { KeySet } from './signing-keys.js';

// Each token kind has its own typ and audience, so one can never be replayed as the other (RFC 8725 §3.11).
const KINDS = {
  access: { typ: 'at+jwt', audience: 'api' },
  refresh: { typ: 'refresh+jwt', audience: 'auth/refresh' },
} as const;

type Kind = keyof typeof KINDS;

const CLOCK_TOLERANCE_SECONDS = 5;

export interface TokenServiceOptions {
  keys: KeySet;
  issuer: string;
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
  /** Test seam: the verifier's notion of "now". */
  now?: () => Date;
}

const audienceOf = (issuer: string, kind: Kind): string => `${issuer}/${KINDS[kind].audience}`;

/** jose with every check pinned (alg, iss, aud, typ, required claims, max age); defaults are too lenient. */
export function createTokenService(options: TokenServiceOptions): TokenService {
  const { keys, issuer } = options;
  const jwks = createLocalJWKSet({ keys: keys.publicJwks });
  const algorithms = [...new Set(keys.publicJwks.map((key) => key.alg as string))];

  async function sign(kind: Kind, claims: TokenClaims): Promise<SignedToken> {
    const token = await new SignJWT({ sid: claims.sessionId })
      .setProtectedHeader({ alg: keys.algorithm, kid: keys.kid, typ: KINDS[kind].typ })
      .setIssuer(issuer)
      .setAudience(audienceOf(issuer, kind))
      .setSubject(claims.userId)
      .setJti(claims.tokenId)
      .setIssuedAt(claims.issuedAtSeconds)
      .setExpirationTime(claims.expiresAtSeconds)
      .sign(keys.privateKey);
    return { token, expiresAt: new Date(claims.expiresAtSeconds * 1000) };
  }

  /**
   * "Now" for the claim checks. Expiry may be waived by verifying as of the token's own `exp` (read before
   * the signature is checked, but a forged `exp` then fails the signature): iat, max age and every other
   * check still apply at that instant, and a token not yet valid now stays rejected.
   */
  function verificationTime(token: string, allowExpired: boolean): Date {
    const now = options.now?.() ?? new Date();
    if (!allowExpired) return now;
    const { exp } = decodeJwt(token);
    return typeof exp === 'number' && exp * 1000 < now.getTime() ? new Date(exp * 1000) : now;
  }

  async function verify(
    kind: Kind,
    token: string,
    maxAgeSeconds: number,
    verifyOptions: VerifyOptions = {},
  ): Promise<TokenClaims | null> {
    try {
      const { payload } = await jwtVerify<JWTPayload & { sid?: unknown }>(token, jwks, {
        algorithms,
        issuer,
        audience: audienceOf(issuer, kind),
        typ: KINDS[kind].typ,
        requiredClaims: ['exp', 'iat', 'jti', 'sub', 'sid'],
        maxTokenAge: maxAgeSeconds + CLOCK_TOLERANCE_SECONDS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        currentDate: verificationTime(token, verifyOptions.allowExpired === true),
      });
      if (
        typeof payload.sid !== 'string' ||
        typeof payload.sub !== 'string' ||
        typeof payload.jti !== 'string'
      ) {
        return null;
      }
      return {
        userId: payload.sub,
        sessionId: payload.sid,
        tokenId: payload.jti,
        issuedAtSeconds: payload.iat as number,
        expiresAtSeconds: payload.exp as number,
      };
    } catch {
      // Any JOSE failure (bad signature, unknown kid, expired, wrong typ) is simply "not authenticated".
      return null;
    }
  }

  return {
    signAccess: (claims) => sign('access', claims),
    signRefresh: (claims) => sign('refresh', claims),
    verifyAccess: (token, verifyOptions) => verify('access', token, options.accessTtlSeconds, verifyOptions),
    verifyRefresh: (token) => verify('refresh', token, options.refreshTtlSeconds),
  };
}
