import type {
  ActiveSession,
  NewSession,
  RotationOutcome,
  RotationRequest,
  SessionStore,
  SessionSummary,
} from '../../domain/auth/ports.js';
import type { RedisClient } from './client.js';
import { sessionIndexKey, sessionKey, sessionKeyPrefix } from './keys.js';
import { orUnavailable, runScript, translateRedisFailure } from './scripts.js';
import { MARK_EMAIL_VERIFIED, REVOKE_ALL, ROTATE_REFRESH } from './session-lua.js';

const USER_FIELDS = ['uid', 'email', 'name', 'userCreatedAt', 'ev'] as const;

function toSummary(id: string, record: Record<string, string>): SessionSummary {
  return {
    id,
    createdAt: new Date(Number(record.createdAt)),
    lastSeenAt: new Date(Number(record.lastSeenAt)),
    expiresAt: new Date(Number(record.rexp)),
    userAgent: record.ua ?? '',
    ip: record.ip ?? '',
  };
}

function toOutcome(reply: unknown): RotationOutcome {
  const [kind, refreshId, issuedAt, refreshExpiresAt] = reply as string[];
  if (kind === 'rotated' || kind === 'grace') {
    return {
      kind,
      refreshId: String(refreshId),
      issuedAtSeconds: Number(issuedAt),
      refreshExpiresAtMs: Number(refreshExpiresAt),
    };
  }
  return { kind: kind === 'reused' ? 'reused' : 'missing' };
}

/** Sessions as Redis hashes (`{u:<id>}:session:<sid>`) plus a per-user index sorted by absolute expiry. */
export function createSessionStore(redis: RedisClient, keyPrefix: string): SessionStore {
  return {
    async create(session: NewSession): Promise<void> {
      const key = sessionKey(session.userId, session.sessionId);
      const index = sessionIndexKey(session.userId);
      const { user } = session;
      await orUnavailable(
        redis
          .multi()
          .hset(key, {
            uid: user.id,
            email: user.email,
            name: user.displayName,
            userCreatedAt: String(user.createdAt.getTime()),
            ev: user.emailVerified ? '1' : '0',
            rid: session.refreshId,
            riat: String(session.issuedAtSeconds),
            rexp: String(session.refreshExpiresAtMs),
            absExp: String(session.absoluteExpiresAtMs),
            createdAt: String(session.createdAtMs),
            lastSeenAt: String(session.createdAtMs),
            ua: session.userAgent,
            ip: session.ip,
          })
          .pexpireat(key, session.refreshExpiresAtMs)
          .zadd(index, session.absoluteExpiresAtMs, session.sessionId)
          .zremrangebyscore(index, '-inf', session.createdAtMs)
          // GT alone never sets a TTL on a key without one (it counts as infinite): NX sets it, GT extends it.
          .pexpireat(index, session.absoluteExpiresAtMs, 'NX')
          .pexpireat(index, session.absoluteExpiresAtMs, 'GT')
          .exec(),
      );
    },

    async rotate(request: RotationRequest): Promise<RotationOutcome> {
      const reply = await runScript(
        redis,
        ROTATE_REFRESH,
        [sessionKey(request.userId, request.sessionId), sessionIndexKey(request.userId)],
        [
          request.presentedRefreshId,
          request.newRefreshId,
          request.nowMs,
          request.graceMs,
          request.newRefreshExpiresAtMs,
          request.sessionId,
        ],
      );
      return toOutcome(reply);
    },

    async findActive(userId, sessionId): Promise<ActiveSession | null> {
      const [uid, email, name, createdAt, verified] = await orUnavailable(
        redis.hmget(sessionKey(userId, sessionId), ...USER_FIELDS),
      );
      if (!uid || uid !== userId || !email || !name) return null;
      return {
        sessionId,
        user: {
          id: uid,
          email,
          displayName: name,
          createdAt: new Date(Number(createdAt)),
          emailVerified: verified === '1',
        },
      };
    },

    async list(userId, nowMs): Promise<SessionSummary[]> {
      const index = sessionIndexKey(userId);
      const ids = await orUnavailable(redis.zrangebyscore(index, nowMs, '+inf'));
      if (ids.length === 0) return [];
      const replies = await redis
        .pipeline(ids.map((id) => ['hgetall', sessionKey(userId, id)]))
        .exec()
        .catch(translateRedisFailure);
      const summaries: SessionSummary[] = [];
      const expired: string[] = [];
      ids.forEach((id, position) => {
        const record = replies?.[position]?.[1] as Record<string, string> | undefined;
        if (record?.uid) summaries.push(toSummary(id, record));
        else expired.push(id);
      });
      // Idle-expired sessions vanish by TTL; drop their index entries lazily.
      if (expired.length > 0) await orUnavailable(redis.zrem(index, ...expired));
      return summaries;
    },

    async revoke(userId, sessionId): Promise<boolean> {
      const [deleted] = (await orUnavailable(
        redis.multi().del(sessionKey(userId, sessionId)).zrem(sessionIndexKey(userId), sessionId).exec(),
      )) ?? [[null, 0]];
      return Number(deleted?.[1]) > 0;
    },

    async revokeAll(userId, exceptSessionId): Promise<string[]> {
      const reply = await runScript(
        redis,
        REVOKE_ALL,
        [sessionIndexKey(userId)],
        [`${keyPrefix}${sessionKeyPrefix(userId)}`, exceptSessionId ?? ''],
      );
      return (reply as string[]) ?? [];
    },

    async markEmailVerified(userId): Promise<void> {
      await runScript(
        redis,
        MARK_EMAIL_VERIFIED,
        [sessionIndexKey(userId)],
        [`${keyPrefix}${sessionKeyPrefix(userId)}`],
      );
    },
  };
}
