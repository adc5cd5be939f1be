import { describe, expect, it } from 'vitest';
import type { ThrottleDecision } from '../../shared/domain/auth/ports.js';
import { dependencyUnavailable } from '../../shared/domain/errors.js';
import type { ConnectionRecord } from '../../shared/domain/realtime/ports.js';
import { handleFrame } from '../../shared/ws/handle-frame.js';
import { fakeRealtimeDeps } from '../support/realtime-fakes.js';

const ALICE = '11111111-1111-4111-8111-111111111111';
const BOB = '22222222-2222-4222-8222-222222222222';
const MALLORY = '33333333-3333-4333-8333-333333333333';
const ORIGIN: ConnectionRecord = { connectionId: 'alice-laptop', userId: ALICE, sessionId: 'session-a' };

/** A limiter that admits `limits[bucket prefix]` hits per bucket (unlimited for other buckets). */
async function arrange(options: { limit?: number; limits?: Record<string, number> } = {}) {
  const fakes = fakeRealtimeDeps();
  const hits: string[] = [];
  const counts = new Map<string, number>();
  const limitOf = (bucket: string): number => {
    const match = Object.entries(options.limits ?? {}).find(([prefix]) => bucket.startsWith(prefix));
    if (match) return match[1];
    return bucket === `ws:${ORIGIN.connectionId}` ? (options.limit ?? Number.POSITIVE_INFINITY) : Infinity;
  };
  fakes.deps.limiter = {
    hit: async (bucket): Promise<ThrottleDecision> => {
      hits.push(bucket);
      counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
      const allowed = (counts.get(bucket) ?? 0) <= limitOf(bucket);
      return allowed ? { allowed: true } : { allowed: false, retryAfterSeconds: 3 };
    },
    reset: async () => {},
  };
  await fakes.connections.add(ORIGIN);
  const logs: string[] = [];
  const frame = (body: unknown, connectionId = ORIGIN.connectionId) =>
    handleFrame(fakes.deps, connectionId, typeof body === 'string' ? body : JSON.stringify(body), (message) =>
      logs.push(message),
    );
  return { ...fakes, hits, logs, frame };
}

