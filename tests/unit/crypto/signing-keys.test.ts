import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { generateSigningKeyJson } from '../../../shared/adapters/crypto/generate-signing-key.js';
import { loadKeySet } from '../../../shared/adapters/crypto/signing-keys.js';

// Shape of an RSA private JWK; loadKeySet must refuse it by key type, before any import (RSA keygen is slow).
const RSA_JWK: JWK = {
  kty: 'RSA',
  kid: 'rsa',
  alg: 'RS256',
  n: Buffer.alloc(256, 0xc3).toString('base64url'),
  e: 'AQAB',
  d: Buffer.alloc(256, 0x5a).toString('base64url'),
};

async function privateJwk(alg: 'EdDSA' | 'ES256', kid?: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(privateKey);
  return kid ? { ...jwk, kid } : jwk;
}

const publicPart = (json: string): JWK => {
  const { d: _d, ...rest } = JSON.parse(json) as JWK;
  return rest;
};

describe('loadKeySet', () => {
  it('loads an Ed25519 private JWK as EdDSA and publishes only its public half', async () => {
    const keys = await loadKeySet(await generateSigningKeyJson('current'));

    expect(keys.algorithm).toBe('EdDSA');
    expect(keys.kid).toBe('current');
    expect(keys.publicJwks).toHaveLength(1);
    expect(keys.publicJwks[0]).toMatchObject({
      kty: 'OKP',
      crv: 'Ed25519',
      kid: 'current',
      alg: 'EdDSA',
      use: 'sig',
    });
    expect(keys.publicJwks[0]).not.toHaveProperty('d');
  });

  it('loads a P-256 private JWK as ES256', async () => {
    const keys = await loadKeySet(JSON.stringify(await privateJwk('ES256', 'ec-key')));

    expect(keys.algorithm).toBe('ES256');
    expect(keys.publicJwks[0]).toMatchObject({ kty: 'EC', crv: 'P-256', kid: 'ec-key', alg: 'ES256' });
    expect(keys.publicJwks[0]).not.toHaveProperty('d');
  });

  it('publishes previous public keys after the current one, stripped of any private part', async () => {
    const previousJson = await generateSigningKeyJson('previous');

    const keys = await loadKeySet(
      await generateSigningKeyJson('current'),
      JSON.stringify([JSON.parse(previousJson)]),
    );

    expect(keys.publicJwks.map((key) => key.kid)).toEqual(['current', 'previous']);
    expect(keys.publicJwks[1]).toEqual({ ...publicPart(previousJson), alg: 'EdDSA', use: 'sig' });
    expect(keys.publicJwks[1]).not.toHaveProperty('d');
  });

  it.each([
    ['missing (empty)', ''],
    ['not JSON', '{"kty":'],
  ])('fails fast when the signing key is %s', async (_label, source) => {
    await expect(loadKeySet(source)).rejects.toThrow('JWT_SIGNING_KEY is not valid JSON');
  });

  it.each([
    ['null', 'null'],
    ['a JSON string', '"secret"'],
    ['an array', '[]'],
  ])('fails fast when the signing key JSON is %s', async (_label, source) => {
    await expect(loadKeySet(source)).rejects.toThrow('JWT_SIGNING_KEY must be a private JWK');
  });

  it('fails fast on a public-only key', async () => {
    const publicOnly = publicPart(await generateSigningKeyJson('pub'));

    await expect(loadKeySet(JSON.stringify(publicOnly))).rejects.toThrow('must be a private JWK');
  });

  it('fails fast on an RSA key', async () => {
    await expect(loadKeySet(JSON.stringify(RSA_JWK))).rejects.toThrow('must be Ed25519 (OKP) or P-256 (EC)');
  });

  it('fails fast on a symmetric (HS) key', async () => {
    const oct = { kty: 'oct', k: Buffer.alloc(32, 7).toString('base64url'), kid: 'hs', alg: 'HS256' };

    await expect(loadKeySet(JSON.stringify(oct))).rejects.toThrow();
  });

  it('fails fast on a symmetric key even if it carries a "d" member', async () => {
    const oct = { kty: 'oct', k: 'c2VjcmV0', d: 'c2VjcmV0', kid: 'hs' };

    await expect(loadKeySet(JSON.stringify(oct))).rejects.toThrow('must be Ed25519 (OKP) or P-256 (EC)');
  });

  it('fails fast on a key without a kid', async () => {
    const { kid: _kid, ...withoutKid } = JSON.parse(await generateSigningKeyJson('x')) as JWK;

    await expect(loadKeySet(JSON.stringify(withoutKid))).rejects.toThrow('needs a "kid"');
  });

  it('fails fast on a private key whose "d" does not belong to the curve', async () => {
    const broken = { ...(JSON.parse(await generateSigningKeyJson('x')) as JWK), d: 'AAAA' };

    await expect(loadKeySet(JSON.stringify(broken))).rejects.toThrow();
  });

  it.each([
    ['not JSON', '[{', 'JWT_PREVIOUS_PUBLIC_KEYS is not valid JSON'],
    ['not an array', '{}', 'JWT_PREVIOUS_PUBLIC_KEYS must be a JSON array'],
  ])('fails fast when the previous keys are %s', async (_label, previous, message) => {
    await expect(loadKeySet(await generateSigningKeyJson('current'), previous)).rejects.toThrow(message);
  });

  it('fails fast on a previous key without a kid or of an unsupported type', async () => {
    const current = await generateSigningKeyJson('current');
    const { kid: _kid, ...noKid } = publicPart(await generateSigningKeyJson('old'));

    await expect(loadKeySet(current, JSON.stringify([noKid]))).rejects.toThrow('needs a "kid"');
    await expect(loadKeySet(current, JSON.stringify([RSA_JWK]))).rejects.toThrow('must be Ed25519');
  });
});
