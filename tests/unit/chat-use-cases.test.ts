import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { conversationIdFor } from '../../shared/domain/chat/conversation.js';
import { listContacts } from '../../shared/domain/chat/list-contacts.js';
import { listMessages } from '../../shared/domain/chat/list-messages.js';
import { markRead } from '../../shared/domain/chat/mark-read.js';
import type { ChatMessage } from '../../shared/domain/chat/message.js';
import { sentAtOf } from '../../shared/domain/chat/message-id.js';
import type {
  AppendResult,
  ChatDeps,
  ChatStore,
  HistoryQuery,
  MessageDraft,
} from '../../shared/domain/chat/ports.js';
import { sendMessage } from '../../shared/domain/chat/send-message.js';
import { AppError } from '../../shared/domain/errors.js';

const NOW = 1_700_000_000_000;

/** In-memory ChatStore that records what the use cases ask of it. */
function fakeStore() {
  const calls: string[] = [];
  const byClientId = new Map<string, ChatMessage>();
  const delivered: ChatMessage[] = [];
  const historyQueries: HistoryQuery[] = [];
  const contactLimits: number[] = [];
  const marks: [string, string, string][] = [];
  let seq = 0;
  let historyReply = { messages: [] as ChatMessage[], hasMore: false };
  const store: ChatStore = {
    async append(draft: MessageDraft): Promise<AppendResult> {
      calls.push('append');
      const key = `${draft.conversationId}/${draft.from}/${draft.clientMsgId}`;
      const existing = byClientId.get(key);
      if (existing) return { message: existing, duplicate: true };
      const id = `${NOW}-${seq++}`;
      const message = { ...draft, id, sentAt: sentAtOf(id) };
      byClientId.set(key, message);
      return { message, duplicate: false };
    },
    async recordDelivery(message) {
      calls.push('recordDelivery');
      delivered.push(message);
    },
    async history(_conversationId, query) {
      calls.push('history');
      historyQueries.push(query);
      return historyReply;
    },
    async contacts(_userId, limit) {
      calls.push('contacts');
      contactLimits.push(limit);
      return [];
    },
    async markRead(userId, peerId, upTo) {
      calls.push('markRead');
      marks.push([userId, peerId, upTo]);
    },
    async hasMessaged() {
      return true;
    },
    async peersMessagedBy() {
      return [];
    },
  };
  const deps: ChatDeps = { chat: store, clock: { nowMs: () => NOW } };
  return {
    deps,
    calls,
    delivered,
    historyQueries,
    contactLimits,
    marks,
    replyWith: (reply: typeof historyReply) => {
      historyReply = reply;
    },
  };
}

async function failure(promise: Promise<unknown>): Promise<{ code: string; path: unknown }> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof AppError)) throw new Error('expected an AppError');
  const [detail] = error.details as { path: string }[];
  return { code: error.code, path: detail?.path };
}

describe('sendMessage', () => {
  it('stores the message under the pair conversation and updates contacts', async () => {
    const fake = fakeStore();
    const [a, b] = [randomUUID(), randomUUID()];

    const result = await sendMessage(fake.deps, {
      from: a,
      to: b.toUpperCase(),
      body: 'hi',
      clientMsgId: 'c1',
    });

    expect(result.duplicate).toBe(false);
    expect(result.message).toMatchObject({
      conversationId: conversationIdFor(a, b),
      from: a,
      to: b,
      body: 'hi',
    });
    expect(fake.calls).toEqual(['append', 'recordDelivery']);
    expect(fake.delivered).toEqual([result.message]);
  });

  it('still records delivery for a duplicate, so a send interrupted between the steps converges', async () => {
    const fake = fakeStore();
    const [a, b] = [randomUUID(), randomUUID()];
    const first = await sendMessage(fake.deps, { from: a, to: b, body: 'hi', clientMsgId: 'c1' });

    const again = await sendMessage(fake.deps, { from: a, to: b, body: 'changed', clientMsgId: 'c1' });

    expect(again).toEqual({ message: first.message, duplicate: true });
    expect(fake.delivered).toEqual([first.message, first.message]);
  });

  it.each([
    ['an empty body', { body: '' }, 'body'],
    ['a blank body', { body: ' \n ' }, 'body'],
    ['a body over 4,000 characters', { body: 'x'.repeat(4001) }, 'body'],
    ['a control character', { body: 'bell\u0007' }, 'body'],
    ['a bad clientMsgId', { clientMsgId: 'no spaces' }, 'clientMsgId'],
    ['a missing clientMsgId', { clientMsgId: '' }, 'clientMsgId'],
    ['a recipient that is not a uuid', { to: 'bob' }, 'to'],
  ])('rejects %s before touching the store', async (_name, override, path) => {
    const fake = fakeStore();
    const input = { from: randomUUID(), to: randomUUID(), body: 'ok', clientMsgId: 'c1', ...override };

    expect(await failure(sendMessage(fake.deps, input))).toEqual({ code: 'validation_failed', path });
    expect(fake.calls).toEqual([]);
  });

  it('refuses a message to yourself', async () => {
    const fake = fakeStore();
    const a = randomUUID();

    const result = await failure(sendMessage(fake.deps, { from: a, to: a, body: 'me', clientMsgId: 'c1' }));

    expect(result).toEqual({ code: 'validation_failed', path: 'to' });
    expect(fake.calls).toEqual([]);
  });
});

