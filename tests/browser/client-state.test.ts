import { describe, expect, it } from 'vitest';
import type { Message, MessagePage } from '../../web/src/api/types.js';
import { reconnectDelay } from '../../web/src/realtime/backoff.js';
import { Conversation, type PendingMessage } from '../../web/src/state/conversation.js';
import { catchUp } from '../../web/src/state/history.js';
import { compareIds } from '../../web/src/state/message-id.js';

// The client's pure state logic, in Node: ordering, dedupe, catch-up paging and backoff.
const ME = 'me';
const PEER = 'peer';

const message = (id: string, from = PEER, clientMsgId = `c-${id}`): Message => ({
  id,
  conversationId: 'conv',
  from,
  to: from === ME ? PEER : ME,
  body: `body ${id}`,
  sentAt: new Date(Number(id.split('-')[0])).toISOString(),
  clientMsgId,
});

const pending = (clientMsgId: string): PendingMessage => ({
  clientMsgId,
  body: 'draft',
  createdAt: new Date().toISOString(),
  state: 'sending',
  attemptAt: 0,
  httpInFlight: false,
});

describe('client conversation state', () => {
  it('orders stream ids numerically, not as strings', () => {
    expect(compareIds('999-0', '1000-0')).toBeLessThan(0);
    expect(compareIds('1000-10', '1000-9')).toBeGreaterThan(0);
    expect(compareIds('1000-1', '1000-1')).toBe(0);
  });

  it('keeps each message once, in id order, whatever order the copies arrive in', () => {
    const conversation = new Conversation(PEER, ME);
    for (const id of ['1000-2', '1000-0', '1000-2', '999-5', '1000-1', '1000-0'])
      conversation.add(message(id));
    expect(conversation.messages.map((m) => m.id)).toEqual(['999-5', '1000-0', '1000-1', '1000-2']);
  });

  it('replaces the pending copy of our message when the stored one arrives, even twice (duplicate ack)', () => {
    const conversation = new Conversation(PEER, ME);
    conversation.pending.push(pending('mine-1'), pending('mine-2'));
    expect(conversation.add(message('2000-0', ME, 'mine-1'))).toBe(true);
    expect(conversation.add(message('2000-0', ME, 'mine-1'))).toBe(false);
    expect(conversation.pending.map((p) => p.clientMsgId)).toEqual(['mine-2']);
    // The peer cannot cancel our pending message by reusing its clientMsgId.
    conversation.add(message('2000-1', PEER, 'mine-2'));
    expect(conversation.pending.map((p) => p.clientMsgId)).toEqual(['mine-2']);
  });

  it('catches up page by page until the pages meet what is loaded', async () => {
    const conversation = new Conversation(PEER, ME);
    conversation.add(message('100-0'));
    conversation.loaded = true;
    const newer = Array.from({ length: 120 }, (_, i) => message(`${200 + i}-0`)).reverse();
    const requests: string[] = [];
    const api = {
      get: async <T>(path: string): Promise<T> => {
        requests.push(path);
        const before = new URL(path, 'http://x').searchParams.get('before');
        const older = newer.filter((m) => before === null || compareIds(m.id, before) < 0);
        const page: MessagePage = {
          messages: [...older.slice(0, 50), ...(older.length <= 50 ? [message('100-0')] : [])],
          nextCursor: older.length > 50 ? (older[49]?.id ?? null) : null,
        };
        return page as T;
      },
    };
    const added = await catchUp(api, conversation);
    expect(added).toHaveLength(120);
    expect(requests).toHaveLength(3);
    expect(conversation.messages).toHaveLength(121);
  });

  it('backs off exponentially with jitter, capped', () => {
    expect(reconnectDelay(0, () => 0)).toBe(250);
    expect(reconnectDelay(0, () => 1)).toBe(500);
    expect(reconnectDelay(3, () => 0.5)).toBe(3000);
    expect(reconnectDelay(30, () => 1)).toBe(15_000);
    expect(reconnectDelay(30, () => 0)).toBe(7_500);
  });
});
