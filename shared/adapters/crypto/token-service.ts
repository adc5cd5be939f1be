import { SignJWT } from 'jose';
import type { SignedToken, TokenClaims, TokenService } from '../../domain/auth/ports.js';
import type { KeySet } from './signing-keys.js';
import { audienceOf, createTokenVerifier, TOKEN_KINDS, type TokenKind } from './token-verifier.js';

export interface TokenServiceOptions {
  keys: KeySet;
  issuer: string;
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
  /** Test seam: the verifier's notion of "now". */
  now?: () => Date;
}

/** Signs with the private key and verifies with the public ones (token-verifier.ts). */
export function createTokenService(options: TokenServiceOptions): TokenService {
  const { keys, issuer } = options;
  const verifier = createTokenVerifier({ ...options, publicJwks: keys.publicJwks });

  async function sign(kind: TokenKind, claims: TokenClaims): Promise<SignedToken> {
    const token = await new SignJWT({ sid: claims.sessionId })
      .setProtectedHeader({ alg: keys.algorithm, kid: keys.kid, typ: TOKEN_KINDS[kind].typ })
      .setIssuer(issuer)
      .setAudience(audienceOf(issuer, kind))
      .setSubject(claims.userId)
      .setJti(claims.tokenId)
      .setIssuedAt(claims.issuedAtSeconds)
      .setExpirationTime(claims.expiresAtSeconds)
      .sign(keys.privateKey);
    return { token, expiresAt: new Date(claims.expiresAtSeconds * 1000) };
  }

  return {
    signAccess: (claims) => sign('access', claims),
    signRefresh: (claims) => sign('refresh', claims),
    ...verifier,
  };
}
