import { describe, expect, it } from 'vitest';
import { listSessions, revokeSession } from '../../../shared/domain/auth/manage-sessions.js';
import type { NewSession, User } from '../../../shared/domain/auth/ports.js';
import { fakeAuth } from '../../support/fakes-auth-ports.js';

const user = (id: string): User => ({
  id,
  email: `${id}@example.com`,
  displayName: id,
  createdAt: new Date(0),
  emailVerified: false,
});

function session(userId: string, sessionId: string, createdAtMs: number): NewSession {
  return {
    userId,
    sessionId,
    refreshId: `r-${sessionId}`,
    issuedAtSeconds: Math.floor(createdAtMs / 1000),
    refreshExpiresAtMs: createdAtMs + 3_600_000,
    absoluteExpiresAtMs: createdAtMs + 7_200_000,
    createdAtMs,
    user: user(userId),
    userAgent: 'vitest',
    ip: '192.0.2.1',
  };
}

describe('listSessions', () => {
  it('lists only the caller’s sessions, newest first, marking the current one', async () => {
    const auth = fakeAuth();
    const now = auth.clock.nowMs();
    await auth.sessions.create(session('u1', 'old', now - 2000));
    await auth.sessions.create(session('u1', 'new', now - 1000));
    await auth.sessions.create(session('u2', 'other', now));

    const sessions = await listSessions(auth.deps, 'u1', 'old');

    expect(sessions.map((s) => [s.id, s.current])).toEqual([
      ['new', false],
      ['old', true],
    ]);
  });
});

describe('revokeSession', () => {
  it('revokes the caller’s own session, then closes that session’s sockets', async () => {
    const auth = fakeAuth();
    await auth.sessions.create(session('u1', 's1', auth.clock.nowMs()));

    await revokeSession(auth.deps, 'u1', 's1');

    expect(await auth.sessions.findActive('u1', 's1')).toBeNull();
    expect(auth.sockets.closed).toEqual([{ userId: 'u1', sessionId: 's1' }]);
  });

  it('still succeeds when closing the sockets fails: the session is already revoked', async () => {
    const auth = fakeAuth();
    await auth.sessions.create(session('u1', 's1', auth.clock.nowMs()));
    auth.sockets.failWith = new Error('management API down');

    await revokeSession(auth.deps, 'u1', 's1');

    expect(await auth.sessions.findActive('u1', 's1')).toBeNull();
  });

  it('answers not_found for another user’s session, leaves it alive and closes no socket', async () => {
    const auth = fakeAuth();
    await auth.sessions.create(session('u2', 's2', auth.clock.nowMs()));

    await expect(revokeSession(auth.deps, 'u1', 's2')).rejects.toMatchObject({ code: 'not_found' });
    expect(await auth.sessions.findActive('u2', 's2')).not.toBeNull();
    expect(auth.sockets.closed).toEqual([]);
  });
});
