import type { AuthDeps } from './auth-deps.js';
import { sha256Base64Url } from './digest.js';
import type { SignedToken } from './ports.js';

export interface SessionTokens {
  access: SignedToken;
  refresh: SignedToken;
}

/**
 * The access token's own `jti`, derived from the refresh generation: deterministic (so grace replays stay
 * byte-identical) and one-way (an access token, which travels far more, never reveals the refresh id).
 */
const accessTokenId = (refreshId: string): Promise<string> => sha256Base64Url(`access:${refreshId}`);

/**
 * Signs the access/refresh pair for one refresh generation. Inputs come only from the stored generation
 * (id, issue time, expiry), and EdDSA signatures are deterministic, so a grace-window replay yields the
 * byte-identical pair instead of a second live token.
 */
export async function signSessionTokens(
  deps: Pick<AuthDeps, 'tokens' | 'policy'>,
  generation: {
    userId: string;
    sessionId: string;
    refreshId: string;
    issuedAtSeconds: number;
    refreshExpiresAtMs: number;
  },
): Promise<SessionTokens> {
  const base = {
    userId: generation.userId,
    sessionId: generation.sessionId,
    issuedAtSeconds: generation.issuedAtSeconds,
  };
  const refreshExpiresAtSeconds = Math.floor(generation.refreshExpiresAtMs / 1000);
  const accessExpiresAtSeconds = Math.min(
    generation.issuedAtSeconds + deps.policy.accessTtlSeconds,
    refreshExpiresAtSeconds,
  );
  const accessId = await accessTokenId(generation.refreshId);
  const [access, refresh] = await Promise.all([
    deps.tokens.signAccess({ ...base, tokenId: accessId, expiresAtSeconds: accessExpiresAtSeconds }),
    deps.tokens.signRefresh({
      ...base,
      tokenId: generation.refreshId,
      expiresAtSeconds: refreshExpiresAtSeconds,
    }),
  ]);
  return { access, refresh };
}
