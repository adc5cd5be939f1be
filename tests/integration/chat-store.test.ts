import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createBlockStore } from '../../shared/adapters/redis/block-store.js';
import { createChatStore } from '../../shared/adapters/redis/chat-store.js';
import { createRedis, type RedisClient } from '../../shared/adapters/redis/client.js';
import { conversationIdFor } from '../../shared/domain/chat/conversation.js';
import { listContacts } from '../../shared/domain/chat/list-contacts.js';
import { listMessages } from '../../shared/domain/chat/list-messages.js';
import { markRead } from '../../shared/domain/chat/mark-read.js';
import type { ChatMessage } from '../../shared/domain/chat/message.js';
import { compareMessageIds, isMessageId, parseMessageId } from '../../shared/domain/chat/message-id.js';
import type { BlockStore, ChatDeps, ChatStore } from '../../shared/domain/chat/ports.js';
import { sendMessage } from '../../shared/domain/chat/send-message.js';
import { systemClock } from '../../shared/domain/clock.js';
import { AppError, dependencyUnavailable } from '../../shared/domain/errors.js';
import { clockPasses } from '../support/poll.js';
import { createClusterClient, type RedisClusterHandle, startRedisCluster } from '../support/redis-cluster.js';
import { uniquePrefix } from '../support/test-env.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';

interface Target {
  name: string;
  mode: 'standalone' | 'cluster';
  connect(keyPrefix: string): Promise<{ redis: RedisClient; stop(): Promise<void> }>;
}

async function deleteByPrefix(keyPrefix: string): Promise<void> {
  const admin = createRedis({ url: REDIS_URL, mode: 'standalone', keyPrefix: '', commandTimeoutMs: 5_000 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 500);
      if (keys.length > 0) await admin.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    admin.disconnect();
  }
}

const TARGETS: Target[] = [
  {
    name: 'standalone Redis',
    mode: 'standalone',
    async connect(keyPrefix) {
      const redis = createRedis({ url: REDIS_URL, mode: 'standalone', keyPrefix, commandTimeoutMs: 2_000 });
      return {
        redis,
        stop: async () => {
          redis.disconnect();
          await deleteByPrefix(keyPrefix);
        },
      };
    },
  },
  {
    name: 'a three-node Redis Cluster',
    mode: 'cluster',
    async connect(keyPrefix) {
      const cluster: RedisClusterHandle = await startRedisCluster();
      const redis = createClusterClient(cluster.nodes, { keyPrefix });
      return {
        redis,
        stop: async () => {
          redis.disconnect();
          await cluster.stop();
        },
      };
    },
  },
];

/** Connection housekeeping the client does on its own; everything else is the store's traffic. */
const HOUSEKEEPING = new Set(['cluster', 'command', 'info', 'ping', 'select', 'client', 'hello', 'auth']);

interface Recording {
  /** Sequential round trips: a command sent while none is in flight starts a new one. */
  roundTrips: number;
  commands: { name: string; keys: string[] }[];
}

/**
 * Observes every command written to any Redis connection (standalone, or each cluster node) while `work`
 * runs. Concurrent commands share a round trip; a command sent after all replies arrived starts the next.
 */
async function recordRedis<T>(work: () => Promise<T>): Promise<{ value: T; recording: Recording }> {
  const recording: Recording = { roundTrips: 0, commands: [] };
  let inFlight = 0;
  const settle = (): void => {
    inFlight--;
  };
  const original = Redis.prototype.sendCommand;
  const spy = vi.spyOn(Redis.prototype, 'sendCommand').mockImplementation(function (
    this: Redis,
    ...args: Parameters<Redis['sendCommand']>
  ) {
    const [command] = args;
    if (!HOUSEKEEPING.has(command.name)) {
      if (inFlight === 0) recording.roundTrips++;
      inFlight++;
      command.promise.then(settle, settle);
      recording.commands.push({ name: command.name, keys: command.getKeys().map(String) });
    }
    return original.apply(this, args);
  });
  try {
    return { value: await work(), recording };
  } finally {
    spy.mockRestore();
  }
}

