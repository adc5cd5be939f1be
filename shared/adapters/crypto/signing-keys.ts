import { type CryptoKey, importJWK, type JWK } from 'jose';

export type SigningAlgorithm = 'EdDSA' | 'ES256';

export interface KeySet {
  algorithm: SigningAlgorithm;
  kid: string;
  privateKey: CryptoKey;
  /** Current plus previous public keys, as served at /.well-known/jwks.json. */
  publicJwks: JWK[];
}

function algorithmOf(jwk: JWK): SigningAlgorithm {
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  throw new Error('Signing keys must be Ed25519 (OKP) or P-256 (EC) JWKs');
}

function toPublicJwk(jwk: JWK): JWK {
  const algorithm = algorithmOf(jwk);
  if (!jwk.kid) throw new Error('Every signing key needs a "kid"');
  const { kty, crv, x, y, kid } = jwk;
  return { kty, crv, x, ...(y ? { y } : {}), kid, alg: algorithm, use: 'sig' };
}

function parseJson(source: string, name: string): unknown {
  try {
    return JSON.parse(source);
  } catch {
    throw new Error(`${name} is not valid JSON`);
  }
}

/**
 * Imports keys once per cold start (importing per request costs 3–8× per operation) and fails fast on a
 * missing, malformed or non-private signing key.
 */
export async function loadKeySet(signingKeyJson: string, previousPublicKeysJson = '[]'): Promise<KeySet> {
  const signing = parseJson(signingKeyJson, 'JWT_SIGNING_KEY') as JWK;
  if (!signing || typeof signing !== 'object' || typeof signing.d !== 'string') {
    throw new Error('JWT_SIGNING_KEY must be a private JWK (with "d")');
  }
  const algorithm = algorithmOf(signing);
  const current = toPublicJwk(signing);
  const previous = parseJson(previousPublicKeysJson, 'JWT_PREVIOUS_PUBLIC_KEYS');
  if (!Array.isArray(previous))
    throw new Error('JWT_PREVIOUS_PUBLIC_KEYS must be a JSON array of public JWKs');
  const privateKey = (await importJWK({ ...signing, alg: algorithm }, algorithm)) as CryptoKey;
  const publicJwks = [current, ...previous.map((key) => toPublicJwk(key as JWK))];
  return { algorithm, kid: current.kid as string, privateKey, publicJwks };
}
