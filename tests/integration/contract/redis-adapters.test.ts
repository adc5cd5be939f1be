/**
 * The Redis adapters held to the port contracts, standalone and cluster. The same contracts run against the
 * in-memory fakes in tests/unit/contracts/fakes.test.ts, so the use-case tests built on those fakes test the
 * product's behaviour, not a re-implementation of it.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { blocksKey, messagedKey } from '../../../shared/adapters/redis/chat-keys.js';
import { createConnectionStore } from '../../../shared/adapters/redis/connection-store.js';
import { createGroupStore } from '../../../shared/adapters/redis/group-store.js';
import { sessionKey } from '../../../shared/adapters/redis/keys.js';
import { createRateLimiter } from '../../../shared/adapters/redis/rate-limiter.js';
import { createResetTokenStore } from '../../../shared/adapters/redis/reset-token-store.js';
import { createSessionStore } from '../../../shared/adapters/redis/session-store.js';
import { createTicketStore } from '../../../shared/adapters/redis/ticket-store.js';
import { systemClock } from '../../../shared/domain/clock.js';
import { connectionStoreContract } from '../../support/contracts/connection-store-contract.js';
import { groupStoreContract } from '../../support/contracts/group-store-contract.js';
import { rateLimiterContract } from '../../support/contracts/rate-limiter-contract.js';
import { resetTokenStoreContract } from '../../support/contracts/reset-token-store-contract.js';
import { sessionStoreContract } from '../../support/contracts/session-store-contract.js';
import { wallTime } from '../../support/contracts/store-time.js';
import { ticketStoreContract } from '../../support/contracts/ticket-store-contract.js';
import { openRedisTarget, REDIS_MODES, type RedisTarget } from '../../support/redis-targets.js';
import { uniquePrefix } from '../../support/test-env.js';

// The target (and its clients) is closed once, after every contract of this mode has run.
const close = async (): Promise<void> => {};

describe.each(REDIS_MODES)('Redis adapters (%s)', (mode) => {
  let target: RedisTarget;

  beforeAll(async () => {
    target = await openRedisTarget(mode);
  }, 60_000);

  afterAll(async () => {
    await target?.close();
  });

  const connect = (label: string) => {
    const prefix = uniquePrefix(`contract-${label}`);
    return { prefix, redis: target.connect(prefix) };
  };

  sessionStoreContract(`createSessionStore (${mode})`, async () => {
    const { prefix, redis } = connect('sessions');
    return { store: createSessionStore(redis, prefix), time: wallTime, close };
  });

  rateLimiterContract(`createRateLimiter (${mode})`, async () => {
    const { redis } = connect('limiter');
    return { limiter: createRateLimiter(redis), time: wallTime, close };
  });

  ticketStoreContract(`createTicketStore (${mode})`, async () => {
    const { redis } = connect('tickets');
    return { store: createTicketStore(redis), time: wallTime, close };
  });

  resetTokenStoreContract(`createResetTokenStore (${mode})`, async () => {
    const { redis } = connect('reset-tokens');
    return { store: createResetTokenStore(redis), time: wallTime, close };
  });

  connectionStoreContract(`createConnectionStore (${mode})`, async () => {
    const { prefix, redis } = connect('connections');
    return {
      store: createConnectionStore(redis, systemClock, prefix),
      time: wallTime,
      async openSession(record) {
        const key = sessionKey(record.userId, record.sessionId);
        await redis.multi().hset(key, 'uid', record.userId).expire(key, 600).exec();
      },
      async endSession(record) {
        await redis.del(sessionKey(record.userId, record.sessionId));
      },
      async markMessaged(from, to) {
        await redis.sadd(messagedKey(from), to);
      },
      close,
    };
  });

  groupStoreContract(`createGroupStore (${mode})`, async () => {
    const { redis } = connect('groups');
    return {
      store: createGroupStore(redis),
      async block(blocker, peer) {
        await redis.zadd(blocksKey(blocker), Date.now(), peer);
      },
      close,
    };
  });
});
