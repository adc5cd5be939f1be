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
