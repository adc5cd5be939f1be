import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../web/src/api/problem.js';
import type { ChatMessage, ClientFrame, MessagePage } from '../../../web/src/api/types.js';
import { reconnectDelay } from '../../../web/src/realtime/backoff.js';
import { Conversation, type PendingMessage } from '../../../web/src/state/conversation.js';
import { catchUp } from '../../../web/src/state/history.js';
import { compareIds } from '../../../web/src/state/message-id.js';
import { Outbox } from '../../../web/src/state/outbox.js';

// The client's pure state logic, in Node: ordering, dedupe, catch-up paging and backoff.
const ME = 'me';
const PEER = 'peer';

const message = (id: string, from = PEER, clientMsgId = `c-${id}`): ChatMessage => ({
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

/** An outbox over fake ports: a socket that records frames, an HTTP API that answers as told. */
function outboxHarness(socketOpen = true) {
  const conversations = new Map<string, Conversation>();
  const frames: { to: string; body: string; clientMsgId: string }[] = [];
  const posts: string[] = [];
  let seq = 0;
  const conversationOf = (peerId: string) => {
    const existing = conversations.get(peerId);
    if (existing) return existing;
    const created = new Conversation(peerId, ME);
    conversations.set(peerId, created);
    return created;
  };
  const stored = (to: string, body: string, clientMsgId: string): ChatMessage => ({
    ...message(`${3000 + seq++}-0`, ME, clientMsgId),
    to,
    body,
  });
  const harness = {
    socketOpen,
    httpAnswer: (_body: string): Promise<void> => Promise.resolve(),
    frames,
    posts,
    outbox: new Outbox({
      api: {
        post: async <T>(path: string, payload: unknown = {}): Promise<T> => {
          const { body, clientMsgId } = payload as { body: string; clientMsgId: string };
          posts.push(body);
          await harness.httpAnswer(body);
          const peerId = decodeURIComponent(path.split('/')[3] ?? '');
          return { message: stored(peerId, body, clientMsgId) } as T;
        },
      },
      sendFrame: (frame: ClientFrame) => {
        if (!harness.socketOpen || frame.action !== 'sendMessage' || !('to' in frame)) return false;
        frames.push(frame);
        return true;
      },
      pendingOf: (peerId) => conversationOf(peerId).pending,
      accept: (stored) => {
        if ('to' in stored) conversationOf(stored.to).add(stored);
      },
      changed: () => {},
    }),
    write(peerId: string, body: string) {
      conversationOf(peerId).pending.push({ ...pending(`id-${body}`), body, state: 'queued' });
      harness.outbox.pump(peerId);
    },
    /** The server acks the frame at `index`. */
    ack(index: number) {
      const frame = frames[index];
      if (!frame) throw new Error(`no frame ${index}`);
      conversationOf(frame.to).add(stored(frame.to, frame.body, frame.clientMsgId));
      harness.outbox.stored(frame.to, frame.clientMsgId);
    },
    pending: (peerId: string) => conversationOf(peerId).pending,
  };
  return harness;
}

describe('client outbox', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('has one message per conversation out at a time: the next goes once the previous is acked', () => {
    const h = outboxHarness();
    for (const body of ['a1', 'a2', 'a3']) h.write(PEER, body);
    h.write('other', 'b1');
    // Conversations do not wait for each other.
    expect(h.frames.map((f) => f.body)).toEqual(['a1', 'b1']);
    h.ack(0);
    expect(h.frames.map((f) => f.body)).toEqual(['a1', 'b1', 'a2']);
    h.ack(2);
    h.ack(3);
    expect(h.frames.map((f) => f.body)).toEqual(['a1', 'b1', 'a2', 'a3']);
    expect(h.pending(PEER)).toEqual([]);
  });

  it('resends what was out on a dropped socket first, with the same clientMsgId, after a reconnect', () => {
    const h = outboxHarness();
    h.write(PEER, 'one');
    h.write(PEER, 'two');
    // The socket dropped without an ack and a new one opened.
    h.outbox.resume();
    expect(h.frames.map((f) => f.clientMsgId)).toEqual(['id-one', 'id-one']);
    h.ack(1);
    expect(h.frames.map((f) => f.body)).toEqual(['one', 'one', 'two']);
  });

  it('sends over HTTP one at a time while the socket is down', async () => {
    const h = outboxHarness(false);
    let release = () => {};
    h.httpAnswer = () =>
      new Promise((resolve) => {
        release = resolve;
      });
    for (const body of ['h1', 'h2', 'h3']) h.write(PEER, body);
    expect(h.posts).toEqual(['h1']);
    release();
    await vi.waitFor(() => expect(h.posts).toEqual(['h1', 'h2']));
    release();
    await vi.waitFor(() => expect(h.posts).toEqual(['h1', 'h2', 'h3']));
    release();
    await vi.waitFor(() => expect(h.pending(PEER)).toEqual([]));
  });

  it('waits out a rate_limited frame for its retryAfter, then resends that message before the rest', () => {
    vi.useFakeTimers();
    const h = outboxHarness();
    h.write(PEER, 'r1');
    h.write(PEER, 'r2');
    h.outbox.rejected(PEER, 'id-r1', 'rate_limited', 'slow down', 3);
    expect(h.pending(PEER).map((p) => p.state)).toEqual(['queued', 'queued']);
    vi.advanceTimersByTime(2_900);
    expect(h.frames.map((f) => f.body)).toEqual(['r1']);
    vi.advanceTimersByTime(200);
    expect(h.frames.map((f) => f.clientMsgId)).toEqual(['id-r1', 'id-r1']);
  });

  it('marks a permanently refused message failed, in words for the user, and sends the next', async () => {
    const h = outboxHarness();
    h.write(PEER, 'x1');
    h.write(PEER, 'x2');
    h.outbox.rejected(PEER, 'id-x1', 'blocked', 'This user does not accept your messages');
    expect(h.pending(PEER)[0]).toMatchObject({
      state: 'failed',
      error: 'This user does not accept your messages',
    });
    expect(h.frames.map((f) => f.body)).toEqual(['x1', 'x2']);

    h.socketOpen = false;
    h.httpAnswer = (body) =>
      body === 'x3' ? Promise.reject(new ApiError(422, 'validation_failed', 'Too long')) : Promise.resolve();
    h.ack(1);
    h.write(PEER, 'x3');
    h.write(PEER, 'x4');
    await vi.waitFor(() => expect(h.posts).toEqual(['x3', 'x4']));
    await vi.waitFor(() => expect(h.pending(PEER).map((p) => p.body)).toEqual(['x1', 'x3']));
    expect(h.pending(PEER)[1]).toMatchObject({ state: 'failed', error: 'Too long' });
  });
});
