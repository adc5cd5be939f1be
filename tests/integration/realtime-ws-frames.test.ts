import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createConnectionStore } from '../../shared/adapters/redis/connection-store.js';
import { createDeps } from '../../shared/composition/http-deps.js';
import { conversationIdFor } from '../../shared/domain/chat/conversation.js';
import { MAX_FRAME_BYTES } from '../../shared/ws/client-frames.js';
import { bearer } from '../support/auth-helpers.js';
import { pollUntil } from '../support/poll.js';
import { garbageFrames } from '../support/realtime-fuzz.js';
import { fakeConnectionId } from '../support/realtime-redis.js';
import { isFrameOfType, openSocket, type TestSocket } from '../support/realtime-ws-client.js';
import {
  contactsOf,
  onlineAmong,
  type RealtimeHarness,
  type SignedInUser,
  sendOverHttp,
  signUp,
  startRealtimeHarness,
} from '../support/realtime-ws-harness.js';
import { testEnv } from '../support/test-env.js';

const FRAME_LIMIT = 60;
const FUZZ_SEED = 20_240_601;
const EXPECTED_ERROR_CODES = new Set([
  'validation_failed',
  'malformed_json',
  'payload_too_large',
  'not_found',
]);

const REPLY_TYPES = ['error', 'ack', 'pong'] as const;

const isError = isFrameOfType('error');

const isJson = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

