import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messagedKey } from '../../shared/adapters/redis/chat-keys.js';
import type { RedisClient } from '../../shared/adapters/redis/client.js';
import { createConnectionStore } from '../../shared/adapters/redis/connection-store.js';
import { sessionKey } from '../../shared/adapters/redis/keys.js';
import { connectionKey, userConnectionsKey } from '../../shared/adapters/redis/realtime-keys.js';
import { systemClock } from '../../shared/domain/clock.js';
import type { ConnectionRecord, ConnectionStore } from '../../shared/domain/realtime/ports.js';
import { pollUntil } from '../support/poll.js';
import { connectionFor, skewedClock } from '../support/realtime-redis.js';
import { openRedisTarget, REDIS_MODES, type RedisTarget } from '../support/redis-targets.js';
import { uniquePrefix } from '../support/test-env.js';

const withoutConnectedAt = ({ connectedAtMs: _connectedAt, ...record }: ConnectionRecord): ConnectionRecord =>
  record;

const TTL = 600;
const MINUTE_MS = 60_000;

describe.each(REDIS_MODES)('Redis connection store (%s)', (mode) => {
  let target: RedisTarget;
  let prefix: string;
  let client: RedisClient;
  let store: ConnectionStore;

  beforeAll(async () => {
    target = await openRedisTarget(mode);
    prefix = uniquePrefix('conns');
    client = target.connect(prefix);
    store = createConnectionStore(client, systemClock, prefix);
  }, 60_000);

  afterAll(async () => {
    await target?.close();
  });

  /** Connections only count while their session exists, so each test connection gets a session key. */
  async function openSession(record: ConnectionRecord): Promise<void> {
    await client.hset(sessionKey(record.userId, record.sessionId), 'uid', record.userId);
    await client.expire(sessionKey(record.userId, record.sessionId), TTL);
  }

  async function addLive(into: ConnectionStore, record: ConnectionRecord, ttl: number, cap?: number) {
    await openSession(record);
    return into.add(record, ttl, cap);
  }

  const liveOf = async (from: ConnectionStore, userId: string) => (await from.lookup(userId)).live;

  async function onlineAmong(from: ConnectionStore, userIds: string[]): Promise<Set<string>> {
    const lists = await Promise.all(userIds.map((userId) => liveOf(from, userId)));
    return new Set(userIds.filter((_, index) => (lists[index]?.length ?? 0) > 0));
  }

  const rawHash = (userId: string) => target.inspector.hgetall(`${prefix}${userConnectionsKey(userId)}`);

  it('reports the first device of a user as first, and a second device as not first', async () => {
    const phone = connectionFor();
    const laptop = connectionFor(phone.userId);

    expect(await addLive(store, phone, TTL)).toEqual({ firstForUser: true });
    expect(await addLive(store, laptop, TTL)).toEqual({ firstForUser: false });
  });

  it('finds a connection by id with its user and session, and nothing for an unknown id', async () => {
    const record = connectionFor();
    await addLive(store, record, TTL);

    expect(await store.find(record.connectionId)).toEqual(record);
    expect(await store.find(connectionFor().connectionId)).toBeNull();
  });

  it("lists every live connection of a user and none of another user's", async () => {
    const phone = connectionFor();
    const laptop = connectionFor(phone.userId);
    const stranger = connectionFor();
    await Promise.all([
      addLive(store, phone, TTL),
      addLive(store, laptop, TTL),
      addLive(store, stranger, TTL),
    ]);

    // Each listed record also says when `$connect` stored it (fan-out spares connections still connecting).
    const listed = (await liveOf(store, phone.userId)).map(withoutConnectedAt);

    const byId = (a: { connectionId: string }, b: { connectionId: string }) =>
      a.connectionId.localeCompare(b.connectionId);
    expect(listed.sort(byId)).toEqual([phone, laptop].sort(byId));
    expect(await liveOf(store, randomUUID())).toEqual([]);
  });

  it('reports lastForUser only when the last device goes, and forgets the removed connection', async () => {
    const phone = connectionFor();
    const laptop = connectionFor(phone.userId);
    await addLive(store, phone, TTL);
    await addLive(store, laptop, TTL);

    expect(await store.remove(phone)).toEqual({ lastForUser: false });
    expect(await store.find(phone.connectionId)).toBeNull();
    expect((await liveOf(store, phone.userId)).map(withoutConnectedAt)).toEqual([laptop]);
    expect(await store.remove(laptop)).toEqual({ lastForUser: true });
    expect(await target.keys(`${prefix}${userConnectionsKey(phone.userId)}`)).toEqual([]);
  });

  it('expires both views of a connection after its ttl and drops the expired field on read', async () => {
    const brief = connectionFor();
    const lasting = connectionFor(brief.userId);
    await addLive(store, brief, 1);
    await addLive(store, lasting, TTL);

    await pollUntil(async () => ((await store.find(brief.connectionId)) === null ? true : undefined), {
      timeoutMs: 5_000,
      what: 'the by-id record to expire',
    });
    expect(Object.keys(await rawHash(brief.userId))).toContain(brief.connectionId);

    expect((await liveOf(store, brief.userId)).map(withoutConnectedAt)).toEqual([lasting]);
    expect(Object.keys(await rawHash(brief.userId))).toEqual([lasting.connectionId]);
  });

  it('sets a ttl on every key it writes', async () => {
    const record = connectionFor();
    await addLive(store, record, TTL);

    const byIdTtl = await target.inspector.pttl(`${prefix}${connectionKey(record.connectionId)}`);
    const userTtl = await target.inspector.pttl(`${prefix}${userConnectionsKey(record.userId)}`);

    for (const ttl of [byIdTtl, userTtl]) {
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(TTL * 1000);
    }
  });

  it('tells which users have at least one live connection', async () => {
    const online = connectionFor();
    const gone = connectionFor();
    const never = randomUUID();
    await Promise.all([addLive(store, online, TTL), addLive(store, gone, TTL)]);
    await store.remove(gone);

    const result = await onlineAmong(store, [online.userId, gone.userId, never]);

    expect([...result]).toEqual([online.userId]);
    expect(await onlineAmong(store, [])).toEqual(new Set());
  });

  describe('with entries that expired while the hash lived on', () => {
    it('does not count a user as online when all their entries have expired', async () => {
      const clock = skewedClock();
      const skewed = createConnectionStore(client, clock, prefix);
      const record = connectionFor();
      await addLive(skewed, record, 60);

      clock.advance(2 * MINUTE_MS);

      expect(await onlineAmong(skewed, [record.userId])).toEqual(new Set());
      expect(await liveOf(skewed, record.userId)).toEqual([]);
    });

    it('reports the first live device as first even though an expired entry is still stored', async () => {
      const clock = skewedClock();
      const skewed = createConnectionStore(client, clock, prefix);
      const vanished = connectionFor();
      await addLive(skewed, vanished, 60);
      clock.advance(2 * MINUTE_MS);

      const result = await addLive(skewed, connectionFor(vanished.userId), 60);

      expect(result).toEqual({ firstForUser: true });
    });

    it('reports the last live device as last even though an expired entry is still stored', async () => {
      const clock = skewedClock();
      const skewed = createConnectionStore(client, clock, prefix);
      const vanished = connectionFor();
      const current = connectionFor(vanished.userId);
      await addLive(skewed, vanished, 60);
      await addLive(skewed, current, 600);
      clock.advance(2 * MINUTE_MS);

      expect(await skewed.remove(current)).toEqual({ lastForUser: true });
    });
  });

  describe('sessions that end', () => {
    it('returns a connection whose session has ended as ended, never as live, and unlinks it', async () => {
      const kept = connectionFor();
      const revoked = connectionFor(kept.userId);
      await addLive(store, kept, TTL);
      await addLive(store, revoked, TTL);
      await client.del(sessionKey(revoked.userId, revoked.sessionId));

      const first = await store.lookup(kept.userId);
      const second = await store.lookup(kept.userId);

      expect(first.live.map(withoutConnectedAt)).toEqual([kept]);
      expect(first.ended.map(withoutConnectedAt)).toEqual([revoked]);
      expect(second.ended).toEqual([]);
      expect(Object.keys(await rawHash(kept.userId))).toEqual([kept.connectionId]);
    });

    it('checks the sessions in the same single command as the connection lookup', async () => {
      const record = connectionFor();
      await addLive(store, record, TTL);
      // Loads the script on this user's node first: a cold cluster node answers NOSCRIPT once, then EVAL.
      await store.lookup(record.userId);
      const sent: string[] = [];
      const counting = new Proxy(client, {
        get(target, property, receiver) {
          const value = Reflect.get(target, property, receiver);
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            sent.push(String(property));
            return value.apply(target, args);
          };
        },
      });

      const found = await createConnectionStore(counting, systemClock, prefix).lookup(record.userId);

      expect(found.live).toHaveLength(1);
      expect(sent).toEqual(['evalsha']);
    });

    it('lists a user only to a viewer the user has messaged', async () => {
      const record = connectionFor();
      const friend = randomUUID();
      await addLive(store, record, TTL);
      await client.sadd(messagedKey(record.userId), friend);

      expect(await store.lookup(record.userId, { visibleTo: friend })).toMatchObject({ live: [record] });
      expect(await store.lookup(record.userId, { visibleTo: randomUUID() })).toEqual({ live: [], ended: [] });
    });
  });

  describe('the record cache of a warm instance', () => {
    /** The store over a client that records every command it is asked to send. */
    function countingStore(options: { recordCacheSize?: number } = {}, clock = systemClock) {
      const sent: string[] = [];
      const counting = new Proxy(client, {
        get(target, property, receiver) {
          const value = Reflect.get(target, property, receiver);
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            sent.push(String(property));
            return value.apply(target, args);
          };
        },
      });
      return { store: createConnectionStore(counting, clock, prefix, options), sent };
    }

    it('reads a connection record from Redis once, then from memory', async () => {
      const record = connectionFor();
      await addLive(store, record, TTL);
      const { store: warm, sent } = countingStore();

      expect(await warm.find(record.connectionId)).toEqual(record);
      const afterFirst = sent.length;
      expect(await warm.find(record.connectionId)).toEqual(record);

      expect(afterFirst).toBeGreaterThan(0);
      expect(sent).toHaveLength(afterFirst);
    });

    it('forgets a record it removes or forgets itself', async () => {
      const removed = connectionFor();
      const forgotten = connectionFor();
      const { store: warm } = countingStore();
      await addLive(warm, removed, TTL);
      await addLive(warm, forgotten, TTL);
      await warm.find(removed.connectionId);
      await warm.find(forgotten.connectionId);

      await warm.remove(removed);
      await warm.forget(forgotten.connectionId);

      expect(await warm.find(removed.connectionId)).toBeNull();
      expect(await warm.find(forgotten.connectionId)).toBeNull();
    });

    it('does not keep a record read while the same instance removed it', async () => {
      const record = connectionFor();
      const { store: warm } = countingStore();
      await addLive(warm, record, TTL);

      const reading = warm.find(record.connectionId);
      await warm.remove(record);
      expect(await reading).toEqual(record);

      expect(await warm.find(record.connectionId)).toBeNull();
    });

    it("never serves a record past its key's expiry", async () => {
      const clock = skewedClock();
      const record = connectionFor();
      const { store: warm, sent } = countingStore({}, clock);
      await addLive(warm, record, 60);
      await warm.find(record.connectionId);
      const cached = sent.length;

      clock.advance(2 * MINUTE_MS);
      await warm.find(record.connectionId);

      expect(sent.length).toBeGreaterThan(cached);
    });

    it('holds a bounded number of records, dropping the least recently used', async () => {
      const [first, second, third] = [connectionFor(), connectionFor(), connectionFor()];
      const { store: warm, sent } = countingStore({ recordCacheSize: 2 });
      for (const record of [first, second, third]) await addLive(store, record, TTL);
      for (const record of [first, second, third]) await warm.find(record.connectionId);

      const before = sent.length;
      await warm.find(third.connectionId);
      await warm.find(second.connectionId);
      const whileCached = sent.length;
      await warm.find(first.connectionId);

      expect(whileCached).toBe(before);
      expect(sent.length).toBeGreaterThan(whileCached);
    });
  });

  describe('the per-user cap', () => {
    it('refuses a connection beyond the cap, even when the handshakes race', async () => {
      const userId = randomUUID();
      const records = Array.from({ length: 6 }, () => connectionFor(userId));

      const outcomes = await Promise.allSettled(records.map((record) => addLive(store, record, TTL, 4)));

      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(4);
      const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
      expect(refused.map((outcome) => (outcome as PromiseRejectedResult).reason.code)).toEqual([
        'too_many_connections',
        'too_many_connections',
      ]);
      expect(await liveOf(store, userId)).toHaveLength(4);
    });

    it('does not count sockets whose session has ended, nor writes the refused connection', async () => {
      const stale = connectionFor();
      await addLive(store, stale, TTL, 1);
      const fresh = connectionFor(stale.userId);
      await expect(addLive(store, fresh, TTL, 1)).rejects.toMatchObject({ code: 'too_many_connections' });
      expect(await store.find(fresh.connectionId)).toBeNull();

      await client.del(sessionKey(stale.userId, stale.sessionId));

      expect(await addLive(store, fresh, TTL, 1)).toEqual({ firstForUser: true });
    });
  });

  it('keeps keys of different prefixes apart', async () => {
    const otherPrefix = uniquePrefix('conns-other');
    const other = createConnectionStore(target.connect(otherPrefix), systemClock, otherPrefix);
    const record = connectionFor();

    await addLive(store, record, TTL);

    expect(await other.find(record.connectionId)).toBeNull();
    expect(await liveOf(other, record.userId)).toEqual([]);
    expect(await onlineAmong(other, [record.userId])).toEqual(new Set());
    expect(await target.keys(otherPrefix)).toEqual([]);
    expect(await target.keys(`${prefix}${connectionKey(record.connectionId)}`)).toHaveLength(1);
    expect(await target.inspector.exists(connectionKey(record.connectionId))).toBe(0);
  });

  it('serves many users without a CROSSSLOT error, keeping the user hash in the user slot', async () => {
    const records = Array.from({ length: 24 }, () => connectionFor());

    await Promise.all(records.map((record) => addLive(store, record, TTL)));
    const online = await onlineAmong(
      store,
      records.map((record) => record.userId),
    );
    const found = await Promise.all(records.map((record) => store.find(record.connectionId)));
    const removed = await Promise.all(records.map((record) => store.remove(record)));

    expect(online.size).toBe(records.length);
    expect(found).toEqual(records);
    expect(removed.every((outcome) => outcome.lastForUser)).toBe(true);
    if (mode === 'cluster') {
      const [first] = records;
      if (!first) throw new Error('no records');
      const userSlot = await target.slotOf(`${prefix}${userConnectionsKey(first.userId)}`);
      const sessionSlot = await target.slotOf(`${prefix}${sessionKey(first.userId, first.sessionId)}`);
      expect(userSlot).toBe(sessionSlot);
      const slots = new Set(
        await Promise.all(
          records.map((record) => target.slotOf(`${prefix}${userConnectionsKey(record.userId)}`)),
        ),
      );
      expect(slots.size).toBeGreaterThan(1);
    }
  });
});
