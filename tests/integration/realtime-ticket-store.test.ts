import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, type RedisClient } from '../../shared/adapters/redis/client.js';
import { ticketKey } from '../../shared/adapters/redis/realtime-keys.js';
import { createTicketStore } from '../../shared/adapters/redis/ticket-store.js';
import type { TicketStore } from '../../shared/domain/realtime/ports.js';
import { pollUntil } from '../support/poll.js';
import { ticketDigest } from '../support/realtime-redis.js';
import { openRedisTarget, REDIS_MODES, type RedisTarget } from '../support/redis-targets.js';
import { uniquePrefix } from '../support/test-env.js';

const TTL = 30;
const grant = () => ({ userId: randomUUID(), sessionId: randomUUID() });

describe.each(REDIS_MODES)('Redis ticket store (%s)', (mode) => {
  let target: RedisTarget;
  let prefix: string;
  let store: TicketStore;

  beforeAll(async () => {
    target = await openRedisTarget(mode);
    prefix = uniquePrefix('tickets');
    store = createTicketStore(target.connect(prefix));
  }, 60_000);

  afterAll(async () => {
    await target?.close();
  });

  it('issues a 256-bit base64url ticket that redeems once for its grant', async () => {
    const issued = grant();
    const ticket = await store.issue(issued, TTL);

    expect(ticket).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await store.consume(ticket)).toEqual(issued);
    expect(await store.consume(ticket)).toBeNull();
  });

  it('grants exactly one of 20 concurrent redemptions of the same ticket', async () => {
    const issued = grant();
    const ticket = await store.issue(issued, TTL);

    const outcomes = await Promise.all(Array.from({ length: 20 }, () => store.consume(ticket)));

    expect(outcomes.filter((outcome) => outcome !== null)).toEqual([issued]);
  });

  it('refuses a ticket once its ttl has passed', async () => {
    const ticket = await store.issue(grant(), 1);
    const key = `${prefix}${ticketKey(ticketDigest(ticket))}`;
    expect(await target.inspector.pttl(key)).toBeLessThanOrEqual(1_000);

    await pollUntil(async () => ((await target.inspector.exists(key)) === 0 ? true : undefined), {
      timeoutMs: 5_000,
      what: 'the ticket to expire',
    });

    expect(await store.consume(ticket)).toBeNull();
  });

  it('stores only a digest of the ticket: the ticket string appears in no key and no value', async () => {
    const issued = grant();
    const ticket = await store.issue(issued, TTL);

    const keys = await target.keys(prefix);
    const values = await Promise.all(keys.map((key) => target.inspector.get(key)));

    expect(keys).toContain(`${prefix}${ticketKey(ticketDigest(ticket))}`);
    for (const text of [...keys, ...values]) expect(text ?? '').not.toContain(ticket);
    expect(values).toContain(JSON.stringify(issued));
  });

  it('gives nothing for the stored digest presented as a ticket', async () => {
    const ticket = await store.issue(grant(), TTL);

    expect(await store.consume(ticketDigest(ticket))).toBeNull();
    expect(await store.consume(ticket)).not.toBeNull();
  });

  it.each([
    ['an empty string', ''],
    ['a short string', 'abc'],
    ['a 44-character string', 'A'.repeat(44)],
    ['standard base64 characters', `${'A'.repeat(42)}+`],
    ['a trailing newline', `${'A'.repeat(43)}\n`],
    ['a Redis glob', `${'A'.repeat(42)}*`],
    ['a path', `../${'A'.repeat(40)}`],
    ['non-ASCII letters', 'é'.repeat(43)],
  ])('returns null for a malformed ticket (%s)', async (_label, ticket) => {
    expect(await store.consume(ticket)).toBeNull();
  });

  it('returns null for an unknown well-formed ticket', async () => {
    expect(await store.consume(randomBytes(32).toString('base64url'))).toBeNull();
  });
});

describe('Redis ticket store with Redis unreachable', () => {
  let redis: RedisClient;
  let store: TicketStore;

  beforeAll(() => {
    redis = createRedis({
      url: 'redis://127.0.0.1:1',
      mode: 'standalone',
      keyPrefix: uniquePrefix('tickets-down'),
      commandTimeoutMs: 300,
    });
    store = createTicketStore(redis);
  });

  afterAll(() => {
    redis.disconnect();
  });

  it('rejects a malformed ticket without calling Redis', async () => {
    await expect(store.consume('not a ticket')).resolves.toBeNull();
    await expect(store.consume('A'.repeat(44))).resolves.toBeNull();
  });

  it('fails closed with dependency_unavailable for a well-formed ticket', async () => {
    const started = Date.now();

    await expect(store.consume(randomBytes(32).toString('base64url'))).rejects.toMatchObject({
      code: 'dependency_unavailable',
    });
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
