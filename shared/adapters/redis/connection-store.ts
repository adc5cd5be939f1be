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

// A user-side entry is `<sessionId>|<expiresAtMs>|<connectedAtMs>`; one past its expiry is a connection that vanished.
const isLive = (value: string, nowMs: number): boolean => Number(value.split('|')[1]) > nowMs;

// Counts from the hash as read inside the MULTI, so expired leftovers never make a user look online.
const liveCount = (reply: unknown, nowMs: number): number =>
  Object.values((reply ?? {}) as Record<string, string>).filter((value) => isLive(value, nowMs)).length;

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
    const expired = entries.filter(([, value]) => !isLive(value, now)).map(([id]) => id);
    if (expired.length > 0) await guard(redis.hdel(key, ...expired));
    return entries
      .filter(([id]) => !expired.includes(id))
      .map(([connectionId, value]) => {
        const [sessionId = '', , connectedAt] = value.split('|');
        return {
          connectionId,
          userId,
          sessionId,
          ...(connectedAt ? { connectedAtMs: Number(connectedAt) } : {}),
        };
      });
  }

  return {
    async add(record, ttlSeconds) {
      const key = userConnectionsKey(record.userId);
      const nowMs = clock.nowMs();
      const expiresAtMs = nowMs + ttlSeconds * 1000;
      const value = JSON.stringify({ userId: record.userId, sessionId: record.sessionId });
      const [, userSide] = await Promise.all([
        guard(redis.set(connectionKey(record.connectionId), value, 'EX', ttlSeconds)),
        guard(
          redis
            .multi()
            .hset(key, record.connectionId, `${record.sessionId}|${expiresAtMs}|${nowMs}`)
            .pexpireat(key, expiresAtMs)
            .hgetall(key)
            .exec(),
        ),
      ]);
      return { firstForUser: liveCount(userSide?.[2]?.[1], clock.nowMs()) === 1 };
    },

    async find(connectionId) {
      return parseRecord(connectionId, await guard(redis.get(connectionKey(connectionId))));
    },

    async remove(record) {
      const key = userConnectionsKey(record.userId);
      const [, userSide] = await Promise.all([
        guard(redis.del(connectionKey(record.connectionId))),
        guard(redis.multi().hdel(key, record.connectionId).hgetall(key).exec()),
      ]);
      return { lastForUser: liveCount(userSide?.[1]?.[1], clock.nowMs()) === 0 };
    },

    listForUser: liveEntries,

    async onlineAmong(userIds) {
      const lists = await Promise.all(userIds.map((userId) => liveEntries(userId)));
      return new Set(userIds.filter((_, index) => (lists[index]?.length ?? 0) > 0));
    },
  };
}
