import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { generateSigningKeyJson } from '../../../shared/adapters/crypto/generate-signing-key.js';
import { loadKeySet } from '../../../shared/adapters/crypto/signing-keys.js';
import { createTokenService } from '../../../shared/adapters/crypto/token-service.js';
import type { RequestOrigin } from '../../../shared/domain/auth/auth-deps.js';
import { type LoginResult, logIn } from '../../../shared/domain/auth/log-in.js';
import { refreshSession } from '../../../shared/domain/auth/refresh-session.js';
import { type FakeAuth, FakeClock, fakeAuth, TEST_POLICY } from '../../support/fakes-auth-ports.js';
import { RecordingRequestLog } from '../../support/recording-telemetry.js';

const ORIGIN: RequestOrigin = { ip: '203.0.113.9', userAgent: 'vitest' };
const EMAIL = 'grace@example.com';
const PASSWORD = 'correct horse battery staple';

async function loggedIn(auth: FakeAuth = fakeAuth()): Promise<{ auth: FakeAuth; login: LoginResult }> {
  await auth.users.create({ email: EMAIL, passwordHash: `fake-hash:${PASSWORD}`, displayName: 'Grace' });
  const login = await logIn(auth.deps, { email: EMAIL, password: PASSWORD }, ORIGIN);
  return { auth, login };
}

