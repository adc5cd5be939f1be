import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfillUserDirectory } from '../../shared/adapters/db/backfill-user-directory.js';
import { createUserRepository } from '../../shared/adapters/db/user-repository.js';
import type { RedisClient } from '../../shared/adapters/redis/client.js';
import { sessionKey } from '../../shared/adapters/redis/keys.js';
import { createUserDirectory, directoryKey } from '../../shared/adapters/redis/user-directory.js';
import type { UserDirectory } from '../../shared/domain/chat/ports.js';
import {
  bearer,
  listRedisKeys,
  loginWithTokens,
  registerAccount,
  send,
  startApp,
  type TestApp,
} from '../support/auth-helpers.js';
import { openRedisTarget, REDIS_MODES, type RedisTarget } from '../support/redis-targets.js';
import { jsonPost, randomEmail, uniquePrefix } from '../support/test-env.js';

const at = (iso: string): Date => new Date(iso);

describe.each(REDIS_MODES)('Redis user directory (%s)', (mode) => {
  let target: RedisTarget;
  let prefix: string;
  let directory: UserDirectory;

  beforeAll(async () => {
    target = await openRedisTarget(mode);
    prefix = uniquePrefix('directory');
    directory = createUserDirectory(target.connect(prefix));
  }, 60_000);

  afterAll(async () => {
    await target?.close();
  });

  it('finds a user it was told about, with the display name, and nobody else', async () => {
    const id = randomUUID();
    await directory.put({ id, displayName: 'Ada Lovelace', updatedAt: at('2030-01-01T00:00:00Z') });

    expect(await directory.find(id)).toEqual({ id, displayName: 'Ada Lovelace' });
    expect(await directory.find(randomUUID())).toBeNull();
    if (mode === 'cluster') {
      // In the user's slot, beside their sessions.
      expect(await target.slotOf(`${prefix}${directoryKey(id)}`)).toBe(
        await target.slotOf(`${prefix}${sessionKey(id, randomUUID())}`),
      );
    }
  });

  it('takes a newer display name and ignores an older write that arrives late', async () => {
    const id = randomUUID();
    await directory.put({ id, displayName: 'Ada', updatedAt: at('2030-01-01T00:00:00Z') });

    await directory.put({ id, displayName: 'Ada Lovelace', updatedAt: at('2030-01-02T00:00:00Z') });
    await directory.put({ id, displayName: 'Ada (stale)', updatedAt: at('2030-01-01T12:00:00Z') });

    expect(await directory.find(id)).toEqual({ id, displayName: 'Ada Lovelace' });
  });

  it('finds many users at once, in the order asked, leaving out the unknown', async () => {
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    await Promise.all(
      ids.map((id, index) => directory.put({ id, displayName: `User ${index}`, updatedAt: new Date() })),
    );
    const unknown = randomUUID();

    const found = await directory.findMany([ids[2] ?? '', unknown, ids[0] ?? '', ids[1] ?? '']);

    expect(found.map((entry) => entry.displayName)).toEqual(['User 2', 'User 0', 'User 1']);
    expect(await directory.findMany([])).toEqual([]);
  });
});

describe('filling and using the user directory with the real Postgres', () => {
  let t: TestApp & { stop(): Promise<void> };
  let redis: RedisClient;

  beforeAll(async () => {
    t = await startApp();
    redis = t.redis;
  });

  afterAll(async () => {
    await t?.stop();
  });

  /** A user written to Postgres only, as accounts created before the directory existed were. */
  const legacyUser = (displayName = `Legacy ${randomUUID().slice(0, 6)}`) =>
    createUserRepository(t.db).create({ email: randomEmail(), passwordHash: '$2b$04$hash', displayName });

  it('registers a user into the directory once Postgres has the row', async () => {
    const account = await registerAccount(t.app, { displayName: 'Grace Hopper' });

    expect(await t.deps.directory.find(account.id)).toEqual({ id: account.id, displayName: 'Grace Hopper' });
  });

  it('adds nobody to the directory when registration fails in Postgres', async () => {
    const account = await registerAccount(t.app);
    const entries = async () =>
      (await listRedisKeys(t.env.REDIS_URL, t.env.REDIS_KEY_PREFIX)).filter((key) =>
        key.endsWith(':profile'),
      );
    const before = await entries();

    const res = await send(
      t.app,
      '/auth/register',
      jsonPost({ email: account.email, password: account.password, displayName: 'Impostor' }),
    );

    expect(res.status).toBe(409);
    expect(await entries()).toEqual(before);
    expect(await t.deps.directory.find(account.id)).toMatchObject({ displayName: account.displayName });
  });

  it('backfills every user missing from the directory, in batches, and is idempotent', async () => {
    const legacy = await Promise.all(Array.from({ length: 5 }, () => legacyUser()));
    expect(await t.deps.directory.findMany(legacy.map((user) => user.id))).toEqual([]);

    const written = await backfillUserDirectory(t.db, redis, { batchSize: 2 });
    const again = await backfillUserDirectory(t.db, redis, { batchSize: 2 });

    expect(written).toBeGreaterThanOrEqual(legacy.length);
    expect(again).toBeGreaterThanOrEqual(written);
    expect(await t.deps.directory.findMany(legacy.map((user) => user.id))).toEqual(
      legacy.map((user) => ({ id: user.id, displayName: user.displayName })),
    );
  });

  it('does not bring back an older name over one written since', async () => {
    const user = await legacyUser('Old name');
    const later = new Date(user.createdAt.getTime() + 60_000);
    await t.deps.directory.put({ id: user.id, displayName: 'New name', updatedAt: later });

    await backfillUserDirectory(t.db, redis);

    expect(await t.deps.directory.find(user.id)).toEqual({ id: user.id, displayName: 'New name' });
  });

  it('decides who can be messaged or blocked from the directory alone, not from Postgres', async () => {
    const sender = await registerAccount(t.app);
    const { accessToken } = await loginWithTokens(t.app, sender);
    const legacy = await legacyUser();
    const post = () =>
      send(
        t.app,
        `/chat/conversations/${legacy.id}/messages`,
        jsonPost({ body: 'hello', clientMsgId: `m-${randomUUID()}` }, bearer(accessToken)),
      );
    const block = () =>
      send(t.app, `/chat/blocks/${legacy.id}`, { method: 'POST', headers: bearer(accessToken) });

    expect((await post()).status).toBe(404);
    expect((await block()).status).toBe(404);
    await backfillUserDirectory(t.db, redis);

    expect((await post()).status).toBe(201);
    const contacts = await send(t.app, '/chat/contacts', { headers: bearer(accessToken) });
    expect(await contacts.json()).toMatchObject({
      contacts: [{ user: { id: legacy.id, displayName: legacy.displayName } }],
    });
    expect((await block()).status).toBe(204);
    const blocks = await send(t.app, '/chat/blocks', { headers: bearer(accessToken) });
    expect(await blocks.json()).toMatchObject({
      blocks: [{ user: { id: legacy.id, displayName: legacy.displayName } }],
    });
  });
});
