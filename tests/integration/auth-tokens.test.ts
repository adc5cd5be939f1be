import { randomUUID } from 'node:crypto';
import {
  base64url,
  type CryptoKey,
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKeyJson } from '../../shared/adapters/crypto/generate-signing-key.js';
import { loadKeySet } from '../../shared/adapters/crypto/signing-keys.js';
import { loadEnv } from '../../shared/config/env.js';
import {
  type Account,
  bearer,
  expectProblem,
  loginWithCookies,
  loginWithTokens,
  me,
  registerAccount,
  send,
  startApp,
  type TestApp,
  type TokenSession,
} from '../support/auth-helpers.js';
import { jsonPost, testEnv } from '../support/test-env.js';

type Started = TestApp & { stop(): Promise<void> };

const nowSeconds = (): number => Math.floor(Date.now() / 1000);
const encodeSegment = (value: unknown): string => base64url.encode(JSON.stringify(value));

const publicPart = (privateJwkJson: string): JWK => {
  const { d: _private, ...rest } = JSON.parse(privateJwkJson) as JWK;
  return rest;
};

describe('access and refresh tokens', () => {
  let t: Started;
  let account: Account;
  let session: TokenSession;
  let signingKey: CryptoKey;
  let kid: string;

  beforeAll(async () => {
    t = await startApp();
    const jwk = JSON.parse(t.env.JWT_SIGNING_KEY) as JWK;
    kid = String(jwk.kid);
    signingKey = (await importJWK(jwk, 'EdDSA')) as CryptoKey;
    account = await registerAccount(t.app);
    session = await loginWithTokens(t.app, account);
  });

  afterAll(async () => {
    await t?.stop();
  });

  /** Claims and header of a genuine access token for the live session, re-timed to "now". */
  const genuine = () => {
    const claims = decodeJwt(session.accessToken);
    const iat = nowSeconds();
    return {
      header: { alg: 'EdDSA', kid, typ: 'at+jwt' } as Record<string, unknown>,
      payload: { ...claims, iat, exp: iat + 600 } as JWTPayload & Record<string, unknown>,
    };
  };

  const sign = (
    header: Record<string, unknown>,
    payload: JWTPayload,
    key: CryptoKey | Uint8Array = signingKey,
  ) => new SignJWT(payload).setProtectedHeader({ alg: 'EdDSA', ...header }).sign(key);

  const without = (payload: Record<string, unknown>, claim: string) => {
    const { [claim]: _dropped, ...rest } = payload;
    return rest;
  };

  it('issues access tokens with pinned header and claims (kid, typ, iss, aud, sub, sid, jti, 15 min)', async () => {
    const header = decodeProtectedHeader(session.accessToken);
    const claims = decodeJwt(session.accessToken);
    const refreshHeader = decodeProtectedHeader(session.refreshToken);
    const refreshClaims = decodeJwt(session.refreshToken);

    expect(header).toEqual({ alg: 'EdDSA', kid, typ: 'at+jwt' });
    expect(claims).toMatchObject({ iss: t.env.JWT_ISSUER, sub: account.id, sid: expect.any(String) });
    expect(claims.jti).toEqual(expect.any(String));
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(900);
    expect(refreshHeader.typ).toBe('refresh+jwt');
    expect(refreshClaims.aud).not.toEqual(claims.aud);
  });

  it('gives the access and the refresh token each their own jti; the access jti does not reveal the refresh id', async () => {
    const access = decodeJwt(session.accessToken);
    const refresh = decodeJwt(session.refreshToken);

    expect(access.jti).toEqual(expect.any(String));
    expect(refresh.jti).toEqual(expect.any(String));
    expect(access.jti).not.toBe(refresh.jti);
    expect(session.accessToken).not.toContain(String(refresh.jti));
    expect(JSON.stringify(access)).not.toContain(String(refresh.jti));
  });

  it('keeps the jtis distinct after a rotation, and a grace replay returns the byte-identical pair', async () => {
    const fresh = await loginWithTokens(t.app, account);
    const rotate = () => send(t.app, '/auth/refresh', jsonPost({ refreshToken: fresh.refreshToken }));

    const first = (await (await rotate()).json()) as TokenSession;
    const replay = (await (await rotate()).json()) as TokenSession;

    expect(replay).toEqual(first);
    expect(decodeJwt(first.accessToken).jti).not.toBe(decodeJwt(first.refreshToken).jti);
    expect(decodeJwt(first.accessToken).jti).not.toBe(decodeJwt(fresh.accessToken).jti);
  });

  it('accepts a token crafted here with genuine claims (control for the cases below)', async () => {
    const { header, payload } = genuine();

    const res = await me(t.app, bearer(await sign(header, payload)));

    expect(res.status).toBe(200);
  });

  describe('rejects forged or out-of-policy access tokens with 401', () => {
    const cases: [string, () => Promise<string>][] = [
      [
        'alg "none" (unsigned)',
        async () => {
          const { header, payload } = genuine();
          return `${encodeSegment({ ...header, alg: 'none' })}.${encodeSegment(payload)}.`;
        },
      ],
      [
        'HS256 signed with the public key as the HMAC secret',
        async () => {
          const { header, payload } = genuine();
          const publicJwk = publicPart(t.env.JWT_SIGNING_KEY);
          return sign({ ...header, alg: 'HS256' }, payload, base64url.decode(String(publicJwk.x)));
        },
      ],
      [
        'HS256 signed with the public JWK JSON as the HMAC secret',
        async () => {
          const { header, payload } = genuine();
          const secret = new TextEncoder().encode(JSON.stringify(publicPart(t.env.JWT_SIGNING_KEY)));
          return sign({ ...header, alg: 'HS256' }, payload, secret);
        },
      ],
      [
        'an unknown kid',
        async () => {
          const { header, payload } = genuine();
          return sign({ ...header, kid: 'no-such-key' }, payload);
        },
      ],
      [
        'an attacker key that reuses the real kid',
        async () => {
          const { header, payload } = genuine();
          const attacker = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
          return sign(header, payload, attacker.privateKey);
        },
      ],
      [
        'an attacker key embedded as a "jwk" header',
        async () => {
          const { header, payload } = genuine();
          const attacker = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
          const jwk = await exportJWK(attacker.publicKey);
          return sign({ ...header, kid: 'attacker', jwk }, payload, attacker.privateKey);
        },
      ],
      [
        'an attacker key announced through "jku"',
        async () => {
          const { header, payload } = genuine();
          const attacker = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
          return sign({ ...header, jku: 'https://evil.example/jwks.json' }, payload, attacker.privateKey);
        },
      ],
      [
        'a tampered payload (another user id) under the original signature',
        async () => {
          const [head, , signature] = session.accessToken.split('.');
          const claims = decodeJwt(session.accessToken);
          return `${head}.${encodeSegment({ ...claims, sub: randomUUID() })}.${signature}`;
        },
      ],
      ['a truncated signature', async () => session.accessToken.slice(0, -4)],
      [
        'an expired exp',
        async () => {
          const { header, payload } = genuine();
          return sign(header, { ...payload, iat: nowSeconds() - 120, exp: nowSeconds() - 60 });
        },
      ],
      [
        'no exp',
        async () => {
          const { header, payload } = genuine();
          return sign(header, without(payload, 'exp'));
        },
      ],
      [
        'no iat',
        async () => {
          const { header, payload } = genuine();
          return sign(header, without(payload, 'iat'));
        },
      ],
      [
        'no jti',
        async () => {
          const { header, payload } = genuine();
          return sign(header, without(payload, 'jti'));
        },
      ],
      [
        'no sid',
        async () => {
          const { header, payload } = genuine();
          return sign(header, without(payload, 'sid'));
        },
      ],
      [
        'no sub',
        async () => {
          const { header, payload } = genuine();
          return sign(header, without(payload, 'sub'));
        },
      ],
      [
        'an iat in the future',
        async () => {
          const { header, payload } = genuine();
          return sign(header, { ...payload, iat: nowSeconds() + 120, exp: nowSeconds() + 600 });
        },
      ],
      [
        'an iat older than the access lifetime (exp still ahead)',
        async () => {
          const { header, payload } = genuine();
          return sign(header, { ...payload, iat: nowSeconds() - 3_600, exp: nowSeconds() + 60 });
        },
      ],
      [
        'a wrong issuer',
        async () => {
          const { header, payload } = genuine();
          return sign(header, { ...payload, iss: 'https://evil.example' });
        },
      ],
      [
        'a wrong audience',
        async () => {
          const { header, payload } = genuine();
          return sign(header, { ...payload, aud: 'someone-else' });
        },
      ],
      [
        'the refresh audience',
        async () => {
          const { header, payload } = genuine();
          return sign(header, { ...payload, aud: decodeJwt(session.refreshToken).aud });
        },
      ],
      [
        'typ "JWT"',
        async () => {
          const { header, payload } = genuine();
          return sign({ ...header, typ: 'JWT' }, payload);
        },
      ],
      [
        'typ "refresh+jwt"',
        async () => {
          const { header, payload } = genuine();
          return sign({ ...header, typ: 'refresh+jwt' }, payload);
        },
      ],
      [
        'no typ',
        async () => {
          const { header, payload } = genuine();
          return sign(without(header, 'typ'), payload);
        },
      ],
      [
        'a sid of a session that does not exist',
        async () => {
          const { header, payload } = genuine();
          return sign(header, { ...payload, sid: randomUUID() });
        },
      ],
      ['the refresh token', async () => session.refreshToken],
      ['garbage', async () => 'not.a.jwt'],
    ];

    it.each(cases)('%s', async (_label, forge) => {
      const token = await forge();

      await expectProblem(await me(t.app, bearer(token)), 401, 'unauthenticated');
      await expectProblem(await me(t.app, { cookie: `__Host-access=${token}` }), 401, 'unauthenticated');
    });
  });

  it('rejects an access token presented as a refresh token, leaving the session intact', async () => {
    const fresh = await loginWithTokens(t.app, account);

    const res = await send(t.app, '/auth/refresh', jsonPost({ refreshToken: fresh.accessToken }));
    const asCookie = await send(t.app, '/auth/refresh', {
      method: 'POST',
      headers: { cookie: `__Secure-refresh=${fresh.accessToken}` },
    });

    await expectProblem(res, 401, 'unauthenticated');
    await expectProblem(asCookie, 401, 'unauthenticated');
    expect((await me(t.app, bearer(fresh.accessToken))).status).toBe(200);
    const rotated = await send(t.app, '/auth/refresh', jsonPost({ refreshToken: fresh.refreshToken }));
    expect(rotated.status).toBe(200);
  });

  it('rejects refresh tokens forged with access typ or a foreign key', async () => {
    const claims = decodeJwt(session.refreshToken);
    const attacker = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const forgeries = [
      await sign({ kid, typ: 'at+jwt' }, claims),
      await sign({ kid, typ: 'refresh+jwt' }, claims, attacker.privateKey),
      await sign({ kid, typ: 'refresh+jwt' }, without(claims, 'exp')),
    ];

    for (const refreshToken of forgeries) {
      await expectProblem(
        await send(t.app, '/auth/refresh', jsonPost({ refreshToken })),
        401,
        'unauthenticated',
      );
    }
  });

  it('accepts the access token as Bearer and as the __Host-access cookie', async () => {
    const viaBearer = await me(t.app, bearer(session.accessToken));
    const viaLowercaseScheme = await me(t.app, { authorization: `bearer ${session.accessToken}` });
    const cookies = await loginWithCookies(t.app, account);
    const viaCookie = await me(t.app, { cookie: `theme=dark; __Host-access=${cookies.access}` });

    for (const res of [viaBearer, viaLowercaseScheme, viaCookie]) {
      expect(res.status).toBe(200);
      expect(((await res.json()) as { user: { id: string } }).user.id).toBe(account.id);
    }
  });

  it.each([
    ['Basic credentials', () => 'Basic dXNlcjpwYXNzd29yZA=='],
    ['a bare "Bearer"', () => 'Bearer'],
    ['"Bearer " with no token', () => 'Bearer '],
    ['a token followed by junk', () => `Bearer ${session.accessToken} extra`],
    ['two tokens', () => `Bearer ${session.accessToken},Bearer ${session.accessToken}`],
    ['another scheme', () => `Token ${session.accessToken}`],
    ['an empty header', () => ''],
  ])(
    'rejects a malformed Authorization header (%s) with 401 even when a valid cookie is present',
    async (_l, value) => {
      const cookies = await loginWithCookies(t.app, account);

      const res = await me(t.app, { authorization: value(), cookie: `__Host-access=${cookies.access}` });

      await expectProblem(res, 401, 'unauthenticated');
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    },
  );

  it('rejects a duplicated __Host-access cookie (cookie tossing) with 401', async () => {
    const first = await loginWithCookies(t.app, account);
    const second = await loginWithCookies(t.app, account);

    const same = await me(t.app, { cookie: `__Host-access=${first.access}; __Host-access=${first.access}` });
    const different = await me(t.app, {
      cookie: `__Host-access=${first.access}; __Host-access=${second.access}`,
    });

    await expectProblem(same, 401, 'unauthenticated');
    await expectProblem(different, 401, 'unauthenticated');
  });

  it('never reads an access token from the query string', async () => {
    for (const name of ['access_token', 'token', 'accessToken', 'jwt']) {
      const res = await send(t.app, `/me?${name}=${encodeURIComponent(session.accessToken)}`);
      await expectProblem(res, 401, 'unauthenticated');
    }
  });

  it('publishes only public key material at /.well-known/jwks.json, usable to verify issued tokens', async () => {
    const res = await send(t.app, '/.well-known/jwks.json');

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toMatch(/public/);
    const { keys } = (await res.json()) as { keys: JWK[] };
    expect(keys).toHaveLength(1);
    for (const key of keys) {
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) expect(key).not.toHaveProperty(secret);
      expect(key).toMatchObject({ kid, kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    }
    const { payload } = await jwtVerify(session.accessToken, createLocalJWKSet({ keys }), {
      algorithms: ['EdDSA'],
      issuer: t.env.JWT_ISSUER,
    });
    expect(payload.sub).toBe(account.id);
  });
});

describe('signing key rotation', () => {
  let oldApp: Started;
  let newApp: Started;
  let unrelatedApp: Started;

  beforeAll(async () => {
    oldApp = await startApp();
    const shared = { REDIS_KEY_PREFIX: oldApp.env.REDIS_KEY_PREFIX };
    newApp = await startApp({
      ...shared,
      JWT_SIGNING_KEY: await generateSigningKeyJson('next-key'),
      JWT_PREVIOUS_PUBLIC_KEYS: JSON.stringify([publicPart(oldApp.env.JWT_SIGNING_KEY)]),
    });
    unrelatedApp = await startApp({ ...shared, JWT_SIGNING_KEY: await generateSigningKeyJson('other-key') });
  });

  afterAll(async () => {
    await Promise.all([newApp?.stop(), unrelatedApp?.stop()]);
    await oldApp?.stop();
  });

  it('keeps verifying tokens signed with a key listed in JWT_PREVIOUS_PUBLIC_KEYS', async () => {
    const account = await registerAccount(oldApp.app);
    const issuedBeforeRotation = await loginWithTokens(oldApp.app, account);

    const res = await me(newApp.app, bearer(issuedBeforeRotation.accessToken));
    const refreshed = await send(
      newApp.app,
      '/auth/refresh',
      jsonPost({ refreshToken: issuedBeforeRotation.refreshToken }),
    );

    expect(res.status).toBe(200);
    expect(refreshed.status).toBe(200);
    const rotated = (await refreshed.json()) as TokenSession;
    expect(decodeProtectedHeader(rotated.accessToken).kid).toBe('next-key');
    expect(decodeProtectedHeader(rotated.refreshToken).kid).toBe('next-key');
  });

  it('publishes the current key first and the previous key after it', async () => {
    const { keys } = (await (await send(newApp.app, '/.well-known/jwks.json')).json()) as { keys: JWK[] };

    expect(keys.map((key) => key.kid)).toEqual(['next-key', 'test-key']);
    for (const key of keys) expect(key).not.toHaveProperty('d');
  });

  it('rejects tokens signed with a key that is not configured', async () => {
    const account = await registerAccount(oldApp.app);
    const foreign = await loginWithTokens(oldApp.app, account);

    await expectProblem(await me(unrelatedApp.app, bearer(foreign.accessToken)), 401, 'unauthenticated');
  });
});

describe('signing key configuration at cold start', () => {
  it.each([
    ['empty', async () => ''],
    ['not JSON', async () => 'definitely not json'],
    ['a public key only', async () => JSON.stringify(publicPart(await generateSigningKeyJson('pub')))],
    [
      'without a kid',
      async () => {
        const { kid: _kid, ...rest } = JSON.parse(await generateSigningKeyJson('x')) as JWK;
        return JSON.stringify(rest);
      },
    ],
    [
      'a truncated private key',
      async () => {
        const jwk = JSON.parse(await generateSigningKeyJson('short')) as JWK;
        return JSON.stringify({ ...jwk, d: String(jwk.d).slice(0, 10) });
      },
    ],
    ['a symmetric key', async () => JSON.stringify({ kty: 'oct', k: 'c2hvcnQ', kid: 'hmac', d: 'x' })],
    [
      'an RSA key',
      async () => {
        const { privateKey } = await generateKeyPair('RS256', { extractable: true });
        return JSON.stringify({ ...(await exportJWK(privateKey)), kid: 'rsa' });
      },
    ],
    ['a JSON array', async () => '[]'],
  ])('fails fast when JWT_SIGNING_KEY is %s', async (_label, make) => {
    const value = await make();

    await expect(loadKeySet(value)).rejects.toThrow();
  });

  it('refuses to start without JWT_SIGNING_KEY', async () => {
    const env = await testEnv();
    const { JWT_SIGNING_KEY: _missing, ...rest } = Object.fromEntries(
      Object.entries(env).map(([key, value]) => [
        key,
        Array.isArray(value) ? value.join(',') : String(value),
      ]),
    );

    expect(() => loadEnv(rest)).toThrow(/JWT_SIGNING_KEY/);
  });

  it.each([
    ['not JSON', 'nope'],
    ['not an array', '{}'],
    ['an array with a non-key', '[{"kty":"oct","k":"x","kid":"h"}]'],
  ])('fails fast when JWT_PREVIOUS_PUBLIC_KEYS is %s', async (_label, previous) => {
    await expect(loadKeySet(await generateSigningKeyJson('k'), previous)).rejects.toThrow();
  });
});