describe('WebSocket frames through the local emulator', () => {
  let h: RealtimeHarness;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    h = await startRealtimeHarness({ WS_FRAME_LIMIT: String(FRAME_LIMIT), WS_FRAME_WINDOW_SECONDS: '60' });
  });

  afterEach(async () => {
    h.useFrameDeps(undefined);
    await Promise.all(sockets.splice(0).map((socket) => socket.close()));
    await h.settled();
    expect(h.escaped).toEqual([]);
  });

  afterAll(async () => {
    await h?.stop();
  });

  async function connect(user: SignedInUser): Promise<TestSocket> {
    const socket = await openSocket(h.gateway.url, { headers: bearer(user.accessToken) });
    sockets.push(socket);
    return socket;
  }

  it('answers a ping with a pong on the same socket', async () => {
    const socket = await connect(await signUp(h));

    socket.send({ action: 'ping' });

    await socket.waitForFrame(isFrameOfType('pong'));
  });

  it("delivers to the peer and the sender's other device, acks the origin, and ignores a forged from", async () => {
    const [alice, bob, mallory] = await Promise.all([signUp(h), signUp(h), signUp(h)]);
    const [aliceLaptop, alicePhone, bobSocket] = await Promise.all([
      connect(alice),
      connect(alice),
      connect(bob),
    ]);
    const frame = { action: 'sendMessage', to: bob.id, body: 'hi Bob', clientMsgId: 'm-1', from: mallory.id };

    aliceLaptop.send(frame);

    const ack = await aliceLaptop.waitForFrame(isFrameOfType('ack'));
    const expected = { from: alice.id, to: bob.id, body: 'hi Bob', clientMsgId: 'm-1' };
    expect(ack).toMatchObject({ clientMsgId: 'm-1', duplicate: false, message: expected });
    for (const socket of [bobSocket, alicePhone]) {
      expect(await socket.waitForFrame(isFrameOfType('message'))).toMatchObject({ message: expected });
    }
    expect(aliceLaptop.json().filter(isFrameOfType('message'))).toEqual([]);
  });

  it('removes a stale connection on the next push (410), after which the user shows offline', async () => {
    const [alice, bob] = await Promise.all([signUp(h), signUp(h)]);
    expect((await sendOverHttp(h, alice, bob)).status).toBe(201);
    // Presence is shown only in a mutual conversation.
    expect((await sendOverHttp(h, bob, alice)).status).toBe(201);
    const stale = { connectionId: fakeConnectionId(), userId: bob.id, sessionId: bob.sessionId };
    // Stored a minute ago: past the `$connect` window in which a 410 is expected and no proof of a vanished client.
    const aMinuteAgo = { nowMs: () => Date.now() - 60_000 };
    await createConnectionStore(h.built.redis, aMinuteAgo, h.built.env.REDIS_KEY_PREFIX).add(stale, 600);
    expect(await contactsOf(h, alice)).toEqual([
      expect.objectContaining({ user: expect.objectContaining({ id: bob.id }), online: true }),
    ]);
    const aliceSocket = await connect(alice);

    aliceSocket.send({ action: 'sendMessage', to: bob.id, body: 'still there?', clientMsgId: 'm-2' });
    await aliceSocket.waitForFrame(isFrameOfType('ack'));

    await pollUntil(async () =>
      (await h.deps.connections.find(stale.connectionId)) === null ? true : undefined,
    );
    expect((await h.deps.connections.lookup(bob.id)).live).toEqual([]);
    expect(await onlineAmong(h, [bob.id])).toEqual(new Set());
    expect(await contactsOf(h, alice)).toEqual([expect.objectContaining({ online: false })]);
  });

  it('keeps a connection that answers 410 while it is still inside its $connect window', async () => {
    const [alice, bob] = await Promise.all([signUp(h), signUp(h)]);
    expect((await sendOverHttp(h, alice, bob)).status).toBe(201);
    // Stored just now, as `$connect` does before API Gateway completes the upgrade.
    const connecting = { connectionId: fakeConnectionId(), userId: bob.id, sessionId: bob.sessionId };
    await h.deps.connections.add(connecting, 600);
    const aliceSocket = await connect(alice);

    aliceSocket.send({ action: 'sendMessage', to: bob.id, body: 'are you connecting?', clientMsgId: 'm-3' });
    await aliceSocket.waitForFrame(isFrameOfType('ack'));

    expect(await h.deps.connections.find(connecting.connectionId)).not.toBeNull();
    expect(await onlineAmong(h, [bob.id])).toEqual(new Set([bob.id]));
  });

  it('answers a frame from a revoked session with unauthenticated and closes the socket', async () => {
    const alice = await signUp(h);
    const socket = await connect(alice);
    const [record] = (await h.deps.connections.lookup(alice.id)).live;
    await h.deps.sessions.revoke(alice.id, alice.sessionId);

    socket.send({ action: 'ping' });

    expect(await socket.waitForFrame(isError)).toMatchObject({ type: 'error', code: 'unauthenticated' });
    expect((await socket.closed).code).toBe(1000);
    await h.settled();
    expect(await h.deps.connections.find(record?.connectionId ?? '')).toBeNull();
    expect(socket.json().filter(isFrameOfType('pong'))).toEqual([]);
  });

  it('closes the socket of a revoked session even when it only sends garbage', async () => {
    const alice = await signUp(h);
    const socket = await connect(alice);
    await h.deps.sessions.revoke(alice.id, alice.sessionId);

    socket.send('{not json');

    expect(await socket.waitForFrame(isError)).toMatchObject({ code: 'unauthenticated' });
    expect((await socket.closed).code).toBe(1000);
  });

  it('answers dependency_unavailable when Redis is down mid-frame, and writes nothing', async () => {
    const [alice, bob] = await Promise.all([signUp(h), signUp(h)]);
    const [aliceSocket, bobSocket] = await Promise.all([connect(alice), connect(bob)]);
    const down = await createDeps(
      await testEnv({
        REDIS_URL: 'redis://127.0.0.1:1',
        REDIS_KEY_PREFIX: h.built.env.REDIS_KEY_PREFIX,
        WS_MANAGEMENT_ENDPOINT: h.gateway.managementEndpoint,
      }),
    );
    const send = { action: 'sendMessage', to: bob.id, body: 'lost?', clientMsgId: 'm-down' };
    const before = await h.redisKeys();
    try {
      h.useFrameDeps(down.deps);
      const started = Date.now();

      aliceSocket.send(send);

      const error = await aliceSocket.waitForFrame(isError);
      expect(error).toEqual({
        type: 'error',
        code: 'dependency_unavailable',
        detail: expect.any(String),
        clientMsgId: 'm-down',
        retryAfter: 1,
      });
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      h.useFrameDeps(undefined);
      await down.close();
    }
    expect(await h.redisKeys()).toEqual(before);
    expect(bobSocket.frames).toEqual([]);
    const history = await h.deps.chat.history(conversationIdFor(alice.id, bob.id), { limit: 10 });
    expect(history.messages).toEqual([]);

    aliceSocket.send(send);

    expect(await aliceSocket.waitForFrame(isFrameOfType('ack'))).toMatchObject({ duplicate: false });
  });

  it('never lets a garbage frame crash a handler: bad ones get an error frame and the socket stays open', async () => {
    const [alice, bob] = await Promise.all([signUp(h), signUp(h)]);
    const socket = await connect(alice);
    const frames = garbageFrames(50, FUZZ_SEED, { self: alice.id, peer: bob.id });
    const handledBefore = h.framesHandled();

    for (const frame of frames) socket.send(frame);
    await pollUntil(() => (h.framesHandled() >= handledBefore + frames.length ? true : undefined), {
      timeoutMs: 15_000,
      what: 'every fuzz frame to be handled',
    });
    socket.send({ action: 'ping' });
    await socket.waitForFrame(isFrameOfType('pong'));

    const received = socket.json();
    expect(received.filter((frame) => JSON.stringify(frame).includes('Internal server error'))).toEqual([]);
    expect(received.filter((frame) => !REPLY_TYPES.some((type) => isFrameOfType(type)(frame)))).toEqual([]);
    const codes = received.filter(isError).map((frame) => String(frame.code));
    expect(codes.filter((code) => !EXPECTED_ERROR_CODES.has(code))).toEqual([]);
    const oversized = frames.filter((frame) => Buffer.byteLength(frame) > MAX_FRAME_BYTES);
    const notJson = frames.filter((frame) => !oversized.includes(frame) && !isJson(frame));
    expect(codes.filter((code) => code === 'payload_too_large')).toHaveLength(oversized.length);
    expect(codes.filter((code) => code === 'malformed_json')).toHaveLength(notJson.length);
    expect(codes.filter((code) => code === 'validation_failed').length).toBeGreaterThan(0);
    expect(h.logged.filter((entry) => entry.message === 'frame failed')).toEqual([]);
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
  });

  it('rate-limits frames per connection with a rate_limited error frame', async () => {
    const socket = await connect(await signUp(h));

    for (let i = 0; i <= FRAME_LIMIT; i += 1) socket.send({ action: 'ping' });

    expect(await socket.waitForFrame(isError)).toMatchObject({ code: 'rate_limited' });
    await pollUntil(() => (socket.frames.length === FRAME_LIMIT + 1 ? true : undefined));
    expect(socket.json().filter(isFrameOfType('pong'))).toHaveLength(FRAME_LIMIT);
  });

  it('rejects an oversized frame (by UTF-8 bytes) with payload_too_large', async () => {
    const socket = await connect(await signUp(h));
    const body = '😀'.repeat(7_000);

    socket.send({ action: 'sendMessage', to: randomUUID(), body, clientMsgId: 'm-big' });

    expect(await socket.waitForFrame(isError)).toMatchObject({ code: 'payload_too_large' });
  });
});
