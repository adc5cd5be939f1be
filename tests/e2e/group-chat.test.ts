import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  addMembersCall,
  createGroupCall,
  createGroupOk,
  groupCall,
  groupEvent,
  groupHistoryCall,
  groupHistoryOk,
  groupMessageWithId,
  groupRowsOf,
  markGroupReadCall,
  postGroupMessage,
  postGroupMessageOk,
  readGroupOk,
  removeMemberCall,
  renameCall,
} from '../support/e2e-groups.js';
import { bearer, call, expectProblem } from '../support/e2e-http.js';
import { closeAllSockets, frame, wsUrl } from '../support/e2e-ws.js';
import {
  anotherDevice,
  type ChatUser,
  chatUsers,
  connectAs,
  newClientMsgId,
} from '../support/e2e-ws-chat.js';

// Fails, naming WS_URL, when the stage under test has no WebSocket API: chat is never silently untested.
beforeAll(() => void wsUrl());

afterEach(async () => {
  expect(await closeAllSockets(), 'frames outside the WebSocket contract').toEqual([]);
});

async function people(count: number): Promise<ChatUser[]> {
  const users = await chatUsers(count);
  if (users.length !== count) throw new Error('users missing');
  return users;
}

type Socket = Awaited<ReturnType<typeof connectAs>>;

const sendGroupFrame = (socket: Socket, groupId: string, body: string, clientMsgId = newClientMsgId()) => {
  socket.send({ action: 'sendMessage', groupId, body, clientMsgId });
  return socket.waitFor(frame('groupAck', (ack) => ack.clientMsgId === clientMsgId));
};

