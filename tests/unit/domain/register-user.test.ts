import { describe, expect, it } from 'vitest';
import type { RequestOrigin } from '../../../shared/domain/auth/auth-deps.js';
import { type RegisterInput, registerUser } from '../../../shared/domain/auth/register-user.js';
import { fakeAuth } from '../../support/fakes-auth-ports.js';
import { withEmailVerification } from '../../support/fakes-email-verification.js';

const ORIGIN: RequestOrigin = { ip: '198.51.100.4', userAgent: 'vitest' };
const VALID: RegisterInput = {
  email: 'ada@example.com',
  password: 'correct horse battery staple',
  displayName: 'Ada Lovelace',
};

/** Names that render as nothing or as look-alikes: default-ignorable code points, alone or inside. */
const INVISIBLE_NAMES = [
  ['Hangul filler U+3164', '\u3164'],
  ['Hangul choseong/jungseong fillers U+115F U+1160', '\u115f\u1160'],
  ['halfwidth Hangul filler U+FFA0', '\uffa0'],
  ['soft hyphen U+00AD inside a name', 'Ad\u00ada'],
  ['combining grapheme joiner U+034F', 'Ada\u034f'],
  ['tag characters U+E0041 U+E007F', 'Ada\u{e0041}\u{e007f}'],
  ['a variation selector after a letter', 'Ada\ufe0f'],
] as const;

/** Names with no character that draws anything. */
const BLANK_NAMES = [
  ['Braille pattern blank U+2800', '\u2800'],
  ['Braille blanks around a space', '\u2800 \u2800'],
  ['only combining marks', '\u0301\u0302'],
] as const;

describe('registerUser', () => {
  it('stores the canonical email, the trimmed NFC display name and a hash of the password', async () => {
    const auth = fakeAuth();

    const user = await registerUser(
      withEmailVerification(auth).deps,
      { ...VALID, email: '  ADA@Example.COM ', displayName: '  Jose\u0301  ' },
      ORIGIN,
    );

    expect(user).toMatchObject({ email: 'ada@example.com', displayName: 'Jos\u00e9' });
    expect(user).not.toHaveProperty('passwordHash');
    expect(auth.passwords.hashed).toEqual([VALID.password]);
    expect(auth.users.byEmail.get('ada@example.com')?.passwordHash).toBe(`fake-hash:${VALID.password}`);
  });

  it.each([
    ['email', { email: 'not-an-email' }, 'Email address is not valid'],
    ['displayName', { displayName: '   ' }, 'Display name must be 1 to 64 characters'],
    ['displayName', { displayName: 'x'.repeat(65) }, 'Display name must be 1 to 64 characters'],
    [
      'displayName',
      { displayName: 'admin\u202egnp' },
      'Display name contains control or invisible characters',
    ],
    ['displayName', { displayName: 'Ada\u0000' }, 'Display name contains control or invisible characters'],
    ['displayName', { displayName: 'Ad\u200ba' }, 'Display name contains control or invisible characters'],
    ...INVISIBLE_NAMES.map(
      ([, displayName]) =>
        ['displayName', { displayName }, 'Display name contains control or invisible characters'] as const,
    ),
    ...BLANK_NAMES.map(
      ([, displayName]) =>
        ['displayName', { displayName }, 'Display name needs at least one visible character'] as const,
    ),
    ['email', { email: 'a\u00adda@example.com' }, 'Email address is not valid'],
    ['email', { email: 'ada@exam\u034fple.com' }, 'Email address is not valid'],
    ['password', { password: ' '.repeat(8) }, 'Password must contain a visible character, not only spaces'],
    [
      'password',
      { password: '\u3000'.repeat(10) },
      'Password must contain a visible character, not only spaces',
    ],
    ['password', { password: 'short' }, 'Password must be at least 8 characters'],
    ['password', { password: 'x'.repeat(257) }, 'Password must be at most 256 characters'],
    ['password', { password: 'Password123' }, 'Password is too common; choose another'],
  ] as const)('rejects a bad %s with "%s"', async (path, change, message) => {
    const auth = fakeAuth();

    const error = await registerUser(withEmailVerification(auth).deps, { ...VALID, ...change }, ORIGIN).catch(
      (e: unknown) => e,
    );

    expect(error).toMatchObject({ code: 'validation_failed', message, details: [{ path, message }] });
    expect(auth.passwords.hashed).toEqual([]);
    expect(auth.users.byEmail.size).toBe(0);
  });

  it('keeps an emoji with its presentation selector (❤️ is U+2764 U+FE0F) in a display name', async () => {
    const auth = fakeAuth();

    const user = await registerUser(
      withEmailVerification(auth).deps,
      { ...VALID, displayName: 'Ada \u2764\ufe0f' },
      ORIGIN,
    );

    expect(user.displayName).toBe('Ada ❤️');
  });

  it('accepts a 64-emoji display name because length is counted in code points', async () => {
    const auth = fakeAuth();

    const user = await registerUser(
      withEmailVerification(auth).deps,
      { ...VALID, displayName: '🦊'.repeat(64) },
      ORIGIN,
    );

    expect(user.displayName).toBe('🦊'.repeat(64));
  });

  it('consults the register limiter for the source IP with the configured limit and window', async () => {
    const auth = fakeAuth();

    await registerUser(withEmailVerification(auth).deps, VALID, ORIGIN);

    expect(auth.limiter.hits).toEqual([
      {
        bucket: `register:ip:${ORIGIN.ip}`,
        limit: auth.deps.policy.registerIpLimit,
        windowSeconds: auth.deps.policy.registerWindowSeconds,
      },
    ]);
  });

  it('returns rate_limited with Retry-After and hashes nothing when the IP is throttled', async () => {
    const auth = fakeAuth();
    auth.limiter.deny(`register:ip:${ORIGIN.ip}`, 120);

    await expect(registerUser(withEmailVerification(auth).deps, VALID, ORIGIN)).rejects.toMatchObject({
      code: 'rate_limited',
      retryAfterSeconds: 120,
    });
    expect(auth.passwords.hashed).toEqual([]);
    expect(auth.users.byEmail.size).toBe(0);
  });

  it('throttles after the configured number of sign-ups from one address', async () => {
    const auth = fakeAuth({ policy: { registerIpLimit: 2 } });
    await registerUser(withEmailVerification(auth).deps, { ...VALID, email: 'a@example.com' }, ORIGIN);
    await registerUser(withEmailVerification(auth).deps, { ...VALID, email: 'b@example.com' }, ORIGIN);

    await expect(
      registerUser(withEmailVerification(auth).deps, { ...VALID, email: 'c@example.com' }, ORIGIN),
    ).rejects.toMatchObject({
      code: 'rate_limited',
    });
    await expect(
      registerUser(
        withEmailVerification(auth).deps,
        { ...VALID, email: 'c@example.com' },
        { ...ORIGIN, ip: '198.51.100.5' },
      ),
    ).resolves.toMatchObject({ email: 'c@example.com' });
  });

  it('reports email_taken for an address that differs only in case and spacing', async () => {
    const auth = fakeAuth();
    await registerUser(withEmailVerification(auth).deps, VALID, ORIGIN);

    await expect(
      registerUser(withEmailVerification(auth).deps, { ...VALID, email: ' Ada@EXAMPLE.com' }, ORIGIN),
    ).rejects.toMatchObject({ code: 'email_taken' });
  });
});
