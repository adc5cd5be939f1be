import { describe, expect, it } from 'vitest';
import type { RequestOrigin } from '../../../shared/domain/auth/auth-deps.js';
import { deleteAccount } from '../../../shared/domain/auth/delete-account.js';
import { type LoginResult, logIn } from '../../../shared/domain/auth/log-in.js';
import { registerUser } from '../../../shared/domain/auth/register-user.js';
import type { AppError } from '../../../shared/domain/errors.js';
import { type FakeAuth, fakeAuth, TEST_POLICY } from '../../support/fakes-auth-ports.js';
import { withEmailVerification } from '../../support/fakes-email-verification.js';

const ORIGIN: RequestOrigin = { ip: '203.0.113.9', userAgent: 'vitest' };
const EMAIL = 'noor@example.com';
const PASSWORD = 'correct horse battery staple';

async function signedInTwice(): Promise<{ auth: FakeAuth; here: LoginResult; there: LoginResult }> {
  const auth = fakeAuth();
  await registerUser(
    withEmailVerification(auth).deps,
    { email: EMAIL, password: PASSWORD, displayName: 'Noor' },
    ORIGIN,
  );
  const here = await logIn(auth.deps, { email: EMAIL, password: PASSWORD }, ORIGIN);
  const there = await logIn(auth.deps, { email: EMAIL, password: PASSWORD }, ORIGIN);
  return { auth, here, there };
}

/** Records the groups step in the same log as the erase, so the test can check the order. */
const steps: string[] = [];
const depsOf = (auth: FakeAuth) => ({
  ...auth.deps,
  leaveGroups: async (userId: string) => {
    if (auth.accounts.erased.includes(userId)) throw new Error('left groups after the erase');
    steps.push(`left groups ${userId}`);
  },
});

const callerOf = (login: LoginResult) => ({ user: login.user, sessionId: login.sessionId });

describe('deleteAccount', () => {
  it('revokes every session, closes every socket, erases the Redis state and deletes the user', async () => {
    const { auth, here, there } = await signedInTwice();
    const userId = here.user.id;

    await deleteAccount(depsOf(auth), callerOf(here), { password: PASSWORD }, ORIGIN);

    expect(await auth.sessions.findActive(userId, here.sessionId)).toBeNull();
    expect(await auth.sessions.findActive(userId, there.sessionId)).toBeNull();
    expect(auth.sockets.closed).toEqual([{ userId, sessionId: undefined }]);
    expect(steps).toContain(`left groups ${userId}`);
    expect(auth.accounts.erased).toEqual([userId]);
    expect(await auth.users.findById(userId)).toBeNull();
    expect(await auth.directory.find(userId)).toBeNull();
    expect(await auth.directory.findMany([userId])).toEqual([
      { id: userId, displayName: 'Deleted user', deleted: true },
    ]);
  });

  it('lets the email sign up again and refuses the old password afterwards', async () => {
    const { auth, here } = await signedInTwice();
    await deleteAccount(depsOf(auth), callerOf(here), { password: PASSWORD }, ORIGIN);

    const login = await logIn(auth.deps, { email: EMAIL, password: PASSWORD }, ORIGIN).catch(
      (e: unknown) => e,
    );
    const again = await registerUser(
      withEmailVerification(auth).deps,
      { email: EMAIL, password: PASSWORD, displayName: 'Noor' },
      ORIGIN,
    );

    expect((login as AppError).code).toBe('invalid_credentials');
    expect(again.id).not.toBe(here.user.id);
  });

  it('answers a wrong password with invalid_credentials and deletes nothing', async () => {
    const { auth, here, there } = await signedInTwice();

    const error = await deleteAccount(
      depsOf(auth),
      callerOf(here),
      { password: 'not my password' },
      ORIGIN,
    ).catch((e: unknown) => e);

    expect((error as AppError).code).toBe('invalid_credentials');
    expect(await auth.users.findById(here.user.id)).not.toBeNull();
    expect(await auth.sessions.findActive(here.user.id, there.sessionId)).not.toBeNull();
    expect(auth.accounts.erased).toEqual([]);
    expect(steps).not.toContain(`left groups ${here.user.id}`);
    expect(auth.sockets.closed).toEqual([]);
  });

  it('is throttled like login: past the limit even the right password gets 429', async () => {
    const { auth, here } = await signedInTwice();
    for (let attempt = 0; attempt < TEST_POLICY.loginAccountIpLimit; attempt += 1) {
      await deleteAccount(depsOf(auth), callerOf(here), { password: 'not my password' }, ORIGIN).catch(
        () => undefined,
      );
    }

    const error = await deleteAccount(depsOf(auth), callerOf(here), { password: PASSWORD }, ORIGIN).catch(
      (e: unknown) => e,
    );

    expect((error as AppError).code).toBe('rate_limited');
    expect(await auth.users.findById(here.user.id)).not.toBeNull();
  });
});
