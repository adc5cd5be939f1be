import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_GROUP_MEMBERS } from '../../shared/domain/groups/group-rules.js';
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
const isGroupAckOf = (clientMsgId: string) => (frame: unknown) =>
  isFrameOfType('groupAck')(frame) && (frame as { clientMsgId?: string }).clientMsgId === clientMsgId;
const isGroupMessageWith = (clientMsgId: string) => (frame: unknown) =>
  isFrameOfType('groupMessage')(frame) &&
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

  it('needs no Postgres query and two Redis round trips for a group send, however many members', async () => {
    const [alice, bob] = await Promise.all([signUp(h), signUp(h)]);
    const [aliceSocket, bobSocket] = await Promise.all([connect(alice), connect(bob)]);
    // Members need no account to be looked up: the send reads every member's connections all the same.
    const others = Array.from({ length: MAX_GROUP_MEMBERS - 2 }, () => randomUUID());
    const groupId = randomUUID();
    await h.deps.groups.create({
      groupId,
      name: 'Big',
      creatorId: alice.id,
      memberIds: [bob.id, ...others],
      atMs: Date.now(),
    });

    const send = async (clientMsgId: string) => {
      const handled = h.framesHandled();
      aliceSocket.send({ action: 'sendMessage', groupId, body: `hello ${clientMsgId}`, clientMsgId });
      await Promise.all([
        aliceSocket.waitForFrame(isGroupAckOf(clientMsgId)),
        bobSocket.waitForFrame(isGroupMessageWith(clientMsgId)),
      ]);
      await pollUntil(() => (h.framesHandled() > handled ? true : undefined), { what: 'the frame handler' });
    };
    await send('warm-up'); // scripts loaded, the connection record cached
    const [aliceConnection] = (await h.deps.connections.lookup(alice.id)).live;
    const [bobConnection] = (await h.deps.connections.lookup(bob.id)).live;

    trace.reset();
    await send('measured');

    const { roundTrips, byRound, connectionId } = trace.beforeFirstPush();
    expect(trace.postgresQueries).toBe(0);
    expect(roundTrips).toBeLessThanOrEqual(2);
    // The sender's ack and the members' pushes go out together; either may be first.
    expect([aliceConnection?.connectionId, bobConnection?.connectionId]).toContain(connectionId);
    // session, frames per socket, frames per user, message budget, member ids
    expect(byRound[0]).toEqual(['evalsha:other', 'evalsha:other', 'evalsha:other', 'hkeys', 'hmget']);
    expect(byRound[1]?.filter((name) => name === 'evalsha:APPEND_GROUP_MESSAGE')).toHaveLength(1);
    expect(byRound[1]?.filter((name) => name === 'evalsha:LOOKUP_CONNECTIONS')).toHaveLength(
      MAX_GROUP_MEMBERS,
    );
    expect(byRound[1]).toHaveLength(MAX_GROUP_MEMBERS + 1);
  });
});
