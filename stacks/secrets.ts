import { publicJwksJson } from '../shared/adapters/crypto/public-jwks';

/**
 * Set per stage with `npx sst secret set <Name> <value> --stage <stage>`. SST encrypts the values into each
 * function's bundle (decrypted at cold start): they never appear in a Lambda environment variable, and reading
 * them needs no SSM or Secrets Manager call.
 */
export function createSecrets() {
  return {
    /** A private Ed25519 or P-256 JWK as JSON, with `kid` (JWT_SIGNING_KEY). */
    signingKey: new sst.Secret('JwtSigningKey'),
    /** JSON array of public JWKs still accepted while a key rotation settles (JWT_PREVIOUS_PUBLIC_KEYS). */
    previousPublicKeys: new sst.Secret('JwtPreviousPublicKeys', '[]'),
    /** At least 32 characters; changing it invalidates every stored password (PASSWORD_PEPPER). */
    pepper: new sst.Secret('PasswordPepper'),
  };
}

/**
 * The public half of the signing key (plus the previous public keys) for the functions that only verify
 * tokens (`$connect`): they get this link instead of the private key. Derived at deploy, so a rotation is
 * still one `sst secret set`.
 */
export function createVerifyKeys(secrets: ReturnType<typeof createSecrets>) {
  const keys = $resolve([secrets.signingKey.value, secrets.previousPublicKeys.value]).apply(
    ([signing, previous]) => publicJwksJson(signing, previous),
  );
  return new sst.Linkable('JwtVerifyKeys', { properties: { keys } });
}

/**
 * A random value made on the first deploy and kept in the stage's state: the Router sends it to the HTTP API
 * as `x-origin-verify` (stacks/web-edge.ts), proving the `x-viewer-address` next to it is CloudFront's. The
 * HTTP function gets it as a link (ORIGIN_VERIFY_SECRET), encrypted in its bundle like the secrets above.
 */
export async function createOriginVerify() {
  // Imported lazily: `sst install` evaluates sst.config.ts before .sst/platform (which ships @pulumi/random,
  // SST's own dependency) exists, and esbuild would hoist a static import of it to the top of the config.
  const { RandomPassword } = await import('@pulumi/random');
  const { result: secret } = new RandomPassword('OriginVerifySecret', { length: 48, special: false });
  return { secret, link: new sst.Linkable('OriginVerify', { properties: { secret } }) };
}
