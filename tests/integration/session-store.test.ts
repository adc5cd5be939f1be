import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisClient } from '../../shared/adapters/redis/client.js';
import { sessionIndexKey, sessionKey } from '../../shared/adapters/redis/keys.js';
import { createSessionStore } from '../../shared/adapters/redis/session-store.js';
import type { NewSession, RotationRequest, SessionStore, User } from '../../shared/domain/auth/ports.js';
import { pollUntil } from '../support/poll.js';
import { openRedisTarget, REDIS_MODES, type RedisTarget } from '../support/redis-targets.js';
import { uniquePrefix } from '../support/test-env.js';

const HOUR_MS = 3_600_000;
const GRACE_MS = 10_000;

const userFor = (id: string = randomUUID()): User => ({
  id,
  email: `${id}@example.com`,
  displayName: `User ${id.slice(0, 4)}`,
  createdAt: new Date(1_700_000_000_000),
});

function newSession(overrides: Partial<NewSession> = {}): NewSession {
  const now = Date.now();
  const user = overrides.user ?? userFor(overrides.userId);
  return {
    userId: user.id,
    sessionId: randomUUID(),
    refreshId: randomUUID(),
    issuedAtSeconds: Math.floor(now / 1000),
    refreshExpiresAtMs: now + HOUR_MS,
    absoluteExpiresAtMs: now + 2 * HOUR_MS,
    createdAtMs: now,
    user,
    userAgent: 'Vitest/4',
    ip: '192.0.2.1',
    ...overrides,
  };
}

const rotation = (
  session: NewSession,
  presented: string,
  overrides: Partial<RotationRequest> = {},
): RotationRequest => {
  const now = Date.now();
  return {
    userId: session.userId,
    sessionId: session.sessionId,
    presentedRefreshId: presented,
    newRefreshId: randomUUID(),
    nowMs: now,
    graceMs: GRACE_MS,
    newRefreshExpiresAtMs: now + HOUR_MS,
    ...overrides,
  };
};