// What the store decides (grace window, reuse, two generations, the absolute cap) is the SessionStore
// contract, run against this fake and the Redis adapter alike; these tests cover what the use case does
// with each outcome.
describe('refreshSession', () => {
  it('rotates: returns a new pair with a new token id and asks the store for an atomic rotation', async () => {
    const { auth, login } = await loggedIn();
    const presented = await auth.tokens.verifyRefresh(login.tokens.refresh.token);
    auth.clock.advanceSeconds(60);

    const next = await refreshSession(auth.deps, login.tokens.refresh.token);

    const claims = await auth.tokens.verifyRefresh(next.refresh.token);
    expect(claims?.tokenId).not.toBe(presented?.tokenId);
    expect(claims?.sessionId).toBe(login.sessionId);
    expect(claims?.issuedAtSeconds).toBe(auth.clock.nowMs() / 1000);
    expect(auth.sessions.rotations).toEqual([
      {
        userId: login.user.id,
        sessionId: login.sessionId,
        presentedRefreshId: presented?.tokenId,
        newRefreshId: claims?.tokenId,
        nowMs: auth.clock.nowMs(),
        graceMs: TEST_POLICY.refreshGraceSeconds * 1000,
        newRefreshExpiresAtMs: auth.clock.nowMs() + TEST_POLICY.refreshTtlSeconds * 1000,
      },
    ]);
  });

  it('replays the identical pair for the previous token inside the grace window', async () => {
    const { auth, login } = await loggedIn();
    auth.clock.advanceSeconds(60);
    const first = await refreshSession(auth.deps, login.tokens.refresh.token);
    auth.clock.advanceSeconds(TEST_POLICY.refreshGraceSeconds - 1);

    const replay = await refreshSession(auth.deps, login.tokens.refresh.token);

    expect(replay.refresh.token).toBe(first.refresh.token);
    expect(replay.access.token).toBe(first.access.token);
    expect(replay.refresh.expiresAt).toEqual(first.refresh.expiresAt);
  });

  it('closes the sockets of the session revoked by reuse, and only that session’s', async () => {
    const { auth, login } = await loggedIn();
    await refreshSession(auth.deps, login.tokens.refresh.token);
    auth.clock.advanceSeconds(TEST_POLICY.refreshGraceSeconds + 1);

    await expect(refreshSession(auth.deps, login.tokens.refresh.token)).rejects.toMatchObject({
      code: 'refresh_token_reused',
    });

    expect(auth.sockets.closed).toEqual([{ userId: login.user.id, sessionId: login.sessionId }]);
  });

  it('still reports refresh_token_reused when closing the sockets fails', async () => {
    const { auth, login } = await loggedIn();
    const second = await refreshSession(auth.deps, login.tokens.refresh.token);
    await refreshSession(auth.deps, second.refresh.token);
    auth.sockets.failWith = new Error('management API down');

    await expect(refreshSession(auth.deps, login.tokens.refresh.token)).rejects.toMatchObject({
      code: 'refresh_token_reused',
    });
    expect(auth.sockets.closed).toHaveLength(1);
  });

  it('tags the request log with the token owner, on a rotation and on a reuse alike', async () => {
    const { auth, login } = await loggedIn();
    const rotation = new RecordingRequestLog();
    const reuse = new RecordingRequestLog();

    await refreshSession({ ...auth.deps, requestLog: rotation }, login.tokens.refresh.token);
    auth.clock.advanceSeconds(TEST_POLICY.refreshGraceSeconds + 1);
    const reused = refreshSession({ ...auth.deps, requestLog: reuse }, login.tokens.refresh.token);

    await expect(reused).rejects.toMatchObject({ code: 'refresh_token_reused' });
    expect(rotation.keys).toEqual({ userId: login.user.id });
    expect(reuse.keys).toEqual({ userId: login.user.id });
  });

  it('leaves the request log untagged for a token it cannot verify', async () => {
    const auth = fakeAuth();

    await expect(refreshSession(auth.deps, 'not-a-token')).rejects.toMatchObject({ code: 'unauthenticated' });

    expect(auth.requestLog.keys).toEqual({});
  });

  it('closes no socket on a normal rotation or a grace replay', async () => {
    const { auth, login } = await loggedIn();

    await refreshSession(auth.deps, login.tokens.refresh.token);
    await refreshSession(auth.deps, login.tokens.refresh.token);

    expect(auth.sockets.closed).toEqual([]);
  });

  it('returns unauthenticated when the session no longer exists', async () => {
    const { auth, login } = await loggedIn();
    await auth.deps.sessions.revoke(login.user.id, login.sessionId);

    await expect(refreshSession(auth.deps, login.tokens.refresh.token)).rejects.toMatchObject({
      code: 'unauthenticated',
    });
  });

  it.each([
    ['garbage', 'not-a-token'],
    ['an access token', 'access'],
  ])('returns unauthenticated for %s without touching the store', async (_label, kind) => {
    const { auth, login } = await loggedIn();
    const token = kind === 'access' ? login.tokens.access.token : kind;

    await expect(refreshSession(auth.deps, token)).rejects.toMatchObject({ code: 'unauthenticated' });
    expect(auth.sessions.rotations).toEqual([]);
  });

  it('never lets the access token outlive a refresh token capped at the absolute lifetime', async () => {
    const auth = fakeAuth({ policy: { refreshTtlSeconds: 3600, absoluteTtlSeconds: 5400 } });
    const { login } = await loggedIn(auth);
    const absoluteEndMs = auth.clock.nowMs() + 5400 * 1000;
    auth.clock.advanceSeconds(3000);
    const capped = await refreshSession(auth.deps, login.tokens.refresh.token);
    // 400 s before the end: a fresh access token (900 s) would outlive the session.
    auth.clock.advanceSeconds(2000);

    const next = await refreshSession(auth.deps, capped.refresh.token);

    expect(next.refresh.expiresAt.getTime()).toBe(absoluteEndMs);
    expect(next.access.expiresAt.getTime()).toBe(absoluteEndMs);
  });

  it('replays byte-identical signed JWTs in the grace window with the real EdDSA token service', async () => {
    const clock = new FakeClock(Date.now());
    const tokens = createTokenService({
      keys: await loadKeySet(await generateSigningKeyJson('grace-key')),
      issuer: 'https://auth.test',
      accessTtlSeconds: TEST_POLICY.accessTtlSeconds,
      refreshTtlSeconds: TEST_POLICY.refreshTtlSeconds,
      now: () => new Date(clock.nowMs()),
    });
    const { auth, login } = await loggedIn(fakeAuth({ tokens, clock }));
    clock.advanceSeconds(2);
    const first = await refreshSession(auth.deps, login.tokens.refresh.token);
    clock.advanceSeconds(3);

    const replay = await refreshSession(auth.deps, login.tokens.refresh.token);

    expect(replay).toEqual(first);
    expect(first.refresh.token).not.toBe(login.tokens.refresh.token);
    const [access, refresh] = [decodeJwt(first.access.token), decodeJwt(first.refresh.token)];
    expect(access.jti).toEqual(expect.any(String));
    expect(access.jti).not.toBe(refresh.jti);
  });
});
