import {
  base64url,
  type CryptoKey,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTHeaderParameters,
  type JWTPayload,
  SignJWT,
} from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKeyJson } from '../../../shared/adapters/crypto/generate-signing-key.js';
import { type KeySet, loadKeySet } from '../../../shared/adapters/crypto/signing-keys.js';
import { createTokenService } from '../../../shared/adapters/crypto/token-service.js';
import type { TokenClaims, TokenService } from '../../../shared/domain/auth/ports.js';

const ISSUER = 'https://auth.test';
const ACCESS_AUD = `${ISSUER}/api`;
const REFRESH_AUD = `${ISSUER}/auth/refresh`;
const ACCESS_TTL = 900;
const REFRESH_TTL = 86_400;
const NOW_MS = Date.UTC(2030, 0, 1, 12);
const NOW = NOW_MS / 1000;

const service = (keys: KeySet, nowMs = NOW_MS): TokenService =>
  createTokenService({
    keys,
    issuer: ISSUER,
    accessTtlSeconds: ACCESS_TTL,
    refreshTtlSeconds: REFRESH_TTL,
    now: () => new Date(nowMs),
  });

const claims = (overrides: Partial<TokenClaims> = {}): TokenClaims => ({
  userId: 'user-1',
  sessionId: 'session-1',
  tokenId: 'token-1',
  issuedAtSeconds: NOW,
  expiresAtSeconds: NOW + 600,
  ...overrides,
});

/** A well-formed access-token payload, to break one claim at a time. */
const accessPayload = (): JWTPayload => ({
  iss: ISSUER,
  aud: ACCESS_AUD,
  sub: 'user-1',
  sid: 'session-1',
  jti: 'token-1',
  iat: NOW,
  exp: NOW + 600,
});

const signRaw = (key: CryptoKey | Uint8Array, header: JWTHeaderParameters, payload: JWTPayload) =>
  new SignJWT(payload).setProtectedHeader(header).sign(key);

const encodeSegment = (value: object): string => base64url.encode(JSON.stringify(value));

let keys: KeySet;
let tokens: TokenService;
let header: JWTHeaderParameters;

beforeAll(async () => {
  keys = await loadKeySet(await generateSigningKeyJson('current'));
  tokens = service(keys);
  header = { alg: 'EdDSA', kid: 'current', typ: 'at+jwt' };
});

describe('token service round trips', () => {
  it('signs and verifies an access token', async () => {
    const signed = await tokens.signAccess(claims());

    expect(await tokens.verifyAccess(signed.token)).toEqual(claims());
    expect(signed.expiresAt).toEqual(new Date((NOW + 600) * 1000));
  });

  it('signs and verifies a refresh token', async () => {
    const signed = await tokens.signRefresh(claims({ expiresAtSeconds: NOW + REFRESH_TTL }));

    expect(await tokens.verifyRefresh(signed.token)).toEqual(claims({ expiresAtSeconds: NOW + REFRESH_TTL }));
  });

  it('rejects an access token presented as a refresh token', async () => {
    const { token } = await tokens.signAccess(claims());

    expect(await tokens.verifyRefresh(token)).toBeNull();
  });

  it('rejects a refresh token presented as an access token', async () => {
    const { token } = await tokens.signRefresh(claims());

    expect(await tokens.verifyAccess(token)).toBeNull();
  });

  it('signs deterministically with EdDSA: the same claims give the identical token string', async () => {
    const [first, second] = await Promise.all([tokens.signRefresh(claims()), tokens.signRefresh(claims())]);

    expect(second.token).toBe(first.token);
  });

  it.each([
    ['empty', ''],
    ['garbage', 'not.a.jwt'],
    ['huge', 'x'.repeat(100_000)],
  ])('returns null (never throws) for %s input', async (_label, input) => {
    await expect(tokens.verifyAccess(input)).resolves.toBeNull();
    await expect(tokens.verifyRefresh(input)).resolves.toBeNull();
  });
});

