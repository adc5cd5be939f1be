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

async function arrange(options: { limit?: number } = {}) {
  const fakes = fakeRealtimeDeps();
  const hits: string[] = [];
  fakes.deps.limiter = {
    hit: async (bucket): Promise<ThrottleDecision> => {
      hits.push(bucket);
      const allowed = hits.length <= (options.limit ?? Number.POSITIVE_INFINITY);
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

    expect(hits).toEqual([
      `ws:${ORIGIN.connectionId}`,
      `ws:${ORIGIN.connectionId}`,
      `ws:${ORIGIN.connectionId}`,
    ]);
    const codes = push
      .framesTo(ORIGIN.connectionId)
      .map((sent) => (sent.type === 'error' ? sent.code : sent.type));
    expect(codes).toEqual(['malformed_json', 'validation_failed', 'rate_limited']);
    expect(push.disconnects).toEqual([]);
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
