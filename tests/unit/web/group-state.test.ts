import { describe, expect, it } from 'vitest';
import type { ClientFrame, Group, GroupMessage } from '../../../web/src/api/types.js';
import type { ContactEntry } from '../../../web/src/state/contact-book.js';
import { mergeContacts } from '../../../web/src/state/contact-rows.js';
import { Conversation } from '../../../web/src/state/conversation.js';
import { GroupBook } from '../../../web/src/state/group-book.js';
import { Outbox } from '../../../web/src/state/outbox.js';
import {
  groupKey,
  markReadFrame,
  messagesPath,
  type StoredMessage,
  sendMessageFrame,
  threadOf,
  typingFrame,
} from '../../../web/src/state/thread.js';

// The web client's group state in Node: thread keys, the shared outbox on a group lane, the group book.
const ME = 'me';
const GROUP = 'g-1';

const groupMessage = (id: string, from: string, clientMsgId = `c-${id}`): GroupMessage => ({
  id,
  groupId: GROUP,
  from,
  body: `body ${id}`,
  sentAt: new Date(Number(id.split('-')[0])).toISOString(),
  clientMsgId,
});

const group = (name: string, memberIds: string[]): Group => ({
  id: GROUP,
  name,
  createdAt: new Date(1_000).toISOString(),
  members: memberIds.map((id, index) => ({
    id,
    displayName: `Name of ${id}`,
    role: index === 0 ? 'admin' : 'member',
  })),
});

const unusedApi = {
  get: () => Promise.reject(new Error('no network in unit tests')),
  post: () => Promise.reject(new Error('no network in unit tests')),
  patch: () => Promise.reject(new Error('no network in unit tests')),
  delete: () => Promise.reject(new Error('no network in unit tests')),
};

describe('thread keys', () => {
  it('sends, types and marks read with groupId for a group and to / peerId for a person', () => {
    const key = groupKey(GROUP);
    expect(sendMessageFrame(key, 'hi', 'c1')).toEqual({
      action: 'sendMessage',
      groupId: GROUP,
      body: 'hi',
      clientMsgId: 'c1',
    });
    expect(typingFrame(key)).toEqual({ action: 'typing', groupId: GROUP });
    expect(markReadFrame(key, '5-0')).toEqual({ action: 'markRead', groupId: GROUP, upTo: '5-0' });
    expect(sendMessageFrame('peer', 'hi', 'c1')).toEqual({
      action: 'sendMessage',
      to: 'peer',
      body: 'hi',
      clientMsgId: 'c1',
    });
    expect(messagesPath(key)).toBe(`/chat/groups/${GROUP}/messages`);
    expect(messagesPath('peer')).toBe('/chat/conversations/peer/messages');
  });

  it('files a group message under its group whoever wrote it', () => {
    expect(threadOf(groupMessage('1-0', ME), ME)).toBe(groupKey(GROUP));
    expect(threadOf(groupMessage('1-0', 'bob'), ME)).toBe(groupKey(GROUP));
  });
});

describe('group conversation', () => {
  it('reports the newest message from anyone else as the one to mark read', () => {
    const conversation = new Conversation(groupKey(GROUP), ME);
    for (const [id, from] of [
      ['1-0', 'bob'],
      ['2-0', 'carol'],
      ['3-0', ME],
    ] as const)
      conversation.add(groupMessage(id, from));
    expect(conversation.newestFromOthers()?.id).toBe('2-0');
  });
});

describe('outbox on a group lane', () => {
  it('sends a group message as a groupId frame, and over POST /chat/groups/{id}/messages while offline', async () => {
    const conversation = new Conversation(groupKey(GROUP), ME);
    const frames: ClientFrame[] = [];
    const posts: string[] = [];
    const accepted: StoredMessage[] = [];
    let isSocketOpen = true;
    const outbox = new Outbox({
      api: {
        post: async <T>(path: string, payload: unknown = {}): Promise<T> => {
          posts.push(path);
          const { clientMsgId } = payload as { clientMsgId: string };
          return { message: groupMessage('9-0', ME, clientMsgId) } as T;
        },
      },
      sendFrame: (frame) => {
        if (!isSocketOpen) return false;
        frames.push(frame);
        return true;
      },
      pendingOf: () => conversation.pending,
      accept: (message) => {
        accepted.push(message);
        conversation.add(message);
      },
      changed: () => {},
    });
    const write = (clientMsgId: string) => {
      conversation.pending.push({
        clientMsgId,
        body: clientMsgId,
        createdAt: '',
        state: 'queued',
        attemptAt: 0,
      });
      outbox.pump(groupKey(GROUP));
    };

    write('first');
    expect(frames).toEqual([{ action: 'sendMessage', groupId: GROUP, body: 'first', clientMsgId: 'first' }]);
    conversation.add(groupMessage('8-0', ME, 'first'));
    isSocketOpen = false;
    outbox.stored(groupKey(GROUP), 'first');
    write('second');
    await expect.poll(() => accepted.length).toBe(1);
    expect(posts).toEqual([`/chat/groups/${GROUP}/messages`]);
    expect(conversation.pending).toEqual([]);
    expect(conversation.messages.map((message) => message.clientMsgId)).toEqual(['first', 'second']);
  });
});

