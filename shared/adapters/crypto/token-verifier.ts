import { createLocalJWKSet, decodeJwt, type JWK, type JWTPayload, jwtVerify } from 'jose';
import type { TokenClaims, TokenService, VerifyOptions } from '../../domain/auth/ports.js';

// Each token kind has its own typ and audience, so one can never be replayed as the other (RFC 8725 §3.11).
export const TOKEN_KINDS = {
  access: { typ: 'at+jwt', audience: 'api' },
  refresh: { typ: 'refresh+jwt', audience: 'auth/refresh' },
} as const;

const CLOCK_TOLERANCE_SECONDS = 5;

export type TokenKind = keyof typeof TOKEN_KINDS;

export const audienceOf = (issuer: string, kind: TokenKind): string =>
  `${issuer}/${TOKEN_KINDS[kind].audience}`;

export interface TokenVerifierOptions {
  /** Public JWKs only: current and previous keys (a verifier never holds a private key). */
  publicJwks: JWK[];
  issuer: string;
  accessTtlSeconds: number;
  /** Unset: an access-token verifier only (the WebSocket `$connect`), which accepts no refresh token. */
  refreshTtlSeconds?: number;
  /** Test seam: the verifier's notion of "now". */
  now?: () => Date;
}

export type TokenVerifier = Pick<TokenService, 'verifyAccess' | 'verifyRefresh'>;

/**
 * jose with every check pinned (alg, iss, aud, typ, required claims, max age); defaults are too lenient.
 * Functions that only verify (the WebSocket `$connect`) build this alone, from public keys.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const { issuer } = options;
  const jwks = createLocalJWKSet({ keys: options.publicJwks });
  const algorithms = [...new Set(options.publicJwks.map((key) => key.alg as string))];

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
    kind: TokenKind,
    token: string,
    maxAgeSeconds: number,
    verifyOptions: VerifyOptions = {},
  ): Promise<TokenClaims | null> {
    try {
      const { payload } = await jwtVerify<JWTPayload & { sid?: unknown }>(token, jwks, {
        algorithms,
        issuer,
        audience: audienceOf(issuer, kind),
        typ: TOKEN_KINDS[kind].typ,
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
    verifyAccess: (token, verifyOptions) => verify('access', token, options.accessTtlSeconds, verifyOptions),
    verifyRefresh: async (token) =>
      options.refreshTtlSeconds === undefined ? null : verify('refresh', token, options.refreshTtlSeconds),
  };
}