describe('token service time checks', () => {
  it('rejects an expired token', async () => {
    const { token } = await tokens.signAccess(
      claims({ issuedAtSeconds: NOW - 700, expiresAtSeconds: NOW - 100 }),
    );

    expect(await tokens.verifyAccess(token)).toBeNull();
  });

  it('tolerates a few seconds of clock skew on exp, but no more', async () => {
    const justExpired = await tokens.signAccess(
      claims({ issuedAtSeconds: NOW - 600, expiresAtSeconds: NOW - 2 }),
    );
    const longExpired = await tokens.signAccess(
      claims({ issuedAtSeconds: NOW - 600, expiresAtSeconds: NOW - 30 }),
    );

    expect(await tokens.verifyAccess(justExpired.token)).not.toBeNull();
    expect(await tokens.verifyAccess(longExpired.token)).toBeNull();
  });

  it('rejects a token whose iat is in the future', async () => {
    const { token } = await tokens.signAccess(
      claims({ issuedAtSeconds: NOW + 60, expiresAtSeconds: NOW + 600 }),
    );

    expect(await tokens.verifyAccess(token)).toBeNull();
  });

  it('rejects an access token older than the access TTL even if its exp is later', async () => {
    const { token } = await tokens.signAccess(
      claims({ issuedAtSeconds: NOW - ACCESS_TTL - 60, expiresAtSeconds: NOW + 3600 }),
    );

    expect(await tokens.verifyAccess(token)).toBeNull();
  });

  it('accepts the same token once the verifier clock is inside its lifetime', async () => {
    const { token } = await tokens.signAccess(
      claims({ issuedAtSeconds: NOW + 60, expiresAtSeconds: NOW + 600 }),
    );

    expect(await service(keys, NOW_MS + 120_000).verifyAccess(token)).not.toBeNull();
  });
});

describe('token service: expired access tokens for logout (allowExpired)', () => {
  const expired = () => claims({ issuedAtSeconds: NOW - 3600, expiresAtSeconds: NOW - 3600 + ACCESS_TTL });

  it('accepts an access token long past its exp, with the same claims', async () => {
    const { token } = await tokens.signAccess(expired());

    expect(await tokens.verifyAccess(token)).toBeNull();
    expect(await tokens.verifyAccess(token, { allowExpired: true })).toEqual(expired());
  });

  it('still accepts a live access token', async () => {
    const { token } = await tokens.signAccess(claims());

    expect(await tokens.verifyAccess(token, { allowExpired: true })).toEqual(claims());
  });

  it('still rejects a forged signature, another key, the refresh typ/audience and a wrong issuer', async () => {
    const payload = { ...accessPayload(), iat: NOW - 3600, exp: NOW - 3000 };
    const { privateKey } = await generateKeyPair('EdDSA');
    const forged = [
      await signRaw(privateKey, header, payload),
      await signRaw(keys.privateKey, { ...header, typ: 'refresh+jwt' }, payload),
      await signRaw(keys.privateKey, header, { ...payload, aud: REFRESH_AUD }),
      await signRaw(keys.privateKey, header, { ...payload, iss: 'https://evil.test' }),
      (await tokens.signRefresh(expired())).token,
    ];

    for (const token of forged) expect(await tokens.verifyAccess(token, { allowExpired: true })).toBeNull();
  });

  it('cannot be stretched by editing exp: the changed payload breaks the signature', async () => {
    const { token } = await tokens.signAccess(expired());
    const [head = '', , signature = ''] = token.split('.');
    const edited = `${head}.${encodeSegment({ ...accessPayload(), iat: NOW - 3600, exp: NOW + 600 })}.${signature}`;

    expect(await tokens.verifyAccess(edited, { allowExpired: true })).toBeNull();
  });

  it('keeps the max-age and future-iat checks', async () => {
    const tooLong = await tokens.signAccess(
      claims({ issuedAtSeconds: NOW - 10 * ACCESS_TTL, expiresAtSeconds: NOW - 2 * ACCESS_TTL }),
    );
    const future = await tokens.signAccess(
      claims({ issuedAtSeconds: NOW + 60, expiresAtSeconds: NOW + 600 }),
    );

    expect(await tokens.verifyAccess(tooLong.token, { allowExpired: true })).toBeNull();
    expect(await tokens.verifyAccess(future.token, { allowExpired: true })).toBeNull();
  });
});