/** The part of a key Redis Cluster hashes: the first non-empty `{…}`, else the whole key. */
function hashTagOf(key: string): string {
  const open = key.indexOf('{');
  const close = open === -1 ? -1 : key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

const newUser = (): string => randomUUID();
const msOf = (message: ChatMessage): number => parseMessageId(message.id)?.ms ?? 0;

async function expectAppError(promise: Promise<unknown>, code: AppError['code']): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
}

describe.each(TARGETS)('chat store on $name', (target) => {
  const keyPrefix = uniquePrefix('chat');
  let connection: Awaited<ReturnType<Target['connect']>> | undefined;
  let store: ChatStore;
  let blocks: BlockStore;
  let deps: ChatDeps;

  beforeAll(async () => {
    connection = await target.connect(keyPrefix);
    store = createChatStore(connection.redis, keyPrefix);
    blocks = createBlockStore(connection.redis);
    deps = { chat: store, clock: systemClock };
  }, 60_000);

  afterAll(async () => {
    await connection?.stop();
  });

  const send = (from: string, to: string, body = 'hello', clientMsgId: string = randomUUID()) =>
    sendMessage(deps, { from, to, body, clientMsgId });

  const contactsOf = (userId: string) => listContacts(deps, userId);

  const unreadFrom = async (userId: string, peerId: string): Promise<number | undefined> =>
    (await contactsOf(userId)).find((contact) => contact.peerId === peerId)?.unread;

  it('assigns server ids in send order and echoes the stored message', async () => {
    const [a, b] = [newUser(), newUser()];
    const sent: ChatMessage[] = [];
    for (let i = 0; i < 5; i++) {
      const { message, duplicate } = await send(a, b, `message ${i}`, `c-${i}`);
      expect(duplicate).toBe(false);
      sent.push(message);
    }

    for (const [i, message] of sent.entries()) {
      expect(isMessageId(message.id)).toBe(true);
      expect(message).toMatchObject({
        conversationId: conversationIdFor(a, b),
        from: a,
        to: b,
        body: `message ${i}`,
        clientMsgId: `c-${i}`,
      });
      expect(message.sentAt).toBe(new Date(msOf(message)).toISOString());
    }
    for (let i = 1; i < sent.length; i++) {
      expect(compareMessageIds(String(sent[i - 1]?.id), String(sent[i]?.id))).toBeLessThan(0);
    }
  });

  it('stores a repeated clientMsgId once and answers with the original message', async () => {
    const [a, b] = [newUser(), newUser()];
    const first = await send(a, b, 'original', 'retry-me');

    const again = await send(a, b, 'edited on retry', 'retry-me');

    expect(again).toEqual({ message: first.message, duplicate: true });
    const page = await listMessages(deps, { userId: b, peerId: a, limit: 10 });
    expect(page.messages).toEqual([first.message]);
    expect(await unreadFrom(b, a)).toBe(1);
  });

  it('keeps one message when 20 identical sends race', async () => {
    const [a, b] = [newUser(), newUser()];

    const results = await Promise.all(Array.from({ length: 20 }, () => send(a, b, 'once', 'same-id')));

    const ids = new Set(results.map((result) => result.message.id));
    expect(ids.size).toBe(1);
    expect(results.filter((result) => !result.duplicate)).toHaveLength(1);
    const page = await listMessages(deps, { userId: a, peerId: b, limit: 100 });
    expect(page.messages.map((message) => message.id)).toEqual([...ids]);
    expect(await unreadFrom(b, a)).toBe(1);
  });

  it('pages history newest first with an exclusive cursor, without gaps or repeats', async () => {
    const [a, b] = [newUser(), newUser()];
    const sent: string[] = [];
    for (let i = 0; i < 23; i++) {
      const { message } = i % 3 === 0 ? await send(b, a, `reply ${i}`) : await send(a, b, `note ${i}`);
      sent.push(message.id);
    }

    const seen: string[] = [];
    let before: string | undefined;
    let pages = 0;
    do {
      const page = await listMessages(deps, { userId: a, peerId: b, before, limit: 5 });
      seen.push(...page.messages.map((message) => message.id));
      before = page.nextCursor ?? undefined;
      pages++;
    } while (before !== undefined && pages < 10);

    expect(seen).toEqual([...sent].reverse());
    expect(pages).toBe(5);
  });

  it('orders contacts by recency for both users with the right last message', async () => {
    const [a, b, c, d] = [newUser(), newUser(), newUser(), newUser()];
    const toB = await send(a, b, 'to b');
    await clockPasses(msOf(toB.message));
    const fromC = await send(c, a, 'from c');
    await clockPasses(msOf(fromC.message));
    const toD = await send(a, d, 'to d');

    expect(await contactsOf(a)).toEqual([
      { peerId: d, lastMessage: toD.message, unread: 0, messaged: true },
      { peerId: c, lastMessage: fromC.message, unread: 1, messaged: false },
      { peerId: b, lastMessage: toB.message, unread: 0, messaged: true },
    ]);
    expect(await contactsOf(b)).toEqual([
      { peerId: a, lastMessage: toB.message, unread: 1, messaged: false },
    ]);

    await clockPasses(msOf(toD.message));
    const reply = await send(b, a, 'b answers');
    const order = (await contactsOf(a)).map((contact) => [contact.peerId, contact.lastMessage.id]);
    expect(order).toEqual([
      [b, reply.message.id],
      [d, toD.message.id],
      [c, fromC.message.id],
    ]);
  });

  it('counts unread messages for the recipient only', async () => {
    const [a, b] = [newUser(), newUser()];
    for (let i = 0; i < 3; i++) await send(a, b, `ping ${i}`);
    await send(b, a, 'pong');

    expect(await unreadFrom(b, a)).toBe(3);
    expect(await unreadFrom(a, b)).toBe(1);
  });

  it('marks read up to the given id and leaves later messages unread', async () => {
    const [a, b] = [newUser(), newUser()];
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await send(a, b, `m${i}`)).message.id);

    await markRead(deps, { userId: b, peerId: a, upTo: String(ids[1]) });
    expect(await unreadFrom(b, a)).toBe(2);

    await markRead(deps, { userId: b, peerId: a, upTo: String(ids[0]) });
    expect(await unreadFrom(b, a)).toBe(2);

    await markRead(deps, { userId: b, peerId: a, upTo: String(ids[3]) });
    expect(await unreadFrom(b, a)).toBe(0);
    expect(await unreadFrom(a, b)).toBe(0);
  });

  it('does not count a message as unread again when its send is retried after markRead', async () => {
    const [a, b] = [newUser(), newUser()];
    const { message } = await send(a, b, 'seen', 'seen-1');
    await markRead(deps, { userId: b, peerId: a, upTo: message.id });

    const retry = await send(a, b, 'seen', 'seen-1');

    expect(retry.duplicate).toBe(true);
    expect(await unreadFrom(b, a)).toBe(0);
  });

  it('completes the contacts update when a send is retried after failing between the two steps', async () => {
    const [a, b] = [newUser(), newUser()];
    const crashing: ChatStore = {
      ...store,
      recordDelivery: () => Promise.reject(dependencyUnavailable('Redis')),
    };
    await expectAppError(
      sendMessage({ chat: crashing }, { from: a, to: b, body: 'half', clientMsgId: 'crash-1' }),
      'dependency_unavailable',
    );
    const persisted = await listMessages(deps, { userId: a, peerId: b, limit: 10 });
    expect(persisted.messages).toHaveLength(1);
    expect(await contactsOf(b)).toEqual([]);

    const retry = await send(a, b, 'half', 'crash-1');

    expect(retry.duplicate).toBe(true);
    expect(retry.message).toEqual(persisted.messages[0]);
    expect(await contactsOf(a)).toEqual([
      { peerId: b, lastMessage: retry.message, unread: 0, messaged: true },
    ]);
    expect(await contactsOf(b)).toEqual([
      { peerId: a, lastMessage: retry.message, unread: 1, messaged: false },
    ]);
  });

  it('never moves a contact or its last message back when an older send is retried late', async () => {
    const [a, b, c] = [newUser(), newUser(), newUser()];
    const crashing: ChatStore = { ...store, recordDelivery: () => Promise.reject(new Error('crash')) };
    await expect(
      sendMessage({ chat: crashing }, { from: a, to: b, body: 'old', clientMsgId: 'late-1' }),
    ).rejects.toThrow('crash');
    const old = (await listMessages(deps, { userId: a, peerId: b, limit: 1 })).messages[0];
    await clockPasses(old ? msOf(old) : Date.now());
    const fromC = await send(c, b, 'from c');
    await clockPasses(msOf(fromC.message));
    const newer = await send(a, b, 'new');

    const retry = await send(a, b, 'old', 'late-1');

    expect(retry).toEqual({ message: old, duplicate: true });
    expect(await contactsOf(b)).toEqual([
      { peerId: a, lastMessage: newer.message, unread: 2, messaged: false },
      { peerId: c, lastMessage: fromC.message, unread: 1, messaged: false },
    ]);
    expect(await contactsOf(a)).toEqual([
      { peerId: b, lastMessage: newer.message, unread: 0, messaged: true },
    ]);
  });

  it('remembers whom a user has messaged, most recent first, for the mutual-conversation rule', async () => {
    const [a, b, c] = [newUser(), newUser(), newUser()];
    const first = await send(a, b, 'first');
    await send(c, a, 'stranger');
    // Contacts are ordered by message time in ms: the answer must come at a later millisecond than the first.
    await clockPasses(msOf(first.message));
    const last = await send(a, c, 'answer');
    await clockPasses(msOf(last.message));

    expect(await store.hasMessaged(a, b)).toBe(true);
    expect(await store.hasMessaged(b, a)).toBe(false);
    expect(await store.peersMessagedBy(a, 10)).toEqual([c, b]);
    expect(await store.peersMessagedBy(b, 10)).toEqual([]);
  });

  it('refuses to append in a blocked conversation, either way round, and stores nothing', async () => {
    const [a, b] = [newUser(), newUser()];
    await send(a, b, 'before the block');
    await blocks.block(b, a, conversationIdFor(a, b), Date.now());

    await expectAppError(send(a, b, 'after the block'), 'blocked');
    await expectAppError(send(b, a, 'the blocker writes'), 'blocked');

    const page = await listMessages(deps, { userId: a, peerId: b, limit: 10 });
    expect(page.messages.map((message) => message.body)).toEqual(['before the block']);
    expect(await contactsOf(b)).toEqual([]);
    expect(await store.hasMessaged(b, a)).toBe(false);
    expect((await blocks.list(b)).map((entry) => entry.peerId)).toEqual([a]);

    await blocks.unblock(b, a, conversationIdFor(a, b));
    expect((await send(a, b, 'after unblock')).duplicate).toBe(false);
    expect(await blocks.list(b)).toEqual([]);
  });

  it('derives the same conversation from either side', async () => {
    const [a, b] = [newUser(), newUser()];
    const out = await send(a, b, 'hi b');
    const back = await send(b, a, 'hi a');

    expect(back.message.conversationId).toBe(out.message.conversationId);
    const fromA = await listMessages(deps, { userId: a, peerId: b, limit: 10 });
    const fromB = await listMessages(deps, { userId: b.toUpperCase(), peerId: a, limit: 10 });
    expect(fromB).toEqual(fromA);
    expect(fromA.messages.map((message) => message.body)).toEqual(['hi a', 'hi b']);
  });

  it('keeps every command inside one hash slot', async () => {
    const { recording } = await recordRedis(async () => {
      for (let i = 0; i < 8; i++) {
        const [a, b] = [newUser(), newUser()];
        const { message } = await send(a, b, `slot ${i}`);
        await send(b, a, `slot reply ${i}`);
        await listMessages(deps, { userId: a, peerId: b, limit: 5 });
        await listContacts(deps, a);
        await markRead(deps, { userId: b, peerId: a, upTo: message.id });
      }
    });

    expect(recording.commands.length).toBeGreaterThanOrEqual(8 * 7);
    for (const command of recording.commands) {
      expect(new Set(command.keys.map(hashTagOf)).size, command.name).toBe(1);
    }
  });

  it('sends a message in at most two round trips, duplicates included', async () => {
    const [a, b] = [newUser(), newUser()];
    // Loads the scripts on every node; a cold node costs one extra EVAL after NOSCRIPT.
    await send(a, b, 'warm-up');
    await send(b, a, 'warm-up');

    const fresh = await recordRedis(() => send(a, b, 'counted', 'rt-1'));
    const repeat = await recordRedis(() => send(a, b, 'counted', 'rt-1'));

    expect(fresh.value.duplicate).toBe(false);
    expect(fresh.recording.roundTrips).toBe(2);
    expect(fresh.recording.commands.map((command) => command.name)).toEqual([
      'evalsha',
      'evalsha',
      'evalsha',
    ]);
    expect(repeat.value.duplicate).toBe(true);
    expect(repeat.recording.roundTrips).toBe(2);
  });

  it('reads history, lists contacts and marks read in one round trip each', async () => {
    const [a, b] = [newUser(), newUser()];
    const { message } = await send(a, b, 'read me');
    // Loads each script on this conversation's node first: a cold node costs one extra EVAL after NOSCRIPT.
    await listMessages(deps, { userId: b, peerId: a, limit: 20 });
    await listContacts(deps, b);
    await markRead(deps, { userId: b, peerId: a, upTo: message.id });

    const history = await recordRedis(() => listMessages(deps, { userId: b, peerId: a, limit: 20 }));
    const contacts = await recordRedis(() => listContacts(deps, b));
    const marked = await recordRedis(() => markRead(deps, { userId: b, peerId: a, upTo: message.id }));

    expect(history.value.messages).toEqual([message]);
    expect(history.recording.roundTrips).toBe(1);
    expect(contacts.recording.roundTrips).toBe(1);
    expect(marked.recording.roundTrips).toBe(1);
  });

  it('fails fast with dependency_unavailable when Redis is down and writes nothing', async () => {
    const [a, b] = [newUser(), newUser()];
    const dead = createRedis({
      url: 'redis://127.0.0.1:1',
      mode: target.mode,
      keyPrefix,
      commandTimeoutMs: 500,
    });
    const deadDeps: ChatDeps = { chat: createChatStore(dead, keyPrefix), clock: systemClock };
    const started = Date.now();
    try {
      await expectAppError(
        sendMessage(deadDeps, { from: a, to: b, body: 'lost?', clientMsgId: 'down-1' }),
        'dependency_unavailable',
      );
      await expectAppError(listMessages(deadDeps, { userId: a, peerId: b }), 'dependency_unavailable');
      await expectAppError(listContacts(deadDeps, a), 'dependency_unavailable');
      await expectAppError(
        markRead(deadDeps, { userId: b, peerId: a, upTo: `${Date.now()}-0` }),
        'dependency_unavailable',
      );
    } finally {
      dead.disconnect();
    }

    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await listMessages(deps, { userId: a, peerId: b })).toEqual({ messages: [], nextCursor: null });
    expect(await contactsOf(a)).toEqual([]);
    expect(await contactsOf(b)).toEqual([]);
  });
});
