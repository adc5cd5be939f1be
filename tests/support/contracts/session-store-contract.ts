import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewSession, RotationRequest, SessionStore, User } from '../../../shared/domain/auth/ports.js';
import type { StoreTime } from './store-time.js';

/** A SessionStore to hold to the contract, with the time it expires sessions by. */
export interface SessionStoreSubject {
  store: SessionStore;
  time: StoreTime;
  close(): Promise<void>;
}

const HOUR_MS = 3_600_000;
const GRACE_MS = 10_000;
/** Long enough for a create and a read to land before it, short enough to wait for on the wall clock. */
const SHORT_MS = 300;

const userFor = (id: string = randomUUID()): User => ({
  id,
  email: `${id}@example.com`,
  displayName: `User ${id.slice(0, 4)}`,
  createdAt: new Date(1_700_000_000_000),
  emailVerified: false,
});

/**
 * What every SessionStore must do (RFC 9700 §4.14 rotation, absolute lifetime, list and revoke), run
 * against the in-memory fake and the Redis adapter alike, so use-case tests on the fake stay honest.
 */
export function sessionStoreContract(label: string, open: () => Promise<SessionStoreSubject>): void {
  describe(`SessionStore contract: ${label}`, () => {
    let subject: SessionStoreSubject;
    let store: SessionStore;

    beforeAll(async () => {
      subject = await open();
      store = subject.store;
    }, 60_000);

    afterAll(async () => {
      await subject?.close();
    });

    const now = (): number => subject.time.nowMs();

    function newSession(overrides: Partial<NewSession> = {}): NewSession {
      const at = now();
      const user = overrides.user ?? userFor(overrides.userId);
      return {
        userId: user.id,
        sessionId: randomUUID(),
        refreshId: randomUUID(),
        issuedAtSeconds: Math.floor(at / 1000),
        refreshExpiresAtMs: at + HOUR_MS,
        absoluteExpiresAtMs: at + 2 * HOUR_MS,
        createdAtMs: at,
        user,
        userAgent: 'Vitest/4',
        ip: '192.0.2.1',
        ...overrides,
      };
    }

    const created = async (overrides: Partial<NewSession> = {}): Promise<NewSession> => {
      const session = newSession(overrides);
      await store.create(session);
      return session;
    };

    const rotation = (
      session: NewSession,
      presented: string,
      overrides: Partial<RotationRequest> = {},
    ): RotationRequest => {
      const at = now();
      return {
        userId: session.userId,
        sessionId: session.sessionId,
        presentedRefreshId: presented,
        newRefreshId: randomUUID(),
        nowMs: at,
        graceMs: GRACE_MS,
        newRefreshExpiresAtMs: at + HOUR_MS,
        ...overrides,
      };
    };

    const listedIds = async (userId: string, atMs = now()): Promise<string[]> =>
      (await store.list(userId, atMs)).map((summary) => summary.id).sort();

    describe('create, findActive and list', () => {
      it('finds a created session with its user snapshot', async () => {
        const session = await created();

        expect(await store.findActive(session.userId, session.sessionId)).toEqual({
          sessionId: session.sessionId,
          user: session.user,
        });
      });

      it('finds nothing for an unknown session id or under another user id', async () => {
        const session = await created();

        expect(await store.findActive(session.userId, randomUUID())).toBeNull();
        expect(await store.findActive(randomUUID(), session.sessionId)).toBeNull();
      });

      it("lists the user's live sessions with their metadata, and no one else's", async () => {
        const user = userFor();
        const phone = await created({ user, userAgent: 'Phone', ip: '198.51.100.7' });
        const laptop = await created({ user, userAgent: 'Laptop', ip: '198.51.100.8' });
        await created();

        const sessions = await store.list(user.id, now());

        expect(sessions.map((s) => s.id).sort()).toEqual([phone.sessionId, laptop.sessionId].sort());
        expect(sessions.find((s) => s.id === phone.sessionId)).toEqual({
          id: phone.sessionId,
          createdAt: new Date(phone.createdAtMs),
          lastSeenAt: new Date(phone.createdAtMs),
          expiresAt: new Date(phone.refreshExpiresAtMs),
          userAgent: 'Phone',
          ip: '198.51.100.7',
        });
      });

      it('forgets a session once its refresh expiry has passed (idle timeout)', async () => {
        const user = userFor();
        const lasting = await created({ user });
        const idle = await created({ user, refreshExpiresAtMs: now() + SHORT_MS });

        await subject.time.passes(idle.refreshExpiresAtMs);

        expect(await store.findActive(user.id, idle.sessionId)).toBeNull();
        expect(await store.rotate(rotation(idle, idle.refreshId))).toEqual({ kind: 'missing' });
        expect(await listedIds(user.id)).toEqual([lasting.sessionId]);
      });

      it('leaves sessions past their absolute expiry out of the list', async () => {
        const user = userFor();
        const at = now();
        const live = await created({ user });
        await created({ user, absoluteExpiresAtMs: at + 60_000, refreshExpiresAtMs: at + 60_000 });

        expect(await listedIds(user.id, at + 120_000)).toEqual([live.sessionId]);
      });
    });

    describe('revoke and revokeAll', () => {
      it('revokes one session (true once, then false) and leaves the others', async () => {
        const user = userFor();
        const doomed = await created({ user });
        const kept = await created({ user });

        expect(await store.revoke(user.id, doomed.sessionId)).toBe(true);
        expect(await store.revoke(user.id, doomed.sessionId)).toBe(false);

        expect(await store.findActive(user.id, doomed.sessionId)).toBeNull();
        expect(await store.rotate(rotation(doomed, doomed.refreshId))).toEqual({ kind: 'missing' });
        expect(await store.findActive(user.id, kept.sessionId)).not.toBeNull();
        expect(await listedIds(user.id)).toEqual([kept.sessionId]);
      });

      it('does not revoke a session through another user id', async () => {
        const victim = await created();

        expect(await store.revoke(randomUUID(), victim.sessionId)).toBe(false);
        expect(await store.findActive(victim.userId, victim.sessionId)).not.toBeNull();
      });

      it("revokes every session of the user, returns their ids and spares other users' sessions", async () => {
        const user = userFor();
        const mine = [await created({ user }), await created({ user }), await created({ user })];
        const other = await created();

        const revoked = await store.revokeAll(user.id);

        expect([...revoked].sort()).toEqual(mine.map((s) => s.sessionId).sort());
        for (const session of mine) expect(await store.findActive(user.id, session.sessionId)).toBeNull();
        expect(await listedIds(user.id)).toEqual([]);
        expect(await store.findActive(other.userId, other.sessionId)).not.toBeNull();
        expect(await store.revokeAll(user.id)).toEqual([]);
      });

      it('revokes every other session of the user and keeps the one named (password change)', async () => {
        const user = userFor();
        const [kept, ...others] = [await created({ user }), await created({ user }), await created({ user })];
        if (!kept) throw new Error('no session');

        const revoked = await store.revokeAll(user.id, kept.sessionId);

        expect([...revoked].sort()).toEqual(others.map((s) => s.sessionId).sort());
        for (const session of others) expect(await store.findActive(user.id, session.sessionId)).toBeNull();
        expect(await store.findActive(user.id, kept.sessionId)).not.toBeNull();
        expect(await listedIds(user.id)).toEqual([kept.sessionId]);
        expect(await store.revokeAll(user.id, kept.sessionId)).toEqual([]);
      });
    });

    describe('email verification', () => {
      it("marks the user snapshot of every live session verified, and no one else's", async () => {
        const user = userFor();
        const sessions = [await created({ user }), await created({ user })];
        const other = await created();

        await store.markEmailVerified(user.id);

        for (const session of sessions) {
          expect((await store.findActive(user.id, session.sessionId))?.user).toEqual({
            ...user,
            emailVerified: true,
          });
        }
        expect((await store.findActive(other.userId, other.sessionId))?.user.emailVerified).toBe(false);
      });

      it('does not bring back a revoked session', async () => {
        const user = userFor();
        const revoked = await created({ user });
        await store.revoke(user.id, revoked.sessionId);

        await store.markEmailVerified(user.id);

        expect(await store.findActive(user.id, revoked.sessionId)).toBeNull();
        expect(await listedIds(user.id)).toEqual([]);
      });
    });

    describe('refresh rotation', () => {
      it('rotates the current refresh id: new generation, new expiry, last seen now', async () => {
        const session = await created();
        const request = rotation(session, session.refreshId);

        const outcome = await store.rotate(request);

        expect(outcome).toEqual({
          kind: 'rotated',
          refreshId: request.newRefreshId,
          issuedAtSeconds: Math.floor(request.nowMs / 1000),
          refreshExpiresAtMs: request.newRefreshExpiresAtMs,
        });
        const [listed] = await store.list(session.userId, now());
        expect(listed?.lastSeenAt.getTime()).toBe(request.nowMs);
        expect(listed?.expiresAt.getTime()).toBe(request.newRefreshExpiresAtMs);
      });

      it('never extends the refresh expiry past the absolute lifetime', async () => {
        const at = now();
        const session = await created({ absoluteExpiresAtMs: at + 60_000, refreshExpiresAtMs: at + 30_000 });

        const outcome = await store.rotate(
          rotation(session, session.refreshId, { newRefreshExpiresAtMs: at + HOUR_MS }),
        );

        expect(outcome).toMatchObject({ kind: 'rotated', refreshExpiresAtMs: at + 60_000 });
      });

      it('lets the rotated expiry govern how long the session lives', async () => {
        const session = await created();
        const rotatedExpiry = now() + SHORT_MS;
        await store.rotate(rotation(session, session.refreshId, { newRefreshExpiresAtMs: rotatedExpiry }));

        await subject.time.passes(rotatedExpiry);

        expect(await store.findActive(session.userId, session.sessionId)).toBeNull();
      });

      it('answers the previous id inside the grace window with the current generation, unchanged', async () => {
        const session = await created();
        const first = await store.rotate(rotation(session, session.refreshId));

        const replay = await store.rotate(
          rotation(session, session.refreshId, { nowMs: now() + GRACE_MS - 1_000 }),
        );

        expect(first.kind).toBe('rotated');
        expect(replay).toEqual({ ...first, kind: 'grace' });
        expect(await store.findActive(session.userId, session.sessionId)).not.toBeNull();
      });

      it('counts the last millisecond of the grace window as inside it', async () => {
        const session = await created();
        const request = rotation(session, session.refreshId);
        await store.rotate(request);

        const edge = await store.rotate(
          rotation(session, session.refreshId, { nowMs: request.nowMs + GRACE_MS }),
        );

        expect(edge.kind).toBe('grace');
      });

      it('treats the previous id after the grace window as reuse and ends the session', async () => {
        const session = await created();
        const request = rotation(session, session.refreshId);
        await store.rotate(request);

        const reuse = await store.rotate(
          rotation(session, session.refreshId, { nowMs: request.nowMs + GRACE_MS + 1 }),
        );

        expect(reuse).toEqual({ kind: 'reused' });
        expect(await store.findActive(session.userId, session.sessionId)).toBeNull();
        expect(await listedIds(session.userId)).toEqual([]);
        expect(await store.rotate(rotation(session, request.newRefreshId))).toEqual({ kind: 'missing' });
      });

      it('treats an id two generations old as reuse even inside the grace window', async () => {
        const session = await created();
        const second = await store.rotate(rotation(session, session.refreshId));
        if (second.kind !== 'rotated') throw new Error(`unexpected ${second.kind}`);
        await store.rotate(rotation(session, second.refreshId));

        const reuse = await store.rotate(rotation(session, session.refreshId));

        expect(reuse).toEqual({ kind: 'reused' });
        expect(await store.findActive(session.userId, session.sessionId)).toBeNull();
      });

      it('treats an id it never issued as reuse', async () => {
        const session = await created();

        expect(await store.rotate(rotation(session, randomUUID()))).toEqual({ kind: 'reused' });
        expect(await store.findActive(session.userId, session.sessionId)).toBeNull();
      });

      it('reports a session it does not hold as missing, without creating it', async () => {
        const session = newSession();

        expect(await store.rotate(rotation(session, session.refreshId))).toEqual({ kind: 'missing' });
        expect(await store.findActive(session.userId, session.sessionId)).toBeNull();
        expect(await listedIds(session.userId)).toEqual([]);
      });

      it('lets exactly one of 25 concurrent rotations of one id win; the rest get its generation', async () => {
        const session = await created();

        const outcomes = await Promise.all(
          Array.from({ length: 25 }, () => store.rotate(rotation(session, session.refreshId))),
        );

        expect(outcomes.filter((o) => o.kind === 'rotated')).toHaveLength(1);
        expect(outcomes.filter((o) => o.kind === 'grace')).toHaveLength(24);
        expect(new Set(outcomes.map((o) => ('refreshId' in o ? o.refreshId : o.kind))).size).toBe(1);
      });
    });
  });
}
