import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '../support/auth-helpers.js';
import { pollUntil } from '../support/poll.js';
import { traceRoundTrips } from '../support/realtime-round-trips.js';
import { isFrameOfType, openSocket, type TestSocket } from '../support/realtime-ws-client.js';
import {
  type RealtimeHarness,
  type SignedInUser,
  signUp,
  startRealtimeHarness,
} from '../support/realtime-ws-harness.js';

const isAckOf = (clientMsgId: string) => (frame: unknown) =>
  isFrameOfType('ack')(frame) && (frame as { clientMsgId?: string }).clientMsgId === clientMsgId;
const isMessageWith = (clientMsgId: string) => (frame: unknown) =>
  isFrameOfType('message')(frame) &&
  (frame as { message?: { clientMsgId?: string } }).message?.clientMsgId === clientMsgId;

describe('what one WebSocket sendMessage costs before its first push (real Redis, Postgres, SDK)', () => {
  let h: RealtimeHarness;
  let trace: ReturnType<typeof traceRoundTrips>;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    h = await startRealtimeHarness();
    trace = traceRoundTrips(h.built.redis, h.built.pool, h.deps.push);
  });

  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((socket) => socket.close()));
    await h.settled();
    expect(h.escaped).toEqual([]);
  });

  afterAll(async () => {
    trace?.restore();
    await h?.stop();
  });

  async function connect(user: SignedInUser): Promise<TestSocket> {
    const socket = await openSocket(h.gateway.url, { headers: bearer(user.accessToken) });
    sockets.push(socket);
    return socket;
  }

  /** Sends one message and waits until the recipient has it, the sender its ack, and the handler is done. */
  async function send(from: TestSocket, to: TestSocket, toUser: SignedInUser, clientMsgId: string) {
    const handled = h.framesHandled();
    from.send({ action: 'sendMessage', to: toUser.id, body: `hello ${clientMsgId}`, clientMsgId });
    await Promise.all([from.waitForFrame(isAckOf(clientMsgId)), to.waitForFrame(isMessageWith(clientMsgId))]);
    await pollUntil(() => (h.framesHandled() > handled ? true : undefined), { what: 'the frame handler' });
  }

  async function pingPong(socket: TestSocket): Promise<void> {
    const handled = h.framesHandled();
    socket.send({ action: 'ping' });
    await socket.waitForFrame(isFrameOfType('pong'));
    await pollUntil(() => (h.framesHandled() > handled ? true : undefined), { what: 'the ping handler' });
  }

  it('needs no Postgres query and two Redis round trips on a socket this instance has seen', async () => {
    const [alice, bob] = await Promise.all([signUp(h), signUp(h)]);
    const [aliceSocket, bobSocket] = await Promise.all([connect(alice), connect(bob)]);
    await send(aliceSocket, bobSocket, bob, 'warm-up'); // scripts loaded, the conversation exists
    await pingPong(aliceSocket);
    const [bobConnection] = (await h.deps.connections.lookup(bob.id)).live;
    trace.reset();
    await h.deps.users.findById(bob.id);
    expect(trace.postgresQueries, 'the tracer sees Postgres').toBe(1);

    trace.reset();
    await send(aliceSocket, bobSocket, bob, 'measured');

    const { roundTrips, byRound, connectionId } = trace.beforeFirstPush();
    expect(trace.postgresQueries).toBe(0);
    expect(roundTrips).toBeLessThanOrEqual(2);
    expect(connectionId).toBe(bobConnection?.connectionId);
    expect(byRound).toEqual([
      // session, recipient's directory entry, frames per socket, frames per user, message budget
      ['evalsha:other', 'evalsha:other', 'evalsha:other', 'hget', 'hmget'],
      ['evalsha:APPEND_MESSAGE', 'evalsha:LOOKUP_CONNECTIONS', 'evalsha:LOOKUP_CONNECTIONS'],
    ]);
    // The bookkeeping runs beside the pushes, not before them.
    expect(trace.commands.filter((command) => command.name === 'evalsha:RECORD_DELIVERY')).toEqual([
      { name: 'evalsha:RECORD_DELIVERY', round: 3 },
      { name: 'evalsha:RECORD_DELIVERY', round: 3 },
    ]);
  });

  it('reads the connection record once more on a socket this instance has not seen yet', async () => {
    const [alice, bob] = await Promise.all([signUp(h), signUp(h)]);
    const [aliceSocket, bobSocket] = await Promise.all([connect(alice), connect(bob)]);
    await send(bobSocket, aliceSocket, alice, 'warm-up');

    trace.reset();
    await send(aliceSocket, bobSocket, bob, 'first-frame');

    const { roundTrips, byRound } = trace.beforeFirstPush();
    expect(trace.postgresQueries).toBe(0);
    expect(roundTrips).toBe(3);
    expect(byRound[0]).toEqual(['get', 'pttl']);
  });
});
