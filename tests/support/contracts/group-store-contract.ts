import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GroupStore } from '../../../shared/domain/groups/ports.js';

/** A GroupStore to hold to the contract, and a way to record that `blocker` has blocked `peer`. */
export interface GroupStoreSubject {
  store: GroupStore;
  block(blocker: string, peer: string): Promise<void>;
  close(): Promise<void>;
}

const users = (count: number): string[] => Array.from({ length: count }, () => randomUUID());

const codeOf = async (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => 'ok',
    (error: { code?: string }) => error.code ?? 'thrown',
  );

/** Group membership, roles, messages, history since join and unread marks, as every GroupStore keeps them. */
export function groupStoreContract(label: string, open: () => Promise<GroupStoreSubject>): void {
  describe(`GroupStore contract: ${label}`, () => {
    let subject: GroupStoreSubject;
    let store: GroupStore;

    beforeAll(async () => {
      subject = await open();
      store = subject.store;
    }, 60_000);

    afterAll(async () => {
      await subject?.close();
    });

    async function newGroup(memberCount: number) {
      const [admin = '', ...members] = users(memberCount + 1);
      const groupId = randomUUID();
      await store.create({ groupId, name: 'Team', creatorId: admin, memberIds: members, atMs: Date.now() });
      return { groupId, admin, members };
    }

    const send = (groupId: string, from: string, clientMsgId: string = randomUUID()) =>
      store.append({ groupId, from, body: `hi ${clientMsgId}`, clientMsgId });

    it('shows a group to its members only, creator first as admin, members in join order', async () => {
      const { groupId, admin, members } = await newGroup(2);
      const group = await store.find(groupId, members[1] ?? '');
      expect(group?.name).toBe('Team');
      expect(group?.members.map((member) => [member.userId, member.role])).toEqual([
        [admin, 'admin'],
        [members[0], 'member'],
        [members[1], 'member'],
      ]);
      expect(await store.find(groupId, randomUUID())).toBeNull();
      expect(await store.find(randomUUID(), admin)).toBeNull();
      expect((await store.memberIds(groupId)).sort()).toEqual([admin, ...members].sort());
    });

    it('lets admins rename and add, refuses members (forbidden) and outsiders (not_found)', async () => {
      const { groupId, admin, members } = await newGroup(1);
      const [newcomer = '', other = ''] = users(2);
      expect((await store.rename(groupId, admin, 'Renamed')).name).toBe('Renamed');
      expect(await codeOf(store.rename(groupId, members[0] ?? '', 'No'))).toBe('forbidden');
      expect(await codeOf(store.rename(groupId, randomUUID(), 'No'))).toBe('not_found');
      const { added, group } = await store.addMembers({
        groupId,
        actorId: admin,
        userIds: [newcomer, members[0] ?? ''],
        maxMembers: 256,
        atMs: Date.now(),
      });
      expect(added).toEqual([newcomer]);
      expect(group.members.at(-1)).toMatchObject({ userId: newcomer, role: 'member' });
      const byMember = store.addMembers({
        groupId,
        actorId: newcomer,
        userIds: [other],
        maxMembers: 256,
        atMs: 0,
      });
      expect(await codeOf(byMember)).toBe('forbidden');
      const pastCap = store.addMembers({ groupId, actorId: admin, userIds: [other], maxMembers: 3, atMs: 0 });
      expect(await codeOf(pastCap)).toBe('validation_failed');
    });

    it('stores a message once per (sender, clientMsgId) and answers the current member ids', async () => {
      const { groupId, admin, members } = await newGroup(2);
      const first = await send(groupId, admin, 'same-id');
      const again = await send(groupId, admin, 'same-id');
      expect(first.duplicate).toBe(false);
      expect(again).toMatchObject({ duplicate: true, message: first.message });
      expect(first.message).toMatchObject({ groupId, from: admin, clientMsgId: 'same-id' });
      expect(first.memberIds.sort()).toEqual([admin, ...members].sort());
      expect(await codeOf(send(groupId, randomUUID()))).toBe('not_found');
      const page = await store.history(groupId, members[0] ?? '', { limit: 10 });
      expect(page.messages).toEqual([first.message]);
    });

    it('pages history newest first by cursor', async () => {
      const { groupId, admin } = await newGroup(1);
      const sent = [];
      for (let i = 0; i < 5; i++) sent.push((await send(groupId, admin)).message);
      const first = await store.history(groupId, admin, { limit: 3 });
      expect(first.messages.map((message) => message.id)).toEqual(
        sent
          .slice(2)
          .reverse()
          .map((m) => m.id),
      );
      expect(first.hasMore).toBe(true);
      const second = await store.history(groupId, admin, { before: first.messages.at(-1)?.id, limit: 3 });
      expect(second.messages.map((message) => message.id)).toEqual(
        sent
          .slice(0, 2)
          .reverse()
          .map((m) => m.id),
      );
      expect(second.hasMore).toBe(false);
    });

    it('cuts a removed member off and shows a re-added one history from the re-join on', async () => {
      const { groupId, admin, members } = await newGroup(1);
      const member = members[0] ?? '';
      const before = await send(groupId, admin);
      await store.removeMember(groupId, admin, member);
      const whileOut = await send(groupId, admin);
      expect(whileOut.memberIds).toEqual([admin]);
      expect(await codeOf(store.history(groupId, member, { limit: 10 }))).toBe('not_found');
      expect(await codeOf(send(groupId, member))).toBe('not_found');
      expect(await codeOf(store.markRead(groupId, member, whileOut.message.id))).toBe('not_found');
      expect((await store.groupsOf(member, 10)).map((row) => row.id)).not.toContain(groupId);

      await store.addMembers({
        groupId,
        actorId: admin,
        userIds: [member],
        maxMembers: 256,
        atMs: Date.now(),
      });
      const [summary] = (await store.groupsOf(member, 10)).filter((row) => row.id === groupId);
      expect(summary).toMatchObject({ lastMessage: null, unread: 0 });
      const after = await send(groupId, admin);
      const page = await store.history(groupId, member, { limit: 10 });
      expect(page.messages.map((message) => message.id)).toEqual([after.message.id]);
      expect(page.messages.map((message) => message.id)).not.toContain(before.message.id);
    });

    it('counts unread from the read mark, moves the sender mark on send, never lowers a mark', async () => {
      const { groupId, admin, members } = await newGroup(1);
      const reader = members[0] ?? '';
      const sent = [];
      for (let i = 0; i < 3; i++) sent.push((await send(groupId, admin)).message);
      const rowOf = async (userId: string) =>
        (await store.groupsOf(userId, 10)).find((row) => row.id === groupId);
      expect(await rowOf(reader)).toMatchObject({ unread: 3, lastMessage: sent[2], name: 'Team' });
      expect((await rowOf(admin))?.unread).toBe(0);
      await store.markRead(groupId, reader, sent[1]?.id ?? '');
      expect((await rowOf(reader))?.unread).toBe(1);
      await store.markRead(groupId, reader, sent[0]?.id ?? '');
      expect((await rowOf(reader))?.unread).toBe(1);
      await send(groupId, reader);
      expect((await rowOf(reader))?.unread).toBe(0);
      expect((await rowOf(admin))?.unread).toBe(1);
    });

    it('lets anyone leave, only admins remove others, and promotes the longest-standing member', async () => {
      const { groupId, admin, members } = await newGroup(2);
      const [older = '', younger = ''] = members;
      expect(await codeOf(store.removeMember(groupId, older, younger))).toBe('forbidden');
      expect(await codeOf(store.removeMember(groupId, randomUUID(), older))).toBe('not_found');
      const { group, deleted } = await store.removeMember(groupId, admin, admin);
      expect(deleted).toBe(false);
      expect(group.members.map((member) => [member.userId, member.role])).toEqual([
        [older, 'admin'],
        [younger, 'member'],
      ]);
      await store.removeMember(groupId, older, younger);
      const last = await store.removeMember(groupId, older, older);
      expect(last.deleted).toBe(true);
      expect(await store.find(groupId, older)).toBeNull();
      expect(await store.memberIds(groupId)).toEqual([]);
    });

    it('tells which people have blocked a user', async () => {
      const [caller = '', blocker = '', friend = ''] = users(3);
      await subject.block(blocker, caller);
      expect(await store.whoBlocked(caller, [blocker, friend])).toEqual([blocker]);
    });
  });
}