describe('handleFrame', () => {
  it('sends as the connection owner, never as a forged from, and acks the origin socket', async () => {
    const { frame, chat, push } = await arrange();

    await frame({ action: 'sendMessage', to: BOB, body: 'hi', clientMsgId: 'm-1', from: MALLORY });

    expect(chat.drafts).toEqual([expect.objectContaining({ from: ALICE, to: BOB, clientMsgId: 'm-1' })]);
    expect(push.framesTo(ORIGIN.connectionId)).toEqual([
      expect.objectContaining({ type: 'ack', clientMsgId: 'm-1', duplicate: false }),
    ]);
  });

  it('answers a ping with a pong', async () => {
    const { frame, push } = await arrange();

    await frame({ action: 'ping' });

    expect(push.framesTo(ORIGIN.connectionId)).toEqual([{ type: 'pong' }]);
  });

  it('answers an unknown connection with unauthenticated and closes it', async () => {
    const { frame, push, chat } = await arrange();

    await frame({ action: 'sendMessage', to: BOB, body: 'hi', clientMsgId: 'm-1' }, 'unknown-conn');

    expect(push.framesTo('unknown-conn')).toEqual([
      expect.objectContaining({ type: 'error', code: 'unauthenticated' }),
    ]);
    expect(push.disconnects).toEqual(['unknown-conn']);
    expect(chat.drafts).toEqual([]);
  });

  it('closes the socket of a revoked session even when its frame is malformed', async () => {
    const { frame, push, revokedSessions } = await arrange();
    revokedSessions.add(ORIGIN.sessionId);

    await frame('{not json');

    expect(push.framesTo(ORIGIN.connectionId)).toEqual([
      expect.objectContaining({ code: 'unauthenticated' }),
    ]);
    expect(push.disconnects).toEqual([ORIGIN.connectionId]);
  });

  it('counts malformed and invalid frames against the per-connection limit', async () => {
    const { frame, hits, push } = await arrange({ limit: 2 });

    await frame('{not json');
    await frame({ action: 'nope' });
    await frame('x'.repeat(30_000));

    expect(hits.filter((bucket) => bucket === `ws:${ORIGIN.connectionId}`)).toHaveLength(3);
    const codes = push
      .framesTo(ORIGIN.connectionId)
      .map((sent) => (sent.type === 'error' ? sent.code : sent.type));
    expect(codes).toEqual(['malformed_json', 'validation_failed', 'rate_limited']);
    expect(push.disconnects).toEqual([]);
  });

  it('counts frames per user across all their sockets, and says when to retry', async () => {
    const { frame, connections, push } = await arrange({ limits: { 'ws:user:': 2 } });
    const phone: ConnectionRecord = { connectionId: 'alice-phone', userId: ALICE, sessionId: 'session-a' };
    await connections.add(phone);

    await frame({ action: 'ping' });
    await frame({ action: 'ping' }, phone.connectionId);
    await frame({ action: 'ping' }, phone.connectionId);

    expect(push.framesTo(phone.connectionId)).toEqual([
      { type: 'pong' },
      { type: 'error', code: 'rate_limited', detail: 'Too many frames; slow down', retryAfter: 3 },
    ]);
  });

  it('refuses sends beyond the per-user message budget before storing anything', async () => {
    const { frame, chat, push } = await arrange({ limits: { 'msg:': 1 } });

    await frame({ action: 'sendMessage', to: BOB, body: 'one', clientMsgId: 'm-1' });
    await frame({ action: 'sendMessage', to: BOB, body: 'two', clientMsgId: 'm-2' });

    expect(chat.drafts.map((draft) => draft.clientMsgId)).toEqual(['m-1']);
    expect(push.framesTo(ORIGIN.connectionId).at(-1)).toEqual({
      type: 'error',
      code: 'rate_limited',
      detail: 'Too many messages; slow down',
      clientMsgId: 'm-2',
      retryAfter: 3,
    });
  });

  it('refuses a send to someone the user directory does not know, storing nothing', async () => {
    const { frame, chat, push, missingUsers } = await arrange();
    missingUsers.add(BOB);

    await frame({ action: 'sendMessage', to: BOB, body: 'hi', clientMsgId: 'm-nobody' });

    expect(chat.drafts).toEqual([]);
    expect(push.posts).toEqual([
      {
        connectionId: ORIGIN.connectionId,
        frame: expect.objectContaining({ type: 'error', code: 'not_found', clientMsgId: 'm-nobody' }),
      },
    ]);
  });

  it('stores nothing from a socket whose session has ended, even when its send is otherwise fine', async () => {
    const { frame, chat, push, revokedSessions } = await arrange();
    revokedSessions.add(ORIGIN.sessionId);

    await frame({ action: 'sendMessage', to: BOB, body: 'hi', clientMsgId: 'm-late' });

    expect(chat.drafts).toEqual([]);
    expect(push.framesTo(ORIGIN.connectionId)).toEqual([
      expect.objectContaining({ code: 'unauthenticated', clientMsgId: 'm-late' }),
    ]);
    expect(push.disconnects).toEqual([ORIGIN.connectionId]);
  });

  it('stores nothing from a socket over its frame limit', async () => {
    const { frame, chat } = await arrange({ limit: 1 });

    await frame({ action: 'ping' });
    await frame({ action: 'sendMessage', to: BOB, body: 'hi', clientMsgId: 'm-flood' });

    expect(chat.drafts).toEqual([]);
  });

  it('pushes to the recipient without waiting for the contacts bookkeeping, and acks only after it', async () => {
    const { frame, connections, push, chat } = await arrange();
    const bobPhone: ConnectionRecord = { connectionId: 'bob-phone', userId: BOB, sessionId: 'session-b' };
    await connections.add(bobPhone);
    let recipientHasIt: () => void = () => {};
    const pushed = new Promise<void>((resolve) => {
      recipientHasIt = resolve;
    });
    const post = push.post.bind(push);
    push.post = async (connectionId, sent) => {
      const outcome = await post(connectionId, sent);
      if (connectionId === bobPhone.connectionId) recipientHasIt();
      return outcome;
    };
    const ackedBeforeBookkeeping: boolean[] = [];
    // Finishes only once the recipient has the message: if the push waited for it, this would never end.
    chat.recordDelivery = async () => {
      await pushed;
      ackedBeforeBookkeeping.push(push.framesTo(ORIGIN.connectionId).length > 0);
    };

    await frame({ action: 'sendMessage', to: BOB, body: 'hi', clientMsgId: 'm-1' });

    expect(push.framesTo(bobPhone.connectionId)).toEqual([expect.objectContaining({ type: 'message' })]);
    expect(ackedBeforeBookkeeping).toEqual([false]);
    expect(push.framesTo(ORIGIN.connectionId)).toEqual([expect.objectContaining({ type: 'ack' })]);
  });

  it('sends no ack when the bookkeeping fails after the append, so the client retries the same clientMsgId', async () => {
    const { frame, connections, push, chat } = await arrange();
    const bobPhone: ConnectionRecord = { connectionId: 'bob-phone', userId: BOB, sessionId: 'session-b' };
    await connections.add(bobPhone);
    chat.recordDelivery = async () => {
      throw dependencyUnavailable('Redis');
    };

    await frame({ action: 'sendMessage', to: BOB, body: 'hi', clientMsgId: 'm-half' });

    expect(chat.drafts).toHaveLength(1);
    expect(push.framesTo(bobPhone.connectionId)).toEqual([expect.objectContaining({ type: 'message' })]);
    expect(push.framesTo(ORIGIN.connectionId)).toEqual([
      expect.objectContaining({ type: 'error', code: 'dependency_unavailable', clientMsgId: 'm-half' }),
    ]);
  });

  it('echoes the clientMsgId of a rejected send so the client can correlate it', async () => {
    const { frame, push } = await arrange();

    await frame({ action: 'sendMessage', to: ALICE, body: 'to myself', clientMsgId: 'm-self' });

    expect(push.framesTo(ORIGIN.connectionId)).toEqual([
      expect.objectContaining({ type: 'error', code: 'validation_failed', clientMsgId: 'm-self' }),
    ]);
  });

  it('answers dependency_unavailable, correlated by clientMsgId, when a store is down, keeping the socket', async () => {
    const { frame, push, deps } = await arrange();
    deps.connections.find = async () => {
      throw dependencyUnavailable('Redis');
    };

    await frame({ action: 'sendMessage', to: BOB, body: 'hi', clientMsgId: 'm-retry' });

    expect(push.framesTo(ORIGIN.connectionId)).toEqual([
      expect.objectContaining({ code: 'dependency_unavailable', clientMsgId: 'm-retry' }),
    ]);
    expect(push.disconnects).toEqual([]);
  });

  it('turns an unexpected failure into internal_error without leaking it, logs it, and never rejects', async () => {
    const { frame, push, chat, logs } = await arrange();
    chat.append = async () => {
      throw new Error('ECONNRESET 10.0.0.7:6379 secret-detail');
    };

    await expect(
      frame({ action: 'sendMessage', to: BOB, body: 'hi', clientMsgId: 'm-1' }),
    ).resolves.toBeUndefined();

    const [sent] = push.framesTo(ORIGIN.connectionId);
    expect(sent).toEqual({
      type: 'error',
      code: 'internal_error',
      detail: 'Unexpected error',
      clientMsgId: 'm-1',
    });
    expect(logs).toEqual(['frame failed']);
  });
});