describe('group book', () => {
  it('takes a group off the list when the user leaves and brings it back with a clean count on re-join', () => {
    const book = new GroupBook(unusedApi);
    book.apply([
      {
        group: { id: GROUP, name: 'Team' },
        lastMessage: groupMessage('5000-0', 'bob'),
        unread: 3,
        lastActivityAt: new Date(5_000).toISOString(),
      },
    ]);
    expect(book.list().map((entry) => [entry.name, entry.unread])).toEqual([['Team', 3]]);

    book.upsert(group('Team', ['bob', ME]));
    book.left(GROUP, 'left');
    expect(book.list()).toEqual([]);
    expect(book.get(GROUP)?.endedBy).toBe('left');
    // A message for a group we are not in: unknown, so the contact list is worth reloading.
    expect(book.noteMessage(groupMessage('6000-0', 'bob'))).toBe(true);

    book.joined(group('Team again', ['bob', ME]), new Date(7_000).toISOString());
    const [entry] = book.list();
    expect(entry).toMatchObject({ name: 'Team again', unread: 0, lastMessage: null, isMember: true });
    expect(entry?.endedBy).toBeUndefined();
  });

  it('does not bring back a group the user left after the contact list was asked for', () => {
    const book = new GroupBook(unusedApi);
    const listed = {
      group: { id: GROUP, name: 'Team' },
      lastMessage: null,
      unread: 0,
      lastActivityAt: new Date(1_000).toISOString(),
    };
    book.apply([listed]);
    const askedAt = Date.now() - 1;
    book.left(GROUP, 'left');
    book.apply([listed], askedAt);
    expect(book.list()).toEqual([]);
    // A list asked for later is the truth: re-added while offline.
    book.apply([listed], Date.now() + 1);
    expect(book.list().map((entry) => entry.name)).toEqual(['Team']);
  });

  it('remembers the name of someone who has since been removed, and who the admins are', () => {
    const book = new GroupBook(unusedApi);
    book.upsert(group('Team', ['alice', 'bob', ME]));
    book.upsert(group('Team', ['alice', ME]));
    expect(book.memberName('bob')).toBe('Name of bob');
    expect(book.isAdmin(GROUP, 'alice')).toBe(true);
    expect(book.isAdmin(GROUP, ME)).toBe(false);
  });

  it('orders groups by their latest message, or the join when nothing was said since', () => {
    const book = new GroupBook(unusedApi);
    book.apply([
      {
        group: { id: 'quiet', name: 'Quiet' },
        lastMessage: null,
        unread: 0,
        lastActivityAt: new Date(4_000).toISOString(),
      },
      {
        group: { id: GROUP, name: 'Busy' },
        lastMessage: groupMessage('3000-0', 'bob'),
        unread: 0,
        lastActivityAt: new Date(3_000).toISOString(),
      },
    ]);
    expect(book.list().map((entry) => entry.name)).toEqual(['Quiet', 'Busy']);
    expect(book.noteMessage(groupMessage('5000-0', 'bob'))).toBe(false);
    expect(book.list().map((entry) => entry.name)).toEqual(['Busy', 'Quiet']);
  });
});

describe('group frames', () => {
  const frame = (
    event: 'created' | 'renamed' | 'member_added' | 'member_removed',
    members: string[],
    userIds: string[],
    by = 'alice',
  ) => ({ type: 'group' as const, event, group: group('Team', members), userIds, by });

  it('tells a join, a leave, a removal and a change about others apart', () => {
    const book = new GroupBook(unusedApi);
    const now = new Date(9_000).toISOString();
    expect(book.applyEvent(frame('created', ['alice', ME], []), ME, now)).toBe('joined');
    expect(book.applyEvent(frame('member_added', ['alice', ME, 'bob'], ['bob']), ME, now)).toBe('changed');
    expect(book.get(GROUP)?.group?.members).toHaveLength(3);

    expect(book.applyEvent(frame('member_removed', ['alice', 'bob'], [ME], ME), ME, now)).toBe('left');
    expect(book.get(GROUP)?.endedBy).toBe('left');
    expect(book.list()).toEqual([]);

    expect(book.applyEvent(frame('member_added', ['alice', 'bob', ME], [ME]), ME, now)).toBe('joined');
    expect(book.applyEvent(frame('member_removed', ['bob', ME], [ME]), ME, now)).toBe('left');
    expect(book.get(GROUP)?.endedBy).toBe('removed');
  });
});

describe('contact list rows', () => {
  const person = (id: string, sentAtMs?: number): ContactEntry => ({
    user: { id, displayName: id },
    unread: 0,
    ...(sentAtMs === undefined
      ? {}
      : {
          lastMessage: {
            id: `${sentAtMs}-0`,
            conversationId: 'c',
            from: id,
            to: ME,
            body: 'b',
            sentAt: new Date(sentAtMs).toISOString(),
            clientMsgId: 'x',
          },
        }),
  });

  it('merges people and groups by recency, a conversation opened from search first', () => {
    const book = new GroupBook(unusedApi);
    book.apply([
      {
        group: { id: 'g-new', name: 'New' },
        lastMessage: null,
        unread: 0,
        lastActivityAt: new Date(3_000).toISOString(),
      },
      {
        group: { id: GROUP, name: 'Old' },
        lastMessage: null,
        unread: 0,
        lastActivityAt: new Date(1_000).toISOString(),
      },
    ]);
    const rows = mergeContacts([person('fresh'), person('p4', 4_000), person('p2', 2_000)], book.list());
    expect(rows.map((row) => (row.kind === 'person' ? row.entry.user.id : row.entry.name))).toEqual([
      'fresh',
      'p4',
      'New',
      'p2',
      'Old',
    ]);
  });
});
