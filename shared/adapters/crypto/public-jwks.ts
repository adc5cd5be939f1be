// No imports: the stacks use this too, to hand `$connect` the public half of the signing key as a link.

/** The fields of a JWK this app reads; `d` marks a private key. */
export interface Jwk {
  kty?: string;
  crv?: string;
  x?: string;
  y?: string;
  d?: string;
  kid?: string;
  alg?: string;
  use?: string;
}

export type SigningAlgorithm = 'EdDSA' | 'ES256';

export function algorithmOf(jwk: Jwk): SigningAlgorithm {
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  throw new Error('Signing keys must be Ed25519 (OKP) or P-256 (EC) JWKs');
}

/** The public half of a key (never `d`), with its algorithm pinned. */
export function toPublicJwk(jwk: Jwk): Jwk {
  const algorithm = algorithmOf(jwk);
  if (!jwk.kid) throw new Error('Every signing key needs a "kid"');
  const { kty, crv, x, y, kid } = jwk;
  return { kty, crv, x, ...(y ? { y } : {}), kid, alg: algorithm, use: 'sig' };
}

export function parseJson(source: string, name: string): unknown {
  try {
    return JSON.parse(source);
  } catch {
    throw new Error(`${name} is not valid JSON`);
  }
}

/** A JSON array of JWKs, reduced to their public halves (a retired private key may be pasted in as is). */
export function parsePublicJwks(json: string, name = 'JWT_PUBLIC_KEYS'): Jwk[] {
  const keys = parseJson(json, name);
  if (!Array.isArray(keys)) throw new Error(`${name} must be a JSON array of public JWKs`);
  return keys.map((key) => toPublicJwk((key ?? {}) as Jwk));
}

/** JWT_PUBLIC_KEYS for the verifying functions: the signing key's public half, then the previous keys. */
export function publicJwksJson(signingKeyJson: string, previousPublicKeysJson = '[]'): string {
  const signing = parseJson(signingKeyJson, 'JWT_SIGNING_KEY') as Jwk;
  return JSON.stringify([
    toPublicJwk(signing),
    ...parsePublicJwks(previousPublicKeysJson, 'JWT_PREVIOUS_PUBLIC_KEYS'),
  ]);
}
