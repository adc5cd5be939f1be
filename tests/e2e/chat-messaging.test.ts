import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../support/e2e-http.js';
import { latestMailTo, mailUrl } from '../support/e2e-mail.js';
import { closeAllSockets, frame, wsUrl } from '../support/e2e-ws.js';
import {
  anotherDevice,
  type ChatUser,
  chatUsers,
  compareIds,
  connectAs,
  contactOf,
  contactsOf,
  fullHistory,
  historyPage,
  markReadOverHttp,
  messageWithId,
  newClientMsgId,
  postMessageOk,
  searchPeople,
  sendAndAck,
} from '../support/e2e-ws-chat.js';
import { pollUntil } from '../support/poll.js';

// Fails, naming WS_URL, when the stage under test has no WebSocket API: chat is never silently untested.
beforeAll(() => void wsUrl());

afterEach(async () => {
  expect(await closeAllSockets(), 'frames outside the WebSocket contract').toEqual([]);
});

/** Sends `count` messages one after another (each after the previous ack); returns the acked ids in order. */
async function sendSequentially(
  client: Awaited<ReturnType<typeof connectAs>>,
  to: ChatUser,
  count: number,
  prefix: string,
) {
  const ids: string[] = [];
  for (let n = 1; n <= count; n++) ids.push((await sendAndAck(client, to.id, `${prefix} ${n}`)).message.id);
  return ids;
}

