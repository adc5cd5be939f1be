import { describe, expect, it } from 'vitest';
import type { RequestOrigin } from '../../../shared/domain/auth/auth-deps.js';
import { type LoginResult, logIn } from '../../../shared/domain/auth/log-in.js';
import { logOut, logOutEverywhere } from '../../../shared/domain/auth/log-out.js';
import { type FakeAuth, fakeAuth, TEST_POLICY } from '../../support/fakes-auth-ports.js';

const ORIGIN: RequestOrigin = { ip: '203.0.113.8', userAgent: 'vitest' };
const EMAIL = 'lin@example.com';
const PASSWORD = 'correct horse battery staple';

async function signedIn(auth: FakeAuth = fakeAuth()): Promise<{ auth: FakeAuth; login: LoginResult }> {
  if (!(await auth.users.findByEmail(EMAIL))) {
    await auth.users.create({ email: EMAIL, passwordHash: `fake-hash:${PASSWORD}`, displayName: 'Lin' });
  }
  return { auth, login: await logIn(auth.deps, { email: EMAIL, password: PASSWORD }, ORIGIN) };
}

const isLive = (auth: FakeAuth, login: LoginResult) =>
  auth.deps.sessions.findActive(login.user.id, login.sessionId).then((session) => session !== null);

describe('logOut', () => {
  it('revokes the session of a valid access token, then closes that session’s sockets', async () => {
    const { auth, login } = await signedIn();

    await logOut(auth.deps, { accessTokens: [login.tokens.access.token], refreshTokens: [] });

    expect(await isLive(auth, login)).toBe(false);
    expect(auth.sockets.closed).toEqual([{ userId: login.user.id, sessionId: login.sessionId }]);
  });

  it('revokes the session of an expired access token (a 204 must mean the session is gone)', async () => {
    const { auth, login } = await signedIn();
    auth.clock.advanceSeconds(TEST_POLICY.accessTtlSeconds + 60);
    expect(await auth.tokens.verifyAccess(login.tokens.access.token)).toBeNull();

    await logOut(auth.deps, { accessTokens: [login.tokens.access.token], refreshTokens: [] });

    expect(await isLive(auth, login)).toBe(false);
  });

  it('revokes the session of a refresh token alone, without rotating it', async () => {
    const { auth, login } = await signedIn();

    await logOut(auth.deps, { accessTokens: [], refreshTokens: [login.tokens.refresh.token] });

    expect(await isLive(auth, login)).toBe(false);
    expect(auth.sessions.rotations).toEqual([]);
    expect(auth.sockets.closed).toEqual([{ userId: login.user.id, sessionId: login.sessionId }]);
  });

  it('ends the session once when both of its tokens are presented', async () => {
    const { auth, login } = await signedIn();

    await logOut(auth.deps, {
      accessTokens: [login.tokens.access.token],
      refreshTokens: [login.tokens.refresh.token],
    });

    expect(auth.sockets.closed).toHaveLength(1);
  });

  it('tries every presented token, so a tossed duplicate cookie cannot shield the real session', async () => {
    const { auth, login: tossed } = await signedIn();
    const { login: mine } = await signedIn(auth);

    await logOut(auth.deps, {
      accessTokens: [],
      refreshTokens: ['refresh.bogus', tossed.tokens.refresh.token, mine.tokens.refresh.token],
    });

    expect(await isLive(auth, mine)).toBe(false);
    expect(await isLive(auth, tossed)).toBe(false);
  });

  it('ignores tokens of the wrong kind or that do not verify, leaving sessions alone', async () => {
    const { auth, login } = await signedIn();

    await logOut(auth.deps, {
      accessTokens: [login.tokens.refresh.token, 'garbage'],
      refreshTokens: [login.tokens.access.token],
    });

    expect(await isLive(auth, login)).toBe(true);
    expect(auth.sockets.closed).toEqual([]);
  });

  it('still succeeds when closing the sockets fails: the session is already revoked', async () => {
    const { auth, login } = await signedIn();
    auth.sockets.failWith = new Error('management API down');

    await logOut(auth.deps, { accessTokens: [login.tokens.access.token], refreshTokens: [] });

    expect(await isLive(auth, login)).toBe(false);
    expect(auth.sockets.closed).toHaveLength(1);
  });
});

describe('logOutEverywhere', () => {
  it('revokes every session of the user, then closes all of the user’s sockets', async () => {
    const { auth, login: first } = await signedIn();
    const { login: second } = await signedIn(auth);

    await logOutEverywhere(auth.deps, first.user.id);

    expect(await isLive(auth, first)).toBe(false);
    expect(await isLive(auth, second)).toBe(false);
    expect(auth.sockets.closed).toEqual([{ userId: first.user.id, sessionId: undefined }]);
  });

  it('swallows a socket-closing failure once the sessions are revoked', async () => {
    const { auth, login } = await signedIn();
    auth.sockets.failWith = new Error('connection store down');

    await expect(logOutEverywhere(auth.deps, login.user.id)).resolves.toBeUndefined();
    expect(await isLive(auth, login)).toBe(false);
  });
});
