import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisClient } from '../../shared/adapters/redis/client.js';
import { sessionIndexKey, sessionKey } from '../../shared/adapters/redis/keys.js';
import { createSessionStore } from '../../shared/adapters/redis/session-store.js';
import type { NewSession, RotationRequest, SessionStore, User } from '../../shared/domain/auth/ports.js';
import { clockPasses } from '../support/poll.js';
import { openRedisTarget, REDIS_MODES, type RedisTarget } from '../support/redis-targets.js';
import { uniquePrefix } from '../support/test-env.js';

const HOUR_MS = 3_600_000;
const GRACE_MS = 10_000;

const userFor = (id: string = randomUUID()): User => ({
  id,
  email: `${id}@example.com`,
  displayName: `User ${id.slice(0, 4)}`,
  createdAt: new Date(1_700_000_000_000),
  emailVerified: false,
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

  // What every SessionStore does (rotation, grace, reuse, caps, list, revoke) is the port contract in
  // tests/integration/contract; these are the Redis specifics: keys, hash slots, TTLs and the index.
  describe('keys, TTLs and the session index', () => {
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

    it('prunes the index entries of idle-expired sessions when listing', async () => {
      const user = userFor();
      await created({ user });
      const idle = await created({ user, refreshExpiresAtMs: Date.now() + 150 });
      await clockPasses(idle.refreshExpiresAtMs + 1, 2_000);

      await store.list(user.id, Date.now());

      expect(await client.zscore(sessionIndexKey(user.id), idle.sessionId)).toBeNull();
    });

    it('moves the session key TTL to the rotated refresh expiry', async () => {
      const session = await created();
      const request = rotation(session, session.refreshId, {
        newRefreshExpiresAtMs: Date.now() + HOUR_MS / 2,
      });

      await store.rotate(request);

      const ttl = await target.inspector.pttl(`${prefix}${sessionKey(session.userId, session.sessionId)}`);
      expect(ttl).toBeGreaterThan(HOUR_MS / 2 - 60_000);
      expect(ttl).toBeLessThanOrEqual(HOUR_MS / 2);
    });

    it('drops the index entry of a session revoked for reuse, and leaves no key behind', async () => {
      const session = await created();

      expect(await store.rotate(rotation(session, randomUUID()))).toEqual({ kind: 'reused' });

      expect(await client.zscore(sessionIndexKey(session.userId), session.sessionId)).toBeNull();
      expect(await target.keys(`${prefix}{u:${session.userId}}:session:`)).toEqual([]);
    });

    it('writes no key when rotating a session it does not hold', async () => {
      const session = newSession();

      expect(await store.rotate(rotation(session, session.refreshId))).toEqual({ kind: 'missing' });
      expect(await target.keys(`${prefix}{u:${session.userId}}`)).toEqual([]);
    });

    it('revokeAll leaves no key of the user behind', async () => {
      const user = userFor();
      await Promise.all([created({ user }), created({ user })]);

      await store.revokeAll(user.id);

      expect(await target.keys(`${prefix}{u:${user.id}}`)).toEqual([]);
    });
  });

  // Only a cluster has slots to cross; the standalone run declares no such test rather than skipping one.
  if (mode === 'cluster')
    it('runs every operation for users spread over all three masters without CROSSSLOT', async () => {
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
    });

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