describe('chat messaging over the WebSocket API', () => {
  it('lets two users chat both ways; every ack carries the server id the recipient received', async () => {
    const [alice, bob] = await chatUsers(2);
    if (!alice || !bob) throw new Error('users missing');
    const aliceSocket = await connectAs(alice, 'ticket');
    const bobSocket = await connectAs(bob, 'bearer');

    const clientMsgId = newClientMsgId();
    const ack = await sendAndAck(aliceSocket, bob.id, 'Hi Bob 👋\nsecond line', clientMsgId);
    const received = await bobSocket.waitFor(messageWithId(ack.message.id));
    const reply = await sendAndAck(bobSocket, alice.id, 'Hi Alice');
    const replyReceived = await aliceSocket.waitFor(messageWithId(reply.message.id));

    expect(ack).toMatchObject({ clientMsgId, duplicate: false });
    expect(ack.message).toMatchObject({
      from: alice.id,
      to: bob.id,
      body: 'Hi Bob 👋\nsecond line',
      clientMsgId,
    });
    expect(received.message).toEqual(ack.message);
    expect(replyReceived.message).toEqual(reply.message);
    expect(reply.message).toMatchObject({ from: bob.id, to: alice.id, body: 'Hi Alice' });
    expect(reply.message.conversationId).toBe(ack.message.conversationId);
    expect(compareIds(reply.message.id, ack.message.id)).toBeGreaterThan(0);
    expect(Math.abs(Date.parse(ack.message.sentAt) - Date.now())).toBeLessThan(60_000);
    // Each sender got an ack, never a copy of its own message, on the socket it sent from.
    await Promise.all([aliceSocket.roundTrip(), bobSocket.roundTrip()]);
    expect(aliceSocket.all('message').map((pushed) => pushed.message.id)).toEqual([reply.message.id]);
    expect(bobSocket.all('message').map((pushed) => pushed.message.id)).toEqual([ack.message.id]);
  });

  it("fans a message out to all of the recipient's devices and the sender's other devices, not the sending socket", async () => {
    const [alice, bob] = await chatUsers(2);
    if (!alice || !bob) throw new Error('users missing');
    const [alicePhone, bobPhone] = await Promise.all([anotherDevice(alice), anotherDevice(bob)]);
    const aliceLaptop = await connectAs(alice, 'ticket', 'alice-laptop');
    const aliceMobile = await connectAs(alicePhone, 'bearer', 'alice-phone');
    const bobLaptop = await connectAs(bob, 'ticket', 'bob-laptop');
    const bobMobile = await connectAs(bobPhone, 'ticket', 'bob-phone');

    const ack = await sendAndAck(aliceLaptop, bob.id, 'to all your devices');
    const copies = await Promise.all(
      [bobLaptop, bobMobile, aliceMobile].map((socket) => socket.waitFor(messageWithId(ack.message.id))),
    );

    for (const copy of copies) expect(copy.message).toEqual(ack.message);
    await aliceLaptop.roundTrip();
    expect(aliceLaptop.all('message')).toEqual([]);
    expect(aliceLaptop.all('ack')).toHaveLength(1);
    for (const socket of [bobLaptop, bobMobile, aliceMobile]) {
      await socket.roundTrip();
      expect(socket.all('message')).toHaveLength(1);
      expect(socket.all('ack')).toEqual([]);
    }
  });

  it('keeps messages for an offline recipient, who pages history newest first with no gaps or duplicates', async () => {
    const [alice, bob] = await chatUsers(2);
    if (!alice || !bob) throw new Error('users missing');
    const aliceSocket = await connectAs(alice);
    const sent = await sendSequentially(aliceSocket, bob, 7, 'while you were away');

    const pages = [];
    let before: string | undefined;
    do {
      const page = await historyPage(bob, alice.id, { before, limit: 3 });
      pages.push(page);
      before = page.nextCursor ?? undefined;
    } while (before !== undefined && pages.length < 10);
    const ids = pages.flatMap((page) => page.messages.map((message) => message.id));

    expect(pages.map((page) => page.messages.length)).toEqual([3, 3, 1]);
    expect(pages.map((page) => page.nextCursor)).toEqual([ids[2], ids[5], null]);
    expect(ids).toEqual([...sent].reverse());
    expect(pages.flatMap((page) => page.messages.map((message) => message.body))).toEqual(
      Array.from({ length: 7 }, (_, n) => `while you were away ${7 - n}`),
    );
    // The sender sees the same conversation; a default page holds it all.
    expect((await historyPage(alice, bob.id)).messages.map((message) => message.id)).toEqual(ids);
    // `before` is exclusive: the page after the newest id starts at the second newest.
    const [newest, second] = ids;
    if (!newest) throw new Error('no messages');
    expect((await historyPage(bob, alice.id, { before: newest, limit: 1 })).messages[0]?.id).toBe(second);
    // Alice is online, but Bob has not written back: presence is shared only in mutual conversations.
    expect(await contactOf(bob, alice.id)).toMatchObject({ unread: 7, online: false });

    // Coming online later delivers nothing old over the socket: clients resync from history.
    const bobSocket = await connectAs(bob);
    await bobSocket.roundTrip();
    expect(bobSocket.all('message')).toEqual([]);
  });

  it('lists contacts by recency with unread counts that markRead (socket) and POST read (HTTP) clear', async () => {
    const [me, first, second, third] = await chatUsers(4);
    if (!me || !first || !second || !third) throw new Error('users missing');
    const mine = await connectAs(me);
    await postMessageOk(first, me.id, 'one');
    await postMessageOk(first, me.id, 'two');
    await postMessageOk(second, me.id, 'hello');
    const thirdIds = [
      await postMessageOk(third, me.id, 'a'),
      await postMessageOk(third, me.id, 'b'),
      await postMessageOk(third, me.id, 'c'),
    ].map((message) => message.id);

    const before = await contactsOf(me);
    expect(before.map((contact) => contact.user.id)).toEqual([third.id, second.id, first.id]);
    expect(before.map((contact) => contact.unread)).toEqual([3, 1, 2]);
    expect(before[0]).toMatchObject({
      user: { id: third.id, displayName: third.displayName },
      lastMessage: { id: thirdIds[2], body: 'c', from: third.id, to: me.id },
      online: false,
    });

    // A newer message moves its conversation to the top; my own messages never count as unread.
    const newest = await postMessageOk(first, me.id, 'three');
    await sendAndAck(mine, second.id, 'my reply');
    expect((await contactsOf(me)).map((contact) => [contact.user.id, contact.unread])).toEqual([
      [second.id, 1],
      [first.id, 3],
      [third.id, 3],
    ]);
    // The other side counts only my reply, not its own message.
    expect(await contactOf(second, me.id)).toMatchObject({ unread: 1, online: true });

    mine.send({ action: 'markRead', peerId: first.id, upTo: newest.id });
    const cleared = await pollUntil(
      async () => ((await contactOf(me, first.id))?.unread === 0 ? true : undefined),
      { what: 'markRead over the socket to clear the unread count' },
    );
    expect(cleared).toBe(true);
    // Reading up to an older message leaves the later ones unread.
    expect((await markReadOverHttp(me, third.id, thirdIds[1] ?? '')).status).toBe(204);
    expect((await contactOf(me, third.id))?.unread).toBe(1);
    expect((await markReadOverHttp(me, third.id, thirdIds[2] ?? '')).status).toBe(204);
    expect(
      (await markReadOverHttp(me, second.id, (await contactOf(me, second.id))?.lastMessage.id ?? '')).status,
    ).toBe(204);

    const after = await contactsOf(me);
    expect(after.map((contact) => [contact.user.id, contact.unread])).toEqual([
      [second.id, 0],
      [first.id, 0],
      [third.id, 0],
    ]);
  });

  it('relays typing to the peer and read receipts to the peer and the reader’s other devices', async () => {
    const [alice, bob] = await chatUsers(2);
    if (!alice || !bob) throw new Error('users missing');
    const bobTablet = await anotherDevice(bob);
    const aliceSocket = await connectAs(alice);
    const bobSocket = await connectAs(bob, 'ticket', 'bob');
    const bobOther = await connectAs(bobTablet, 'ticket', 'bob-tablet');
    // Typing and read receipts flow only once both have written.
    await postMessageOk(alice, bob.id, 'hi');
    await postMessageOk(bob, alice.id, 'hello');

    aliceSocket.send({ action: 'typing', to: bob.id });
    const typing = await Promise.all([bobSocket, bobOther].map((socket) => socket.waitFor(frame('typing'))));
    expect(typing).toEqual([
      { type: 'typing', from: alice.id },
      { type: 'typing', from: alice.id },
    ]);

    const ack = await sendAndAck(aliceSocket, bob.id, 'did you read this?');
    bobSocket.send({ action: 'markRead', peerId: alice.id, upTo: ack.message.id });
    const receipt = { type: 'read', by: bob.id, peerId: alice.id, upTo: ack.message.id };
    expect(await aliceSocket.waitFor(frame('read'))).toEqual(receipt);
    expect(await bobOther.waitFor(frame('read'))).toEqual(receipt);

    // The same receipt when the read is marked over HTTP.
    const second = await sendAndAck(aliceSocket, bob.id, 'and this one?');
    expect((await markReadOverHttp(bobTablet, alice.id, second.message.id)).status).toBe(204);
    expect(await aliceSocket.waitFor(frame('read', (read) => read.upTo === second.message.id))).toEqual({
      ...receipt,
      upTo: second.message.id,
    });

    // Nobody gets their own typing back, and the socket that marked read gets no receipt of its own.
    await Promise.all([aliceSocket.roundTrip(), bobSocket.roundTrip()]);
    expect(aliceSocket.all('typing')).toEqual([]);
    expect(bobSocket.all('read', (read) => read.upTo === ack.message.id)).toEqual([]);
  });

  it('announces presence to an online contact: online at the first socket, offline after the last', async () => {
    const [alice, bob] = await chatUsers(2);
    if (!alice || !bob) throw new Error('users missing');
    const alicePhone = await anotherDevice(alice);
    await postMessageOk(alice, bob.id, 'we are contacts now');
    await postMessageOk(bob, alice.id, 'and we talk both ways');
    const bobSocket = await connectAs(bob);
    const aboutAlice = (online: boolean) =>
      frame('presence', (presence) => presence.userId === alice.id && presence.online === online);

    const aliceLaptop = await connectAs(alice, 'ticket', 'alice-laptop');
    await bobSocket.waitFor(aboutAlice(true));
    expect(await contactOf(bob, alice.id)).toMatchObject({ online: true });
    const aliceMobile = await connectAs(alicePhone, 'ticket', 'alice-phone');
    await aliceMobile.close();
    await aliceLaptop.close();
    await bobSocket.waitFor(aboutAlice(false));
    await bobSocket.roundTrip();

    expect(bobSocket.all('presence', (presence) => presence.userId === alice.id)).toEqual([
      { type: 'presence', userId: alice.id, online: true },
      { type: 'presence', userId: alice.id, online: false },
    ]);
    expect(await contactOf(bob, alice.id)).toMatchObject({ online: false });
    // And the other way round: Alice, online again, is told when Bob leaves.
    const aliceAgain = await connectAs(alice);
    await bobSocket.close();
    expect(await aliceAgain.waitFor(frame('presence'))).toEqual({
      type: 'presence',
      userId: bob.id,
      online: false,
    });
  });

  it('pushes a message posted over HTTP to the recipient’s sockets and to the sender’s sockets', async () => {
    const [alice, bob] = await chatUsers(2);
    if (!alice || !bob) throw new Error('users missing');
    const aliceSocket = await connectAs(alice);
    const bobSocket = await connectAs(bob);

    const message = await postMessageOk(alice, bob.id, 'sent from a form');

    expect(message).toMatchObject({ from: alice.id, to: bob.id, body: 'sent from a form' });
    expect((await bobSocket.waitFor(messageWithId(message.id))).message).toEqual(message);
    expect((await aliceSocket.waitFor(messageWithId(message.id))).message).toEqual(message);
  });

  it('stores a repeated clientMsgId once: the retry’s ack says duplicate and history holds one message', async () => {
    const [alice, bob] = await chatUsers(2);
    if (!alice || !bob) throw new Error('users missing');
    const aliceSocket = await connectAs(alice);
    const bobSocket = await connectAs(bob);
    const clientMsgId = newClientMsgId();

    const first = await sendAndAck(aliceSocket, bob.id, 'exactly once', clientMsgId);
    aliceSocket.send({ action: 'sendMessage', to: bob.id, body: 'exactly once', clientMsgId });
    const retried = await aliceSocket.waitForCount(
      frame('ack', (ack) => ack.clientMsgId === clientMsgId),
      2,
    );
    const overHttp = await postMessageOk(alice, bob.id, 'exactly once', clientMsgId, 200);
    await bobSocket.waitFor(messageWithId(first.message.id));

    expect(first.duplicate).toBe(false);
    expect(retried[1]).toEqual({ ...first, duplicate: true });
    expect(overHttp).toEqual(first.message);
    const { messages } = await fullHistory(bob, alice.id);
    expect(messages.map((message) => message.clientMsgId)).toEqual([clientMsgId]);
    expect(await contactOf(bob, alice.id)).toMatchObject({ unread: 1 });
    // Retries may be pushed again (clients dedupe by id), but always as the one stored message.
    for (const pushed of bobSocket.all('message')) expect(pushed.message).toEqual(first.message);
  });

  it('finds people to chat with through GET /users, showing ids and names but never emails', async () => {
    const [alice, bob] = await chatUsers(2);
    if (!alice || !bob) throw new Error('users missing');

    // Only a verified address is found by email (README, email verification): Bob opens his link first. A target
    // without captured mail (a deployed stage) cannot read it, so there Bob is found by his name.
    const mail = mailUrl()
      ? await latestMailTo(bob.account.email, { subject: 'Confirm your email address' })
      : null;
    if (mail) {
      const token = decodeURIComponent(mail.text.match(/verify-email\?token=([\w%-]+)/)?.[1] ?? '');
      expect((await call('/auth/email/verify', { json: { token } })).status).toBe(204);
    }
    const byEmail = await searchPeople(alice, mail ? bob.account.email : bob.displayName);
    const self = await searchPeople(alice, alice.account.email);

    expect(byEmail).toEqual([{ id: bob.id, displayName: bob.displayName }]);
    expect(self).toEqual([]);
    const message = await postMessageOk(alice, byEmail[0]?.id ?? '', 'found you');
    expect((await contactOf(bob, alice.id))?.lastMessage).toEqual(message);
  });
});
