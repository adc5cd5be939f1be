import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis } from '../../shared/adapters/redis/client.js';
import { rateLimitKey } from '../../shared/adapters/redis/keys.js';
import { createRateLimiter } from '../../shared/adapters/redis/rate-limiter.js';
import type { RateLimiter } from '../../shared/domain/auth/ports.js';
import { AppError } from '../../shared/domain/errors.js';
import { pollUntil } from '../support/poll.js';
import { openRedisTarget, REDIS_MODES, type RedisTarget } from '../support/redis-targets.js';
import { uniquePrefix } from '../support/test-env.js';

const bucket = (label: string): string => `${label}:${randomUUID()}`;

describe.each(REDIS_MODES)('Redis rate limiter (%s)', (mode) => {
  let target: RedisTarget;
  let prefix: string;
  let limiter: RateLimiter;

  beforeAll(async () => {
    target = await openRedisTarget(mode);
    prefix = uniquePrefix('limiter');
    limiter = createRateLimiter(target.connect(prefix));
  }, 60_000);

  afterAll(async () => {
    await target?.close();
  });

  // Counting, windows, bursts and reset are the port contract (tests/integration/contract); these are
  // the Redis specifics: the key's TTL, prefixes, and failing closed.
  it('uses a fixed window: the first hit sets the expiry and later hits do not extend it', async () => {
    const name = bucket('fixed');
    const key = `${prefix}${rateLimitKey(name)}`;
    await limiter.hit(name, 100, 30);
    const firstTtl = await target.inspector.pttl(key);

    await pollUntil(async () => ((await target.inspector.pttl(key)) < firstTtl - 20 ? true : undefined), {
      what: 'the window TTL to tick down',
    });
    await limiter.hit(name, 100, 30);
    const laterTtl = await target.inspector.pttl(key);

    expect(firstTtl).toBeGreaterThan(29_000);
    expect(firstTtl).toBeLessThanOrEqual(30_000);
    expect(laterTtl).toBeLessThan(firstTtl);
    expect(await target.inspector.get(key)).toBe('2');
  });

  it('keeps buckets apart per key prefix', async () => {
    const otherPrefix = uniquePrefix('limiter-other');
    const other = createRateLimiter(target.connect(otherPrefix));
    const name = bucket('shared-name');
    await limiter.hit(name, 1, 60);
    expect((await limiter.hit(name, 1, 60)).allowed).toBe(false);

    expect(await other.hit(name, 1, 60)).toEqual({ allowed: true });
    await other.reset(name);
    expect((await limiter.hit(name, 1, 60)).allowed).toBe(false);
    expect(await target.keys(`${prefix}${rateLimitKey(name)}`)).toEqual([`${prefix}${rateLimitKey(name)}`]);
  });
});

describe('Redis rate limiter without Redis', () => {
  it('fails closed with dependency_unavailable', async () => {
    const dead = createRedis({
      url: 'redis://127.0.0.1:1',
      mode: 'standalone',
      keyPrefix: 'test:dead:',
      commandTimeoutMs: 300,
    });
    try {
      const limiter = createRateLimiter(dead);

      const failure = await limiter.hit('anything', 10, 60).then(
        () => undefined,
        (error: unknown) => error,
      );

      expect(failure).toBeInstanceOf(AppError);
      expect(failure).toMatchObject({ code: 'dependency_unavailable', retryAfterSeconds: 1 });
    } finally {
      dead.disconnect();
    }
  });
});
