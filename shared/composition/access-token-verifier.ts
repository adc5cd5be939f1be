import type { JWK } from 'jose';
import { parsePublicJwks } from '../adapters/crypto/public-jwks.js';
import { createTokenVerifier } from '../adapters/crypto/token-verifier.js';
import type { RealtimeEnv } from '../config/realtime-env.js';
import type { TokenService } from '../domain/auth/ports.js';

/**
 * `$connect`'s Bearer check from JWT_PUBLIC_KEYS (the signing key's public half, then retired keys): it can
 * verify an access token and nothing else. No key fails the cold start rather than every handshake.
 */
export function accessTokenVerifier(env: RealtimeEnv): Pick<TokenService, 'verifyAccess'> {
  const publicJwks = parsePublicJwks(env.JWT_PUBLIC_KEYS) as JWK[];
  if (publicJwks.length === 0) {
    throw new Error('Invalid configuration:\n  JWT_PUBLIC_KEYS: must list at least one public JWK');
  }
  const verifier = createTokenVerifier({
    publicJwks,
    issuer: env.JWT_ISSUER,
    accessTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
  });
  return { verifyAccess: verifier.verifyAccess };
}
