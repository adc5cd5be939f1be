import { describe, expect, it } from 'vitest';
import type { RequestOrigin } from '../../../shared/domain/auth/auth-deps.js';
import { changePassword } from '../../../shared/domain/auth/change-password.js';
import { type LoginResult, logIn } from '../../../shared/domain/auth/log-in.js';
import { AppError } from '../../../shared/domain/errors.js';
import { type FakeAuth, fakeAuth, TEST_POLICY } from '../../support/fakes-auth-ports.js';

const ORIGIN: RequestOrigin = { ip: '203.0.113.8', userAgent: 'vitest' };
const EMAIL = 'ines@example.com';
const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'another long passphrase';

async function twoSessions(): Promise<{ auth: FakeAuth; here: LoginResult; there: LoginResult }> {
  const auth = fakeAuth();
  await auth.users.create({ email: EMAIL, passwordHash: `fake-hash:${PASSWORD}`, displayName: 'Inès' });
  const here = await logIn(auth.deps, { email: EMAIL, password: PASSWORD }, ORIGIN);
  const there = await logIn(auth.deps, { email: EMAIL, password: PASSWORD }, ORIGIN);
  return { auth, here, there };
}

const callerOf = (login: LoginResult) => ({ user: login.user, sessionId: login.sessionId });
const isLive = (auth: FakeAuth, login: LoginResult) =>
  auth.sessions.findActive(login.user.id, login.sessionId).then((session) => session !== null);
const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: unknown) => (error instanceof AppError ? error.code : String(error)),
  );

describe('changePassword', () => {
  it('stores the new hash, keeps the calling session and revokes the others, then closes their sockets', async () => {
    const { auth, here, there } = await twoSessions();

    await changePassword(
      auth.deps,
      callerOf(here),
      { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
      ORIGIN,
    );

    expect((await auth.users.findByEmail(EMAIL))?.passwordHash).toBe(`fake-hash:${NEW_PASSWORD}`);
    expect(await isLive(auth, here)).toBe(true);
    expect(await isLive(auth, there)).toBe(false);
    expect(auth.sockets.closed).toEqual([{ userId: here.user.id, sessionId: undefined }]);
  });

  it('answers a wrong current password with invalid_credentials and changes nothing', async () => {
    const { auth, here, there } = await twoSessions();

    const code = await codeOf(
      changePassword(
        auth.deps,
        callerOf(here),
        { currentPassword: 'wrong guess!', newPassword: NEW_PASSWORD },
        ORIGIN,
      ),
    );

    expect(code).toBe('invalid_credentials');
    expect((await auth.users.findByEmail(EMAIL))?.passwordHash).toBe(`fake-hash:${PASSWORD}`);
    expect(await isLive(auth, there)).toBe(true);
    expect(auth.sockets.closed).toEqual([]);
  });

  it('counts wrong current passwords in the login buckets and then refuses even the right one (429)', async () => {
    const { auth, here } = await twoSessions();
    const wrong = { currentPassword: 'wrong guess!', newPassword: NEW_PASSWORD };
    for (let attempt = 0; attempt < TEST_POLICY.loginAccountIpLimit; attempt += 1) {
      expect(await codeOf(changePassword(auth.deps, callerOf(here), wrong, ORIGIN))).toBe(
        'invalid_credentials',
      );
    }

    const right = { currentPassword: PASSWORD, newPassword: NEW_PASSWORD };
    const error = await changePassword(auth.deps, callerOf(here), right, ORIGIN).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('rate_limited');
    expect((error as AppError).retryAfterSeconds).toBeGreaterThan(0);
    expect(auth.limiter.hits.map((hit) => hit.bucket)).toContain(`login:ip:${ORIGIN.ip}`);
    expect((await auth.users.findByEmail(EMAIL))?.passwordHash).toBe(`fake-hash:${PASSWORD}`);
  });

  it('applies the registration policy to the new password before checking the current one', async () => {
    const { auth, here } = await twoSessions();

    const error = await changePassword(
      auth.deps,
      callerOf(here),
      { currentPassword: PASSWORD, newPassword: 'password' },
      ORIGIN,
    ).catch((e: unknown) => e);

    expect((error as AppError).code).toBe('validation_failed');
    expect((error as AppError).details).toEqual([{ path: 'newPassword', message: expect.any(String) }]);
    expect(auth.passwords.verified).toEqual([PASSWORD, PASSWORD]); // the two logins only
    expect(auth.limiter.hits).toHaveLength(6); // three buckets per login, none for the refused change
  });

  it('accepts the current password as the new one (it then only signs out the other sessions)', async () => {
    const { auth, here, there } = await twoSessions();

    await changePassword(
      auth.deps,
      callerOf(here),
      { currentPassword: PASSWORD, newPassword: PASSWORD },
      ORIGIN,
    );

    expect(await isLive(auth, here)).toBe(true);
    expect(await isLive(auth, there)).toBe(false);
  });
});
