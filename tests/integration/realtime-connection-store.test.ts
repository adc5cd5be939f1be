import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisClient } from '../../shared/adapters/redis/client.js';
import { createConnectionStore } from '../../shared/adapters/redis/connection-store.js';
import { sessionKey } from '../../shared/adapters/redis/keys.js';
import { connectionKey, userConnectionsKey } from '../../shared/adapters/redis/realtime-keys.js';
import { systemClock } from '../../shared/domain/auth/ports.js';
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
    store = createConnectionStore(client, systemClock);
  }, 60_000);

  afterAll(async () => {
    await target?.close();
  });

  const rawHash = (userId: string) => target.inspector.hgetall(`${prefix}${userConnectionsKey(userId)}`);

  it('reports the first device of a user as first, and a second device as not first', async () => {
    const phone = connectionFor();
    const laptop = connectionFor(phone.userId);

    expect(await store.add(phone, TTL)).toEqual({ firstForUser: true });
    expect(await store.add(laptop, TTL)).toEqual({ firstForUser: false });
  });

  it('finds a connection by id with its user and session, and nothing for an unknown id', async () => {
    const record = connectionFor();
    await store.add(record, TTL);

    expect(await store.find(record.connectionId)).toEqual(record);
    expect(await store.find(connectionFor().connectionId)).toBeNull();
  });

  it("lists every live connection of a user and none of another user's", async () => {
    const phone = connectionFor();
    const laptop = connectionFor(phone.userId);
    const stranger = connectionFor();
    await Promise.all([store.add(phone, TTL), store.add(laptop, TTL), store.add(stranger, TTL)]);

    // Each listed record also says when `$connect` stored it (fan-out spares connections still connecting).
    const listed = (await store.listForUser(phone.userId)).map(withoutConnectedAt);

    const byId = (a: { connectionId: string }, b: { connectionId: string }) =>
      a.connectionId.localeCompare(b.connectionId);
    expect(listed.sort(byId)).toEqual([phone, laptop].sort(byId));
    expect(await store.listForUser(randomUUID())).toEqual([]);
  });

  it('reports lastForUser only when the last device goes, and forgets the removed connection', async () => {
    const phone = connectionFor();
    const laptop = connectionFor(phone.userId);
    await store.add(phone, TTL);
    await store.add(laptop, TTL);

    expect(await store.remove(phone)).toEqual({ lastForUser: false });
    expect(await store.find(phone.connectionId)).toBeNull();
    expect((await store.listForUser(phone.userId)).map(withoutConnectedAt)).toEqual([laptop]);
    expect(await store.remove(laptop)).toEqual({ lastForUser: true });
    expect(await target.keys(`${prefix}${userConnectionsKey(phone.userId)}`)).toEqual([]);
  });

  it('expires both views of a connection after its ttl and drops the expired field on read', async () => {
    const brief = connectionFor();
    const lasting = connectionFor(brief.userId);
    await store.add(brief, 1);
    await store.add(lasting, TTL);

    await pollUntil(async () => ((await store.find(brief.connectionId)) === null ? true : undefined), {
      timeoutMs: 5_000,
      what: 'the by-id record to expire',
    });
    expect(Object.keys(await rawHash(brief.userId))).toContain(brief.connectionId);

    expect((await store.listForUser(brief.userId)).map(withoutConnectedAt)).toEqual([lasting]);
    expect(Object.keys(await rawHash(brief.userId))).toEqual([lasting.connectionId]);
  });

  it('sets a ttl on every key it writes', async () => {
    const record = connectionFor();
    await store.add(record, TTL);

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
    await Promise.all([store.add(online, TTL), store.add(gone, TTL)]);
    await store.remove(gone);

    const result = await store.onlineAmong([online.userId, gone.userId, never]);

    expect([...result]).toEqual([online.userId]);
    expect(await store.onlineAmong([])).toEqual(new Set());
  });

  describe('with entries that expired while the hash lived on', () => {
    it('does not count a user as online when all their entries have expired', async () => {
      const clock = skewedClock();
      const skewed = createConnectionStore(client, clock);
      const record = connectionFor();
      await skewed.add(record, 60);

      clock.advance(2 * MINUTE_MS);

      expect(await skewed.onlineAmong([record.userId])).toEqual(new Set());
      expect(await skewed.listForUser(record.userId)).toEqual([]);
    });

    it('reports the first live device as first even though an expired entry is still stored', async () => {
      const clock = skewedClock();
      const skewed = createConnectionStore(client, clock);
      const vanished = connectionFor();
      await skewed.add(vanished, 60);
      clock.advance(2 * MINUTE_MS);

      const result = await skewed.add(connectionFor(vanished.userId), 60);

      expect(result).toEqual({ firstForUser: true });
    });

    it('reports the last live device as last even though an expired entry is still stored', async () => {
      const clock = skewedClock();
      const skewed = createConnectionStore(client, clock);
      const vanished = connectionFor();
      const current = connectionFor(vanished.userId);
      await skewed.add(vanished, 60);
      await skewed.add(current, 600);
      clock.advance(2 * MINUTE_MS);

      expect(await skewed.remove(current)).toEqual({ lastForUser: true });
    });
  });

  it('keeps keys of different prefixes apart', async () => {
    const otherPrefix = uniquePrefix('conns-other');
    const other = createConnectionStore(target.connect(otherPrefix), systemClock);
    const record = connectionFor();

    await store.add(record, TTL);

    expect(await other.find(record.connectionId)).toBeNull();
    expect(await other.listForUser(record.userId)).toEqual([]);
    expect(await other.onlineAmong([record.userId])).toEqual(new Set());
    expect(await target.keys(otherPrefix)).toEqual([]);
    expect(await target.keys(`${prefix}${connectionKey(record.connectionId)}`)).toHaveLength(1);
    expect(await target.inspector.exists(connectionKey(record.connectionId))).toBe(0);
  });

  it('serves many users without a CROSSSLOT error, keeping the user hash in the user slot', async () => {
    const records = Array.from({ length: 24 }, () => connectionFor());

    await Promise.all(records.map((record) => store.add(record, TTL)));
    const online = await store.onlineAmong(records.map((record) => record.userId));
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