describe('listMessages', () => {
  const message = (id: string): ChatMessage => ({
    id,
    conversationId: 'c',
    from: 'a',
    to: 'b',
    body: 'x',
    sentAt: sentAtOf(id),
    clientMsgId: 'k',
  });

  it('returns the last id as the cursor only when older messages exist', async () => {
    const fake = fakeStore();
    const [a, b] = [randomUUID(), randomUUID()];
    fake.replyWith({ messages: [message('5-0'), message('4-0')], hasMore: true });
    expect((await listMessages(fake.deps, { userId: a, peerId: b, limit: 2 })).nextCursor).toBe('4-0');

    fake.replyWith({ messages: [message('3-0')], hasMore: false });
    expect(
      (await listMessages(fake.deps, { userId: a, peerId: b, before: '4-0', limit: 2 })).nextCursor,
    ).toBeNull();
    expect(fake.historyQueries.at(-1)).toEqual({ before: '4-0', limit: 2 });
  });

  it.each([
    [undefined, 50],
    [0, 1],
    [-5, 1],
    [7.9, 7],
    [1000, 100],
    [Number.NaN, 50],
  ])('clamps limit %s to %s', async (limit, expected) => {
    const fake = fakeStore();
    await listMessages(fake.deps, { userId: randomUUID(), peerId: randomUUID(), limit });
    expect(fake.historyQueries).toEqual([{ before: undefined, limit: expected }]);
  });

  it('rejects a cursor that is not a message id', async () => {
    const fake = fakeStore();
    const input = { userId: randomUUID(), peerId: randomUUID(), before: '+' };
    expect(await failure(listMessages(fake.deps, input))).toEqual({
      code: 'validation_failed',
      path: 'before',
    });
    expect(fake.calls).toEqual([]);
  });
});

describe('listContacts', () => {
  it('clamps the limit and rejects ids that are not uuids', async () => {
    const fake = fakeStore();
    await listContacts(fake.deps, randomUUID());
    await listContacts(fake.deps, randomUUID(), { limit: 10_000 });
    expect(fake.contactLimits).toEqual([100, 200]);
    expect(await failure(listContacts(fake.deps, '{u:x}'))).toEqual({
      code: 'validation_failed',
      path: 'userId',
    });
  });
});

describe('markRead', () => {
  it('passes canonical ids and the mark to the store', async () => {
    const fake = fakeStore();
    const [a, b] = [randomUUID(), randomUUID()];
    await markRead(fake.deps, { userId: a, peerId: b.toUpperCase(), upTo: `${NOW}-3` });
    expect(fake.marks).toEqual([[a, b, `${NOW}-3`]]);
  });

  it.each([
    ['not a message id', 'latest'],
    ['an id from the future', `${NOW + 61_000}-0`],
  ])('rejects an upTo that is %s', async (_name, upTo) => {
    const fake = fakeStore();
    const input = { userId: randomUUID(), peerId: randomUUID(), upTo };
    expect(await failure(markRead(fake.deps, input))).toEqual({ code: 'validation_failed', path: 'upTo' });
    expect(fake.calls).toEqual([]);
  });
});
