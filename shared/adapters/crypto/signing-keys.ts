import { type CryptoKey, importJWK, type JWK } from 'jose';
import {
  algorithmOf,
  parseJson,
  parsePublicJwks,
  type SigningAlgorithm,
  toPublicJwk,
} from './public-jwks.js';

export interface KeySet {
  algorithm: SigningAlgorithm;
  kid: string;
  privateKey: CryptoKey;
  /** Current plus previous public keys, as served at /.well-known/jwks.json. */
  publicJwks: JWK[];
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
  const current = toPublicJwk(signing) as JWK;
  const previous = parsePublicJwks(previousPublicKeysJson, 'JWT_PREVIOUS_PUBLIC_KEYS');
  const privateKey = (await importJWK({ ...signing, alg: algorithm }, algorithm)) as CryptoKey;
  const publicJwks = [current, ...previous] as JWK[];
  return { algorithm, kid: current.kid as string, privateKey, publicJwks };
}
