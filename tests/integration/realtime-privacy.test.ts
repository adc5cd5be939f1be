import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bearer, send } from '../support/auth-helpers.js';
import { pollUntil } from '../support/poll.js';
import { isFrameOfType, openSocket, type TestSocket } from '../support/realtime-ws-client.js';
import {
  contactsOf,
  type RealtimeHarness,
  type SignedInUser,
  sendOverHttp,
  signUp,
  startRealtimeHarness,
} from '../support/realtime-ws-harness.js';
import { jsonPost } from '../support/test-env.js';

const isPresence = isFrameOfType('presence');
const isTyping = isFrameOfType('typing');
const isRead = isFrameOfType('read');
const isMessage = isFrameOfType('message');

describe('presence, typing and read receipts stay inside mutual conversations; blocking', () => {
  let h: RealtimeHarness;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    h = await startRealtimeHarness();
  });

  afterEach(async () => {
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

  /**
   * Everything pushed to this socket before now has arrived: the emulator writes each socket's frames in
   * order, so a pong requested after the handler under test finished comes after anything it pushed.
   */
  async function drained(socket: TestSocket): Promise<void> {
    const pongs = socket.json().filter(isFrameOfType('pong')).length;
    socket.send({ action: 'ping' });
    await socket.waitForFrame(() => socket.json().filter(isFrameOfType('pong')).length > pongs);
  }

  /** Sends a frame and waits until its handler has run to the end (pushes included). */
  async function handled(socket: TestSocket, frame: unknown): Promise<void> {
    const before = h.framesHandled();
    socket.send(frame);
    await pollUntil(() => (h.framesHandled() > before ? true : undefined), {
      what: 'the frame to be handled',
    });
  }

  const block = (by: SignedInUser, whom: SignedInUser) =>
    send(h.built.app, `/chat/blocks/${whom.id}`, { method: 'POST', headers: bearer(by.accessToken) });
  const unblock = (by: SignedInUser, whom: SignedInUser) =>
    send(h.built.app, `/chat/blocks/${whom.id}`, { method: 'DELETE', headers: bearer(by.accessToken) });

  async function lastMessageIdOf(user: SignedInUser): Promise<string> {
    const res = await send(h.built.app, '/chat/contacts', { headers: bearer(user.accessToken) });
    const { contacts } = (await res.json()) as { contacts: { lastMessage: { id: string } }[] };
    const id = contacts[0]?.lastMessage.id;
    if (!id) throw new Error('no conversation');
    return id;
  }

  /** A friend in a mutual conversation with `user`: their presence frames show when an announcement ran. */
  async function friendOf(user: SignedInUser): Promise<TestSocket> {
    const friend = await signUp(h);
    expect((await sendOverHttp(h, friend, user)).status).toBe(201);
    expect((await sendOverHttp(h, user, friend)).status).toBe(201);
    return connect(friend);
  }

  const offlineAnnounced = (friend: TestSocket, user: SignedInUser) =>
    friend.waitForFrame((frame) => {
      const presence = frame as { type?: string; userId?: string; online?: boolean };
      return presence.type === 'presence' && presence.userId === user.id && presence.online === false;
    });

  it('gives a stranger who wrote first no presence, online flag, typing or read receipts', async () => {
    const [bob, mallory] = await Promise.all([signUp(h), signUp(h)]);
    expect((await sendOverHttp(h, mallory, bob, 'hi, stranger here')).status).toBe(201);
    const friend = await friendOf(bob);
    const malloryWatch = await connect(mallory);

    const bobSocket = await connect(bob);
    expect(await contactsOf(h, mallory)).toEqual([expect.objectContaining({ online: false })]);
    await handled(malloryWatch, { action: 'typing', to: bob.id });
    await drained(bobSocket);
    expect(bobSocket.json().filter(isTyping)).toEqual([]);
    const upTo = await lastMessageIdOf(bob);
    expect(
      (
        await send(
          h.built.app,
          `/chat/conversations/${mallory.id}/read`,
          jsonPost({ upTo }, bearer(bob.accessToken)),
        )
      ).status,
    ).toBe(204);
    await bobSocket.close();
    await offlineAnnounced(friend, bob);

    await drained(malloryWatch);
    expect(malloryWatch.json().filter((frame) => isPresence(frame) || isRead(frame))).toEqual([]);
  });

  it('shares presence, online and typing once both people have written', async () => {
    const [alice, bob] = await Promise.all([signUp(h), signUp(h)]);
    expect((await sendOverHttp(h, alice, bob)).status).toBe(201);
    expect((await sendOverHttp(h, bob, alice)).status).toBe(201);
    const aliceSocket = await connect(alice);

    const bobSocket = await connect(bob);

    expect(await aliceSocket.waitForFrame(isPresence)).toEqual({
      type: 'presence',
      userId: bob.id,
      online: true,
    });
    expect(await contactsOf(h, alice)).toEqual([expect.objectContaining({ online: true })]);
    aliceSocket.send({ action: 'typing', to: bob.id });
    expect(await bobSocket.waitForFrame(isTyping)).toEqual({ type: 'typing', from: alice.id });
  });

  it('refuses sends both ways while blocked, drops the conversation from the blocker, and lists the block', async () => {
    const [bob, mallory] = await Promise.all([signUp(h), signUp(h)]);
    expect((await sendOverHttp(h, mallory, bob)).status).toBe(201);
    expect((await sendOverHttp(h, bob, mallory)).status).toBe(201);
    const bobSocket = await connect(bob);
    const mallorySocket = await connect(mallory);

    expect((await block(bob, mallory)).status).toBe(204);

    const refused = await sendOverHttp(h, mallory, bob, 'let me in');
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: 'blocked' });
    expect(await sendOverHttp(h, bob, mallory)).toHaveProperty('status', 403);
    mallorySocket.send({ action: 'sendMessage', to: bob.id, body: 'over ws', clientMsgId: 'ws-1' });
    expect(await mallorySocket.waitForFrame(isFrameOfType('error'))).toMatchObject({
      code: 'blocked',
      clientMsgId: 'ws-1',
    });
    expect(await contactsOf(h, bob)).toEqual([]);
    const listed = await send(h.built.app, '/chat/blocks', { headers: bearer(bob.accessToken) });
    expect(await listed.json()).toEqual({
      blocks: [{ user: { id: mallory.id, displayName: mallory.displayName }, blockedAt: expect.any(String) }],
    });
    await drained(bobSocket);
    expect(bobSocket.json().filter(isMessage)).toEqual([]);
  });

  it('gives a blocked user no presence or typing even after a mutual conversation', async () => {
    const [bob, mallory] = await Promise.all([signUp(h), signUp(h)]);
    expect((await sendOverHttp(h, mallory, bob)).status).toBe(201);
    expect((await sendOverHttp(h, bob, mallory)).status).toBe(201);
    expect((await block(bob, mallory)).status).toBe(204);
    const friend = await friendOf(bob);
    const mallorySocket = await connect(mallory);

    const bobSocket = await connect(bob);
    await handled(mallorySocket, { action: 'typing', to: bob.id });
    await bobSocket.close();
    await offlineAnnounced(friend, bob);
    expect(bobSocket.json().filter(isTyping)).toEqual([]);

    await drained(mallorySocket);
    expect(mallorySocket.json().filter(isPresence)).toEqual([]);
    expect(await contactsOf(h, mallory)).toEqual([expect.objectContaining({ online: false })]);
  });

  it('lets messages through again after unblocking, and the conversation comes back with them', async () => {
    const [bob, mallory] = await Promise.all([signUp(h), signUp(h)]);
    expect((await sendOverHttp(h, mallory, bob)).status).toBe(201);
    expect((await block(bob, mallory)).status).toBe(204);

    expect((await unblock(bob, mallory)).status).toBe(204);

    expect((await sendOverHttp(h, mallory, bob, 'sorry')).status).toBe(201);
    expect(await contactsOf(h, bob)).toEqual([
      expect.objectContaining({ user: expect.objectContaining({ id: mallory.id }) }),
    ]);
    const listed = await send(h.built.app, '/chat/blocks', { headers: bearer(bob.accessToken) });
    expect(await listed.json()).toEqual({ blocks: [] });
    expect((await unblock(bob, mallory)).status).toBe(204);
  });

  it('answers 404 for blocking an unknown user and 400 for blocking yourself', async () => {
    const bob = await signUp(h);
    const unknown = { ...bob, id: '00000000-0000-4000-8000-000000000000' };

    expect((await block(bob, unknown)).status).toBe(404);
    const self = await block(bob, bob);
    expect(self.status).toBe(400);
    expect(await self.json()).toMatchObject({ code: 'validation_failed' });
  });
});