describe.each(REDIS_MODES)('Redis session store (%s)', (mode) => {
  let target: RedisTarget;
  let prefix: string;
  let client: RedisClient;
  let store: SessionStore;

  beforeAll(async () => {
    target = await openRedisTarget(mode);
    prefix = uniquePrefix('sessions');
    client = target.connect(prefix);
    store = createSessionStore(client, prefix);
  }, 60_000);

  afterAll(async () => {
    await target?.close();
  });

  const created = async (overrides: Partial<NewSession> = {}): Promise<NewSession> => {
    const session = newSession(overrides);
    await store.create(session);
    return session;
  };

  describe('create / findActive / list / revoke / revokeAll', () => {
    it('creates a session that findActive returns with the user snapshot', async () => {
      const session = await created();

      const active = await store.findActive(session.userId, session.sessionId);

      expect(active).toEqual({ sessionId: session.sessionId, user: session.user });
    });

    it('finds nothing for an unknown session or under another user id', async () => {
      const session = await created();

      expect(await store.findActive(session.userId, randomUUID())).toBeNull();
      expect(await store.findActive(randomUUID(), session.sessionId)).toBeNull();
    });

    it('stores every key of one user under the prefix, in one hash slot, with TTLs', async () => {
      const session = await created();
      await created({ user: session.user });
      const expectedTag = `{u:${session.userId}}`;

      const keys = await target.keys(`${prefix}${expectedTag}`);

      expect(keys).toHaveLength(3);
      for (const key of keys) expect(key.startsWith(`${prefix}${expectedTag}:`)).toBe(true);
      const sessionTtl = await target.inspector.pttl(
        `${prefix}${sessionKey(session.userId, session.sessionId)}`,
      );
      const indexTtl = await target.inspector.pttl(`${prefix}${sessionIndexKey(session.userId)}`);
      expect(sessionTtl).toBeGreaterThan(0);
      expect(sessionTtl).toBeLessThanOrEqual(HOUR_MS);
      expect(indexTtl).toBeGreaterThan(HOUR_MS);
      expect(indexTtl).toBeLessThanOrEqual(2 * HOUR_MS);
      if (mode === 'cluster') {
        const slots = new Set(await Promise.all(keys.map((key) => target.slotOf(key))));
        expect(slots.size).toBe(1);
      }
    });

    it('keeps the session index alive exactly as long as its longest-lived session', async () => {
      const user = userFor();
      const now = Date.now();
      const indexKey = `${prefix}${sessionIndexKey(user.id)}`;

      await created({ user, absoluteExpiresAtMs: now + HOUR_MS });
      const afterFirst = await target.inspector.pttl(indexKey);
      await created({ user, absoluteExpiresAtMs: now + 3 * HOUR_MS });
      const afterLonger = await target.inspector.pttl(indexKey);
      await created({ user, absoluteExpiresAtMs: now + HOUR_MS / 2, refreshExpiresAtMs: now + HOUR_MS / 4 });
      const afterShorter = await target.inspector.pttl(indexKey);

      expect(afterFirst).toBeGreaterThan(HOUR_MS - 60_000);
      expect(afterFirst).toBeLessThanOrEqual(HOUR_MS);
      expect(afterLonger).toBeGreaterThan(3 * HOUR_MS - 60_000);
      expect(afterShorter).toBeGreaterThan(3 * HOUR_MS - 60_000);
    });

    it('lists live sessions with their metadata', async () => {
      const user = userFor();
      const first = await created({ user, userAgent: 'Phone', ip: '198.51.100.7' });
      const second = await created({ user, userAgent: 'Laptop', ip: '198.51.100.8' });

      const sessions = await store.list(user.id, Date.now());

      expect(sessions.map((s) => s.id).sort()).toEqual([first.sessionId, second.sessionId].sort());
      const phone = sessions.find((s) => s.id === first.sessionId);
      expect(phone).toEqual({
        id: first.sessionId,
        createdAt: new Date(first.createdAtMs),
        lastSeenAt: new Date(first.createdAtMs),
        expiresAt: new Date(first.refreshExpiresAtMs),
        userAgent: 'Phone',
        ip: '198.51.100.7',
      });
    });

    it('drops idle-expired sessions from the list and prunes their index entries', async () => {
      const user = userFor();
      const lasting = await created({ user });
      const idle = await created({ user, refreshExpiresAtMs: Date.now() + 150 });

      await pollUntil(
        async () => ((await store.findActive(user.id, idle.sessionId)) === null ? true : undefined),
        {
          timeoutMs: 5_000,
          what: 'the idle session key to expire',
        },
      );
      const sessions = await store.list(user.id, Date.now());

      expect(sessions.map((s) => s.id)).toEqual([lasting.sessionId]);
      expect(await client.zscore(sessionIndexKey(user.id), idle.sessionId)).toBeNull();
    });

    it('leaves out sessions past their absolute expiry', async () => {
      const user = userFor();
      const now = Date.now();
      const live = await created({ user });
      await created({ user, absoluteExpiresAtMs: now + 60_000, refreshExpiresAtMs: now + 60_000 });

      const later = await store.list(user.id, now + 120_000);

      expect(later.map((s) => s.id)).toEqual([live.sessionId]);
    });

    it('revokes one session (true once, then false) and leaves the others', async () => {
      const user = userFor();
      const doomed = await created({ user });
      const kept = await created({ user });

      expect(await store.revoke(user.id, doomed.sessionId)).toBe(true);
      expect(await store.revoke(user.id, doomed.sessionId)).toBe(false);

      expect(await store.findActive(user.id, doomed.sessionId)).toBeNull();
      expect(await store.findActive(user.id, kept.sessionId)).not.toBeNull();
      expect((await store.list(user.id, Date.now())).map((s) => s.id)).toEqual([kept.sessionId]);
    });

    it('does not revoke a session through another user id', async () => {
      const victim = await created();

      expect(await store.revoke(randomUUID(), victim.sessionId)).toBe(false);
      expect(await store.findActive(victim.userId, victim.sessionId)).not.toBeNull();
    });

    it('revokeAll deletes every session of the user, returns their ids and spares other users', async () => {
      const user = userFor();
      const mine = await Promise.all([created({ user }), created({ user }), created({ user })]);
      const other = await created();

      const revoked = await store.revokeAll(user.id);

      expect(revoked.sort()).toEqual(mine.map((s) => s.sessionId).sort());
      for (const session of mine) expect(await store.findActive(user.id, session.sessionId)).toBeNull();
      expect(await target.keys(`${prefix}{u:${user.id}}`)).toEqual([]);
      expect(await store.findActive(other.userId, other.sessionId)).not.toBeNull();
      expect(await store.revokeAll(user.id)).toEqual([]);
    });
  });

  describe('refresh rotation', () => {
    it('rotates the current refresh id and updates the session expiry', async () => {
      const session = await created();
      const request = rotation(session, session.refreshId);

      const outcome = await store.rotate(request);

      expect(outcome).toEqual({
        kind: 'rotated',
        refreshId: request.newRefreshId,
        issuedAtSeconds: Math.floor(request.nowMs / 1000),
        refreshExpiresAtMs: request.newRefreshExpiresAtMs,
      });
      const ttl = await target.inspector.pttl(`${prefix}${sessionKey(session.userId, session.sessionId)}`);
      expect(ttl).toBeGreaterThan(HOUR_MS - 60_000);
      const [listed] = await store.list(session.userId, Date.now());
      expect(listed?.lastSeenAt.getTime()).toBe(request.nowMs);
    });

    it('never extends the refresh expiry past the absolute lifetime', async () => {
      const now = Date.now();
      const session = await created({ absoluteExpiresAtMs: now + 60_000, refreshExpiresAtMs: now + 30_000 });

      const outcome = await store.rotate(
        rotation(session, session.refreshId, { newRefreshExpiresAtMs: now + HOUR_MS }),
      );

      expect(outcome).toMatchObject({ kind: 'rotated', refreshExpiresAtMs: now + 60_000 });
    });

    it('answers the previous id inside the grace window with the current generation, unchanged', async () => {
      const session = await created();
      const first = await store.rotate(rotation(session, session.refreshId));

      const replay = await store.rotate(
        rotation(session, session.refreshId, { nowMs: Date.now() + GRACE_MS - 1_000 }),
      );

      expect(first.kind).toBe('rotated');
      expect(replay).toEqual({ ...first, kind: 'grace' });
      expect(await store.findActive(session.userId, session.sessionId)).not.toBeNull();
    });

    it('treats the previous id after the grace window as reuse and deletes the session', async () => {
      const session = await created();
      await store.rotate(rotation(session, session.refreshId));

      const reuse = await store.rotate(
        rotation(session, session.refreshId, { nowMs: Date.now() + GRACE_MS + 1_000 }),
      );

      expect(reuse).toEqual({ kind: 'reused' });
      expect(await store.findActive(session.userId, session.sessionId)).toBeNull();
      expect(await client.zscore(sessionIndexKey(session.userId), session.sessionId)).toBeNull();
    });

    it('treats an id two generations old as reuse inside the grace window', async () => {
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

    it('reports a missing session without creating one', async () => {
      const session = newSession();

      expect(await store.rotate(rotation(session, session.refreshId))).toEqual({ kind: 'missing' });
      expect(await target.keys(`${prefix}{u:${session.userId}}`)).toEqual([]);
    });

    it('lets exactly one of 25 concurrent rotations of one id win; the rest get its generation', async () => {
      const session = await created();

      const outcomes = await Promise.all(
        Array.from({ length: 25 }, () => store.rotate(rotation(session, session.refreshId))),
      );

      const winners = outcomes.filter((o) => o.kind === 'rotated');
      expect(winners).toHaveLength(1);
      expect(outcomes.filter((o) => o.kind === 'grace')).toHaveLength(24);
      const ids = new Set(outcomes.map((o) => ('refreshId' in o ? o.refreshId : o.kind)));
      expect(ids.size).toBe(1);
    });
  });

  it.runIf(mode === 'cluster')(
    'runs every operation for users spread over all three masters without CROSSSLOT',
    async () => {
      const sessions = await Promise.all(Array.from({ length: 24 }, () => created()));
      const masters = 'nodes' in target.inspector ? target.inspector.nodes('master') : [];
      const perMaster = await Promise.all(
        masters.map(async (node) => {
          const [, keys] = await node.scan('0', 'MATCH', `${prefix}*`, 'COUNT', 10_000);
          return keys.length;
        }),
      );
      expect(perMaster).toHaveLength(3);
      for (const count of perMaster) expect(count).toBeGreaterThan(0);

      const results = await Promise.all(
        sessions.map(async (session) => {
          const rotated = await store.rotate(rotation(session, session.refreshId));
          const listed = await store.list(session.userId, Date.now());
          const active = await store.findActive(session.userId, session.sessionId);
          const revoked = await store.revokeAll(session.userId);
          return { rotated: rotated.kind, listed: listed.length, active: active !== null, revoked };
        }),
      );

      for (const [i, result] of results.entries()) {
        expect(result).toEqual({
          rotated: 'rotated',
          listed: 1,
          active: true,
          revoked: [sessions[i]?.sessionId],
        });
      }
    },
  );

  describe('key prefix isolation', () => {
    it('never sees, rotates or revokes sessions stored under another prefix', async () => {
      const otherPrefix = uniquePrefix('sessions-other');
      const other = createSessionStore(target.connect(otherPrefix), otherPrefix);
      const session = await created();

      expect(await other.findActive(session.userId, session.sessionId)).toBeNull();
      expect(await other.list(session.userId, Date.now())).toEqual([]);
      expect(await other.rotate(rotation(session, session.refreshId))).toEqual({ kind: 'missing' });
      expect(await other.revokeAll(session.userId)).toEqual([]);
      expect(await other.revoke(session.userId, session.sessionId)).toBe(false);
      expect(await store.findActive(session.userId, session.sessionId)).not.toBeNull();

      await other.create(session);
      expect(await store.revokeAll(session.userId)).toEqual([session.sessionId]);
      expect(await store.findActive(session.userId, session.sessionId)).toBeNull();
      expect(await other.findActive(session.userId, session.sessionId)).not.toBeNull();
      expect(await target.keys(`${otherPrefix}{u:${session.userId}}`)).toHaveLength(2);
    });
  });
});
