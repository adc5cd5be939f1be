import type { ConnectionRecord, ConnectionStore } from '../../domain/realtime/ports.js';
import type { RedisClient } from './client.js';
import { connectionKey, userConnectionsKey } from './realtime-keys.js';
import { guard } from './scripts.js';

const parseRecord = (connectionId: string, raw: string | null): ConnectionRecord | null => {
  if (!raw) return null;
  const value = JSON.parse(raw) as { userId?: unknown; sessionId?: unknown };
  if (typeof value.userId !== 'string' || typeof value.sessionId !== 'string') return null;
  return { connectionId, userId: value.userId, sessionId: value.sessionId };
};

/**
 * Two views of each connection: `ws:conn:<id>` for the per-frame lookup, and the user's hash for fan-out.
 * The user-side entries carry their own expiry, because a hash field has no TTL and `$disconnect` may never
 * come; expired ones are dropped whenever the hash is read.
 */
export function createConnectionStore(redis: RedisClient, clock: { nowMs(): number }): ConnectionStore {
  async function liveEntries(userId: string): Promise<ConnectionRecord[]> {
    const key = userConnectionsKey(userId);
    const entries = Object.entries(await guard(redis.hgetall(key)));
    const now = clock.nowMs();
    const expired = entries.filter(([, value]) => Number(value.split('|')[1]) <= now).map(([id]) => id);
    if (expired.length > 0) await guard(redis.hdel(key, ...expired));
    return entries
      .filter(([id]) => !expired.includes(id))
      .map(([connectionId, value]) => ({ connectionId, userId, sessionId: value.split('|')[0] ?? '' }));
  }

  return {
    async add(record, ttlSeconds) {
      const key = userConnectionsKey(record.userId);
      const expiresAtMs = clock.nowMs() + ttlSeconds * 1000;
      const value = JSON.stringify({ userId: record.userId, sessionId: record.sessionId });
      const [, userSide] = await Promise.all([
        guard(redis.set(connectionKey(record.connectionId), value, 'EX', ttlSeconds)),
        guard(
          redis
            .multi()
            .hset(key, record.connectionId, `${record.sessionId}|${expiresAtMs}`)
            .pexpireat(key, expiresAtMs)
            .hlen(key)
            .exec(),
        ),
      ]);
      return { firstForUser: Number(userSide?.[2]?.[1]) === 1 };
    },

    async find(connectionId) {
      return parseRecord(connectionId, await guard(redis.get(connectionKey(connectionId))));
    },

    async remove(record) {
      const key = userConnectionsKey(record.userId);
      const [, userSide] = await Promise.all([
        guard(redis.del(connectionKey(record.connectionId))),
        guard(redis.multi().hdel(key, record.connectionId).hlen(key).exec()),
      ]);
      return { lastForUser: Number(userSide?.[1]?.[1]) === 0 };
    },

    listForUser: liveEntries,

    async onlineAmong(userIds) {
      const counts = await Promise.all(
        userIds.map((userId) => guard(redis.hlen(userConnectionsKey(userId)))),
      );
      return new Set(userIds.filter((_, index) => (counts[index] ?? 0) > 0));
    },
  };
}
