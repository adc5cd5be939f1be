import type { AuthDeps } from './auth-policy.js';
import type { SignedToken } from './ports.js';

export interface SessionTokens {
  access: SignedToken;
  refresh: SignedToken;
}

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
    tokenId: generation.refreshId,
    issuedAtSeconds: generation.issuedAtSeconds,
  };
  const refreshExpiresAtSeconds = Math.floor(generation.refreshExpiresAtMs / 1000);
  const accessExpiresAtSeconds = Math.min(
    generation.issuedAtSeconds + deps.policy.accessTtlSeconds,
    refreshExpiresAtSeconds,
  );
  const [access, refresh] = await Promise.all([
    deps.tokens.signAccess({ ...base, expiresAtSeconds: accessExpiresAtSeconds }),
    deps.tokens.signRefresh({ ...base, expiresAtSeconds: refreshExpiresAtSeconds }),
  ]);
  return { access, refresh };
}
