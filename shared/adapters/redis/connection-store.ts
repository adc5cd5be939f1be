import { AppError } from '../../domain/errors.js';
import { createLruCache } from '../../domain/lru-cache.js';
import type { ConnectionLookup, ConnectionRecord, ConnectionStore } from '../../domain/realtime/ports.js';
import { messagedKey } from './chat-keys.js';
import type { RedisClient } from './client.js';
import { ADD_CONNECTION, LOOKUP_CONNECTIONS } from './connection-lua.js';
import { sessionKeyPrefix } from './keys.js';
import { connectionKey, userConnectionsKey } from './realtime-keys.js';
import { orUnavailable, runScript } from './scripts.js';

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

function recordsOf(userId: string, flat: unknown): ConnectionRecord[] {
  const items = (flat ?? []) as string[];
  const records: ConnectionRecord[] = [];
  for (let i = 0; i + 1 < items.length; i += 2) {
    const [sessionId = '', , connectedAt] = String(items[i + 1]).split('|');
    records.push({
      connectionId: String(items[i]),
      userId,
      sessionId,
      ...(connectedAt ? { connectedAtMs: Number(connectedAt) } : {}),
    });
  }
  return records;
}

export interface ConnectionStoreOptions {
  /** Connection records kept in memory by `find` (0 turns the cache off). */
  recordCacheSize?: number;
}

/** A connection record remembered by this instance, until its Redis key would have expired. */
interface CachedRecord {
  record: ConnectionRecord;
  expiresAtMs: number;
}

/**
 * Two views of each connection: `ws:conn:<id>` for the per-frame lookup, and the user's hash for fan-out.
 * The user-side entries carry their own expiry, because a hash field has no TTL and `$disconnect` may never
 * come. Every read of the hash also checks each entry's session (same slot, same round trip), so a push
 * never reaches a socket whose session has ended.
 *
 * `find` remembers records in memory (bounded, never past the key's TTL): a connection's user and session
 * never change while it lives, so a warm instance reads each record once. That is safe because the record
 * only names the session; every frame still checks that session in Redis, and a socket closed elsewhere
 * sends no more frames. `remove`/`forget` drop the entry here too.
 */
export function createConnectionStore(
  redis: RedisClient,
  clock: { nowMs(): number },
  keyPrefix = '',
  options: ConnectionStoreOptions = {},
): ConnectionStore {
  const sessionPrefix = (userId: string): string => `${keyPrefix}${sessionKeyPrefix(userId)}`;
  const cache = createLruCache<string, CachedRecord>(options.recordCacheSize ?? 5_000);
  // Bumped by every removal, so a read that raced one is not cached (it may have fetched the removed record).
  let removals = 0;
  const evict = (connectionId: string): void => {
    cache.delete(connectionId);
    removals += 1;
  };

  return {
    async add(record, ttlSeconds, maxPerUser = Number.POSITIVE_INFINITY) {
      evict(record.connectionId);
      const nowMs = clock.nowMs();
      const expiresAtMs = nowMs + ttlSeconds * 1000;
      const [added, live] = (await runScript(
        redis,
        ADD_CONNECTION,
        [userConnectionsKey(record.userId)],
        [
          record.connectionId,
          `${record.sessionId}|${expiresAtMs}|${nowMs}`,
          expiresAtMs,
          nowMs,
          Number.isFinite(maxPerUser) ? maxPerUser : 1_000_000,
          sessionPrefix(record.userId),
        ],
      )) as [number, number];
      if (added !== 1) {
        throw new AppError(
          'too_many_connections',
          `At most ${live} open connections per user; close one first`,
          { retryAfterSeconds: 5 },
        );
      }
      const value = JSON.stringify({ userId: record.userId, sessionId: record.sessionId });
      await orUnavailable(redis.set(connectionKey(record.connectionId), value, 'EX', ttlSeconds));
      return { firstForUser: live === 1 };
    },

    async find(connectionId) {
      const cached = cache.get(connectionId);
      if (cached && cached.expiresAtMs > clock.nowMs()) return cached.record;
      const removalsBefore = removals;
      const key = connectionKey(connectionId);
      const [raw, ttlMs] = await Promise.all([orUnavailable(redis.get(key)), orUnavailable(redis.pttl(key))]);
      const record = parseRecord(connectionId, raw);
      if (record && ttlMs > 0 && removals === removalsBefore) {
        cache.set(connectionId, { record, expiresAtMs: clock.nowMs() + ttlMs });
      }
      return record;
    },

    async remove(record) {
      evict(record.connectionId);
      const key = userConnectionsKey(record.userId);
      const [, userSide] = await Promise.all([
        orUnavailable(redis.del(connectionKey(record.connectionId))),
        orUnavailable(redis.multi().hdel(key, record.connectionId).hgetall(key).exec()),
      ]);
      return { lastForUser: liveCount(userSide?.[1]?.[1], clock.nowMs()) === 0 };
    },

    async forget(connectionId) {
      evict(connectionId);
      await orUnavailable(redis.del(connectionKey(connectionId)));
    },

    async lookup(userId, options = {}): Promise<ConnectionLookup> {
      const [live, ended] = (await runScript(
        redis,
        LOOKUP_CONNECTIONS,
        [userConnectionsKey(userId), messagedKey(userId)],
        [clock.nowMs(), sessionPrefix(userId), options.visibleTo ?? ''],
      )) as [unknown, unknown];
      return { live: recordsOf(userId, live), ended: recordsOf(userId, ended) };
    },
  };
}