describe('group conversations over HTTP and the WebSocket API', () => {
  it('creates a group: the creator is admin, every member hears `created`, outsiders get 404', async () => {
    const [ada, bea, cy, outsider] = await people(4);
    if (!ada || !bea || !cy || !outsider) throw new Error('users missing');
    const [beaSocket, cySocket] = await Promise.all([connectAs(bea), connectAs(cy)]);

    const group = await createGroupOk(ada, '  Book club  ', [bea, cy, ada]);

    expect(group.name).toBe('Book club');
    expect(group.members).toEqual([
      { id: ada.id, displayName: ada.displayName, role: 'admin' },
      { id: bea.id, displayName: bea.displayName, role: 'member' },
      { id: cy.id, displayName: cy.displayName, role: 'member' },
    ]);
    const [heardByBea, heardByCy] = await Promise.all([
      beaSocket.waitFor(groupEvent('created', group.id)),
      cySocket.waitFor(groupEvent('created', group.id)),
    ]);
    expect(heardByBea).toMatchObject({ group, userIds: [], by: ada.id });
    expect(heardByCy.group).toEqual(group);
    expect(await readGroupOk(cy, group.id)).toEqual(group);
    await expectProblem(await groupCall(outsider, group.id), 404, 'not_found');
    await expectProblem(await groupCall(outsider, crypto.randomUUID()), 404, 'not_found');
    await expectProblem(await groupHistoryCall(outsider, group.id), 404, 'not_found');
    await expectProblem(await postGroupMessage(outsider, group.id, 'let me in'), 404, 'not_found');
  });

  it('refuses unknown people and people who blocked the creator with 400 invalid_members naming them', async () => {
    const [ada, friend, blocker] = await people(3);
    if (!ada || !friend || !blocker) throw new Error('users missing');
    const blocked = await call(`/chat/blocks/${ada.id}`, {
      method: 'POST',
      headers: bearer(blocker.accessToken),
    });
    expect(blocked.status).toBe(204);
    const unknown = crypto.randomUUID();

    const problem = await expectProblem(
      await createGroupCall(ada, 'Team', [friend.id, blocker.id, unknown]),
      400,
      'invalid_members',
    );

    expect(problem.userIds?.sort()).toEqual([blocker.id, unknown].sort());
    await expectProblem(await createGroupCall(ada, '   ', [friend.id]), 400, 'validation_failed');
    await expectProblem(await createGroupCall(ada, 'x'.repeat(101), [friend.id]), 400, 'validation_failed');
    await expectProblem(await createGroupCall(ada, 'Team', ['not-a-uuid']), 400, 'validation_failed');
    const group = await createGroupOk(ada, 'Team', [friend]);
    await expectProblem(await addMembersCall(ada, group.id, [blocker.id]), 400, 'invalid_members');
  });

  it('delivers a message sent over WS or HTTP to every member socket, two devices of one member included, once per clientMsgId', async () => {
    const [ada, bea, cy] = await people(3);
    if (!ada || !bea || !cy) throw new Error('users missing');
    const group = await createGroupOk(ada, 'Fan-out', [bea, cy]);
    const beaPhone = await anotherDevice(bea);
    const adaPhone = await anotherDevice(ada);
    const [adaSocket, adaPhoneSocket, beaSocket, beaPhoneSocket, cySocket] = await Promise.all([
      connectAs(ada),
      connectAs(adaPhone, 'bearer'),
      connectAs(bea),
      connectAs(beaPhone, 'bearer'),
      connectAs(cy),
    ]);

    const clientMsgId = newClientMsgId();
    const ack = await sendGroupFrame(adaSocket, group.id, 'Hello all 👋', clientMsgId);
    expect(ack).toMatchObject({ clientMsgId, duplicate: false });
    expect(ack.message).toMatchObject({ groupId: group.id, from: ada.id, body: 'Hello all 👋', clientMsgId });
    expect(ack.message).not.toHaveProperty('to');
    const received = await Promise.all(
      [adaPhoneSocket, beaSocket, beaPhoneSocket, cySocket].map((socket) =>
        socket.waitFor(groupMessageWithId(ack.message.id)),
      ),
    );
    for (const pushed of received) expect(pushed.message).toEqual(ack.message);

    adaSocket.send({ action: 'sendMessage', groupId: group.id, body: 'Hello all 👋', clientMsgId });
    const acks = await adaSocket.waitForCount(
      frame('groupAck', (candidate) => candidate.clientMsgId === clientMsgId),
      2,
    );
    expect(acks[1]).toMatchObject({ duplicate: true, message: ack.message });

    const overHttp = await postGroupMessageOk(cy, group.id, 'From HTTP', 'http-once');
    await Promise.all(
      [adaSocket, beaSocket, beaPhoneSocket].map((socket) => socket.waitFor(groupMessageWithId(overHttp.id))),
    );
    expect(await postGroupMessageOk(cy, group.id, 'From HTTP', 'http-once', 200)).toEqual(overHttp);

    const history = await groupHistoryOk(bea, group.id);
    expect(history.messages.map((message) => message.id)).toEqual([overHttp.id, ack.message.id]);
  });

  it('lets only admins rename and add (403 for members) and tells everyone', async () => {
    const [ada, bea, newcomer, other] = await people(4);
    if (!ada || !bea || !newcomer || !other) throw new Error('users missing');
    const group = await createGroupOk(ada, 'Before', [bea]);
    const [beaSocket, newcomerSocket] = await Promise.all([connectAs(bea), connectAs(newcomer)]);

    await expectProblem(await renameCall(bea, group.id, 'Mine now'), 403, 'forbidden');
    await expectProblem(await addMembersCall(bea, group.id, [other.id]), 403, 'forbidden');
    await expectProblem(await removeMemberCall(bea, group.id, ada.id), 403, 'forbidden');
    await expectProblem(await renameCall(other, group.id, 'Outsider'), 404, 'not_found');

    const renamed = await renameCall(ada, group.id, 'After');
    expect(renamed.status).toBe(200);
    expect((await beaSocket.waitFor(groupEvent('renamed', group.id))).group.name).toBe('After');

    const added = await addMembersCall(ada, group.id, [newcomer.id, bea.id]);
    expect(added.status, await added.clone().text()).toBe(200);
    const [toBea, toNewcomer] = await Promise.all([
      beaSocket.waitFor(groupEvent('member_added', group.id)),
      newcomerSocket.waitFor(groupEvent('member_added', group.id)),
    ]);
    expect(toBea).toMatchObject({ userIds: [newcomer.id], by: ada.id });
    expect(toNewcomer.group.members.map((member) => member.id)).toEqual([ada.id, bea.id, newcomer.id]);
  });

  it('cuts a removed member off at once: member_removed names them, then 404 and no more messages', async () => {
    const [ada, bea, cy] = await people(3);
    if (!ada || !bea || !cy) throw new Error('users missing');
    const group = await createGroupOk(ada, 'Shrinking', [bea, cy]);
    const [adaSocket, beaSocket, cySocket] = await Promise.all([
      connectAs(ada),
      connectAs(bea),
      connectAs(cy),
    ]);
    expect((await groupRowsOf(cy)).map((row) => row.group.id)).toContain(group.id);

    const removed = await removeMemberCall(ada, group.id, cy.id);
    expect(removed.status).toBe(204);
    const [toCy, toBea] = await Promise.all([
      cySocket.waitFor(groupEvent('member_removed', group.id)),
      beaSocket.waitFor(groupEvent('member_removed', group.id)),
    ]);
    expect(toCy).toMatchObject({ userIds: [cy.id], by: ada.id });
    expect(toBea.group.members.map((member) => member.id)).toEqual([ada.id, bea.id]);

    const ack = await sendGroupFrame(adaSocket, group.id, 'Cy cannot read this');
    await beaSocket.waitFor(groupMessageWithId(ack.message.id));
    await cySocket.roundTrip();
    expect(cySocket.all('groupMessage')).toEqual([]);
    await expectProblem(await groupCall(cy, group.id), 404, 'not_found');
    await expectProblem(await groupHistoryCall(cy, group.id), 404, 'not_found');
    await expectProblem(await markGroupReadCall(cy, group.id, ack.message.id), 404, 'not_found');
    await expectProblem(await postGroupMessage(cy, group.id, 'still here?'), 404, 'not_found');
    expect((await groupRowsOf(cy)).map((row) => row.group.id)).not.toContain(group.id);
    const clientMsgId = newClientMsgId();
    cySocket.send({ action: 'sendMessage', groupId: group.id, body: 'ws too?', clientMsgId });
    const refused = await cySocket.waitFor(frame('error', (error) => error.clientMsgId === clientMsgId));
    expect(refused.code).toBe('not_found');
  });

  it('promotes the longest-standing member when the last admin leaves', async () => {
    const [ada, bea, cy] = await people(3);
    if (!ada || !bea || !cy) throw new Error('users missing');
    const group = await createGroupOk(ada, 'Succession', [bea, cy]);
    const beaSocket = await connectAs(bea);

    expect((await removeMemberCall(ada, group.id, ada.id)).status).toBe(204);

    const left = await beaSocket.waitFor(groupEvent('member_removed', group.id));
    expect(left).toMatchObject({ userIds: [ada.id], by: ada.id });
    expect(left.group.members).toEqual([
      { id: bea.id, displayName: bea.displayName, role: 'admin' },
      { id: cy.id, displayName: cy.displayName, role: 'member' },
    ]);
    expect((await renameCall(bea, group.id, 'Bea runs it')).status).toBe(200);
  });

  it('shows a re-added member history from the re-join on only', async () => {
    const [ada, bea] = await people(2);
    if (!ada || !bea) throw new Error('users missing');
    const group = await createGroupOk(ada, 'Comings and goings', [bea]);
    const before = await postGroupMessageOk(ada, group.id, 'before');
    expect((await removeMemberCall(bea, group.id, bea.id)).status).toBe(204);
    const whileOut = await postGroupMessageOk(ada, group.id, 'while bea was out');

    expect((await addMembersCall(ada, group.id, [bea.id])).status).toBe(200);
    const [row] = (await groupRowsOf(bea)).filter((candidate) => candidate.group.id === group.id);
    expect(row).toMatchObject({ lastMessage: null, unread: 0 });
    const after = await postGroupMessageOk(ada, group.id, 'after');

    const ids = (await groupHistoryOk(bea, group.id)).messages.map((message) => message.id);
    expect(ids).toEqual([after.id]);
    expect(ids).not.toContain(before.id);
    expect(ids).not.toContain(whileOut.id);
    expect((await groupHistoryOk(ada, group.id)).messages).toHaveLength(3);
  });

  it('pages group history newest first by cursor', async () => {
    const [ada, bea] = await people(2);
    if (!ada || !bea) throw new Error('users missing');
    const group = await createGroupOk(ada, 'Long thread', [bea]);
    const sent: string[] = [];
    for (let n = 1; n <= 5; n++) sent.push((await postGroupMessageOk(ada, group.id, `message ${n}`)).id);

    const first = await groupHistoryOk(bea, group.id, { limit: 2 });
    const second = await groupHistoryOk(bea, group.id, { limit: 2, before: first.nextCursor ?? '' });
    const third = await groupHistoryOk(bea, group.id, { limit: 2, before: second.nextCursor ?? '' });

    expect([first, second, third].flatMap((page) => page.messages.map((message) => message.id))).toEqual(
      [...sent].reverse(),
    );
    expect(third.nextCursor).toBeNull();
    await expectProblem(
      await groupHistoryCall(bea, group.id, { before: 'yesterday' }),
      400,
      'validation_failed',
    );
  });

  it('counts unread per member in contacts; markRead over HTTP or WS lowers it and syncs other devices', async () => {
    const [ada, bea] = await people(2);
    if (!ada || !bea) throw new Error('users missing');
    const group = await createGroupOk(ada, 'Unread', [bea]);
    const sent = [];
    for (let n = 1; n <= 3; n++) sent.push(await postGroupMessageOk(ada, group.id, `news ${n}`));
    const rowOf = async (user: ChatUser) =>
      (await groupRowsOf(user)).find((candidate) => candidate.group.id === group.id);

    expect(await rowOf(bea)).toMatchObject({ unread: 3, lastMessage: sent[2], group: { name: 'Unread' } });
    expect((await rowOf(ada))?.unread).toBe(0);
    expect((await markGroupReadCall(bea, group.id, sent[0]?.id ?? '')).status).toBe(204);
    expect((await rowOf(bea))?.unread).toBe(2);

    const beaPhone = await anotherDevice(bea);
    const [beaSocket, beaPhoneSocket] = await Promise.all([connectAs(bea), connectAs(beaPhone)]);
    beaSocket.send({ action: 'markRead', groupId: group.id, upTo: sent[2]?.id });
    const synced = await beaPhoneSocket.waitFor(frame('groupRead', (read) => read.groupId === group.id));
    expect(synced).toEqual({ type: 'groupRead', groupId: group.id, by: bea.id, upTo: sent[2]?.id });
    expect((await rowOf(bea))?.unread).toBe(0);
  });

  it('relays typing to the other members only', async () => {
    const [ada, bea, cy] = await people(3);
    if (!ada || !bea || !cy) throw new Error('users missing');
    const group = await createGroupOk(ada, 'Typing', [bea, cy]);
    const [adaSocket, beaSocket, cySocket] = await Promise.all([
      connectAs(ada),
      connectAs(bea),
      connectAs(cy),
    ]);

    adaSocket.send({ action: 'typing', groupId: group.id });

    const typing = frame('groupTyping', (pushed) => pushed.groupId === group.id);
    expect(await beaSocket.waitFor(typing)).toEqual({ type: 'groupTyping', groupId: group.id, from: ada.id });
    await cySocket.waitFor(typing);
    await adaSocket.roundTrip();
    expect(adaSocket.all('groupTyping')).toEqual([]);
  });

  it('a member who deletes their account leaves every group aloud: the others hear member_removed at once', async () => {
    const [ada, bea, cy] = await people(3);
    if (!ada || !bea || !cy) throw new Error('users missing');
    const group = await createGroupOk(cy, 'Deleted admin', [ada, bea]);
    const adaSocket = await connectAs(ada);

    const deleted = await call('/me', {
      method: 'DELETE',
      json: { password: cy.account.password },
      headers: bearer(cy.accessToken),
    });

    expect(deleted.status).toBe(204);
    const removed = await adaSocket.waitFor(groupEvent('member_removed', group.id));
    expect(removed).toMatchObject({ userIds: [cy.id], by: cy.id });
    // The admin left, so the longest-standing member took over.
    expect(removed.group.members).toEqual([
      { id: ada.id, displayName: ada.displayName, role: 'admin' },
      { id: bea.id, displayName: bea.displayName, role: 'member' },
    ]);
    expect(await readGroupOk(bea, group.id)).toEqual(removed.group);
  });
});
