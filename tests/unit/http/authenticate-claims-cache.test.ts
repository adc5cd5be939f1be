import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { TokenService } from '../../../shared/domain/auth/ports.js';
import { authenticate } from '../../../shared/http/middleware/authenticate.js';
import { FakeClock, FakeSessionStore, FakeTokenService } from '../../support/fakes-auth-ports.js';
import { tinyApp } from './tiny-app.js';

const ACCESS_TTL_SECONDS = 900;

/** The middleware over fake ports that count every signature check and every session lookup. */
function arrange(options: { claimsCacheSize?: number } = {}) {
  const clock = new FakeClock();
  const fake = new FakeTokenService(clock);
  const verified: string[] = [];
  const tokens: TokenService = {
    signAccess: (claims) => fake.signAccess(claims),
    signRefresh: (claims) => fake.signRefresh(claims),
    verifyRefresh: (token) => fake.verifyRefresh(token),
    verifyAccess: (token, verifyOptions) => {
      verified.push(token);
      return fake.verifyAccess(token, verifyOptions);
    },
  };
  const sessions = new FakeSessionStore();
  const sessionChecks: string[] = [];
  const findActive = sessions.findActive.bind(sessions);
  sessions.findActive = (userId, sessionId) => {
    sessionChecks.push(sessionId);
    return findActive(userId, sessionId);
  };
  const app = tinyApp((a) => {
    a.use(authenticate({ tokens, sessions, clock, accessCookie: '__Host-access', ...options }));
    a.get('/me', (c) => c.json({ userId: c.get('auth').userId }));
  });

  /** A signed-in session and its access token, issued now. */
  async function signIn(): Promise<{ token: string; userId: string; sessionId: string }> {
    const userId = randomUUID();
    const sessionId = randomUUID();
    const nowMs = clock.nowMs();
    const nowSeconds = Math.floor(nowMs / 1000);
    await sessions.create({
      userId,
      sessionId,
      refreshId: randomUUID(),
      issuedAtSeconds: nowSeconds,
      refreshExpiresAtMs: nowMs + 86_400_000,
      absoluteExpiresAtMs: nowMs + 86_400_000,
      createdAtMs: nowMs,
      user: {
        id: userId,
        email: `${userId}@example.com`,
        displayName: 'Ada',
        createdAt: new Date(nowMs),
        emailVerified: false,
      },
      userAgent: 'vitest',
      ip: '198.51.100.4',
    });
    const { token } = await fake.signAccess({
      userId,
      sessionId,
      tokenId: randomUUID(),
      issuedAtSeconds: nowSeconds,
      expiresAtSeconds: nowSeconds + ACCESS_TTL_SECONDS,
    });
    return { token, userId, sessionId };
  }

  const me = (token: string) => app.request('/me', { headers: { authorization: `Bearer ${token}` } });
  return { clock, sessions, verified, sessionChecks, signIn, me };
}

describe('authenticate: verified-claims cache', () => {
  it('checks a token signature once per warm instance, and the session on every request', async () => {
    const { signIn, me, verified, sessionChecks } = arrange();
    const { token, sessionId } = await signIn();

    const statuses = [(await me(token)).status, (await me(token)).status, (await me(token)).status];

    expect(statuses).toEqual([200, 200, 200]);
    expect(verified).toEqual([token]);
    expect(sessionChecks).toEqual([sessionId, sessionId, sessionId]);
  });

  it('refuses a cached token whose session was revoked', async () => {
    const { signIn, me, sessions, verified } = arrange();
    const { token, userId, sessionId } = await signIn();
    expect((await me(token)).status).toBe(200);

    await sessions.revoke(userId, sessionId);

    expect((await me(token)).status).toBe(401);
    expect(verified).toEqual([token]);
  });

  it('verifies the token again from the moment it expires, and so refuses it', async () => {
    const { signIn, me, clock, verified } = arrange();
    const { token } = await signIn();
    expect((await me(token)).status).toBe(200);
    clock.advanceSeconds(ACCESS_TTL_SECONDS - 1);
    expect((await me(token)).status).toBe(200);
    expect(verified).toHaveLength(1);

    clock.advanceSeconds(1);

    expect((await me(token)).status).toBe(401);
    expect(verified).toEqual([token, token]);
  });

  it('holds a bounded number of tokens, verifying the least recently used one again', async () => {
    const { signIn, me, verified } = arrange({ claimsCacheSize: 2 });
    const [first, second, third] = await Promise.all([signIn(), signIn(), signIn()]);
    for (const session of [first, second, third]) await me(session.token);
    expect(verified).toHaveLength(3);

    await me(third.token);
    await me(second.token);
    expect(verified).toHaveLength(3);
    expect((await me(first.token)).status).toBe(200);

    expect(verified).toHaveLength(4);
  });

  it('never remembers a token that failed verification as valid', async () => {
    const { me, verified } = arrange();

    const statuses = [(await me('access.garbage')).status, (await me('access.garbage')).status];

    expect(statuses).toEqual([401, 401]);
    expect(verified).toEqual(['access.garbage', 'access.garbage']);
  });
});