describe('token service claim and header checks', () => {
  it('accepts a hand-built token with every required claim (baseline for the cases below)', async () => {
    const token = await signRaw(keys.privateKey, header, accessPayload());

    expect(await tokens.verifyAccess(token)).toEqual(claims());
  });

  it.each(['exp', 'iat', 'jti', 'sid', 'sub'])('rejects a token without %s', async (claim) => {
    const { [claim]: _dropped, ...payload } = accessPayload();

    const token = await signRaw(keys.privateKey, header, payload);

    expect(await tokens.verifyAccess(token)).toBeNull();
  });

  it.each([
    ['sid is not a string', { sid: 42 }],
    ['iss is another issuer', { iss: 'https://evil.test' }],
    ['aud is the refresh audience', { aud: REFRESH_AUD }],
    ['aud is missing', { aud: undefined }],
    ['aud is another API', { aud: 'https://auth.test/other' }],
  ])('rejects a token whose %s', async (_label, change) => {
    const token = await signRaw(keys.privateKey, header, { ...accessPayload(), ...change });

    expect(await tokens.verifyAccess(token)).toBeNull();
  });

  it.each([
    ['the refresh typ', 'refresh+jwt'],
    ['a generic JWT typ', 'JWT'],
    ['no typ', undefined],
  ])('rejects an access token with %s', async (_label, typ) => {
    const token = await signRaw(keys.privateKey, { ...header, typ }, accessPayload());

    expect(await tokens.verifyAccess(token)).toBeNull();
  });

  it('rejects an unsigned token (alg: none)', async () => {
    const token = `${encodeSegment({ alg: 'none', typ: 'at+jwt', kid: 'current' })}.${encodeSegment(accessPayload())}.`;

    expect(await tokens.verifyAccess(token)).toBeNull();
  });

  it('rejects an HS256 token whose HMAC secret is the public key', async () => {
    const publicJwk = keys.publicJwks[0] as JWK;
    const secrets = [
      new TextEncoder().encode(JSON.stringify(publicJwk)),
      base64url.decode(publicJwk.x ?? ''),
    ];

    for (const secret of secrets) {
      const token = await signRaw(secret, { alg: 'HS256', kid: 'current', typ: 'at+jwt' }, accessPayload());
      expect(await tokens.verifyAccess(token)).toBeNull();
    }
  });

  it('rejects a token with an unknown kid, even if signed by the current key', async () => {
    const token = await signRaw(keys.privateKey, { ...header, kid: 'unknown' }, accessPayload());

    expect(await tokens.verifyAccess(token)).toBeNull();
  });

  it('rejects a token signed by a foreign key that claims the current kid', async () => {
    const { privateKey } = await generateKeyPair('EdDSA');

    const token = await signRaw(privateKey, header, accessPayload());

    expect(await tokens.verifyAccess(token)).toBeNull();
  });

  it('ignores an embedded jwk (and jku/x5u) header: keys come only from config', async () => {
    const attacker = await generateKeyPair('EdDSA', { extractable: true });
    const jwk = await exportJWK(attacker.publicKey);
    const headers: JWTHeaderParameters[] = [
      { alg: 'EdDSA', typ: 'at+jwt', jwk },
      { alg: 'EdDSA', typ: 'at+jwt', kid: 'current', jwk },
      { alg: 'EdDSA', typ: 'at+jwt', jku: 'https://evil.test/jwks.json' },
      { alg: 'EdDSA', typ: 'at+jwt', x5u: 'https://evil.test/cert.pem' },
    ];

    for (const attackerHeader of headers) {
      const token = await signRaw(attacker.privateKey, attackerHeader, accessPayload());
      expect(await tokens.verifyAccess(token)).toBeNull();
    }
  });
});

describe('token service key rotation and algorithms', () => {
  it('still verifies tokens signed with the previous key listed in JWT_PREVIOUS_PUBLIC_KEYS', async () => {
    const previousJson = await generateSigningKeyJson('previous');
    const oldTokens = service(await loadKeySet(previousJson));
    const { token } = await oldTokens.signAccess(claims());
    const { d: _d, ...previousPublic } = JSON.parse(previousJson) as JWK;

    const rotated = service(
      await loadKeySet(await generateSigningKeyJson('next'), JSON.stringify([previousPublic])),
    );
    const withoutPrevious = service(await loadKeySet(await generateSigningKeyJson('next')));

    expect(await rotated.verifyAccess(token)).toEqual(claims());
    expect(await withoutPrevious.verifyAccess(token)).toBeNull();
  });

  it('signs with the new key after rotation', async () => {
    const previousJson = await generateSigningKeyJson('previous');
    const rotatedKeys = await loadKeySet(
      await generateSigningKeyJson('next'),
      JSON.stringify([JSON.parse(previousJson)]),
    );

    const { token } = await service(rotatedKeys).signAccess(claims());

    const [encodedHeader = ''] = token.split('.');
    expect(JSON.parse(new TextDecoder().decode(base64url.decode(encodedHeader)))).toMatchObject({
      kid: 'next',
    });
  });

  it('works with an ES256 (P-256) key and keeps the kinds apart', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const es256 = service(await loadKeySet(JSON.stringify({ ...(await exportJWK(privateKey)), kid: 'ec' })));

    const access = await es256.signAccess(claims());
    const refresh = await es256.signRefresh(claims());

    expect(await es256.verifyAccess(access.token)).toEqual(claims());
    expect(await es256.verifyRefresh(refresh.token)).toEqual(claims());
    expect(await es256.verifyRefresh(access.token)).toBeNull();
    expect(await tokens.verifyAccess(access.token)).toBeNull();
  });

  it('rejects an EdDSA token at an ES256-only verifier even with a matching kid', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const es256 = service(
      await loadKeySet(JSON.stringify({ ...(await exportJWK(privateKey)), kid: 'current' })),
    );
    const { token } = await tokens.signAccess(claims());

    expect(await es256.verifyAccess(token)).toBeNull();
  });
});
