import type { GroupMessage } from '../../shared/contract/wire.js';
import { compareMessageIds, parseMessageId, sentAtOf } from '../../shared/domain/chat/message-id.js';
import { AppError } from '../../shared/domain/errors.js';
import {
  canAddMembers,
  canRemove,
  canRename,
  noSuchGroup,
  successorAfterLeave,
  tooManyMembers,
} from '../../shared/domain/groups/group-rules.js';
import type {
  GroupMemberRecord,
  GroupRecord,
  GroupStore,
  GroupSummary,
} from '../../shared/domain/groups/ports.js';

interface FakeMember extends GroupMemberRecord {
  /** Stream id at join: history starts after it. */
  after: string;
  atMs: number;
  readSeq: number;
}

interface FakeGroup {
  name: string;
  createdAtMs: number;
  joins: number;
  members: Map<string, FakeMember>;
  messages: (GroupMessage & { seq: number })[];
  idempotency: Map<string, string>;
}

/** The group store in memory, held to the same contract as the Redis adapter (group-store-contract.ts). */
export class FakeGroupStore implements GroupStore {
  readonly groups = new Map<string, FakeGroup>();
  /** `${blocker}>${blocked}` */
  readonly blocks = new Set<string>();
  private lastMs = 1_700_000_000_000;

  private nextId(): string {
    this.lastMs += 1;
    return `${this.lastMs}-0`;
  }

  private record(id: string, group: FakeGroup): GroupRecord {
    const members = [...group.members.values()]
      .map(({ userId, role, joinOrder }) => ({ userId, role, joinOrder }))
      .sort((a, b) => a.joinOrder - b.joinOrder);
    return { id, name: group.name, createdAtMs: group.createdAtMs, members };
  }

  private memberOf(groupId: string, userId: string): { group: FakeGroup; member: FakeMember } {
    const group = this.groups.get(groupId);
    const member = group?.members.get(userId);
    if (!group || !member) throw noSuchGroup();
    return { group, member };
  }

  private lastId(group: FakeGroup): string {
    return group.messages.at(-1)?.id ?? '0-0';
  }

  async create(input: {
    groupId: string;
    name: string;
    creatorId: string;
    memberIds: string[];
    atMs: number;
  }) {
    const ids = [input.creatorId, ...input.memberIds];
    const members = new Map<string, FakeMember>();
    ids.forEach((userId, index) => {
      const role = index === 0 ? 'admin' : 'member';
      members.set(userId, { userId, role, joinOrder: index + 1, after: '0-0', atMs: input.atMs, readSeq: 0 });
    });
    const group: FakeGroup = {
      name: input.name,
      createdAtMs: input.atMs,
      joins: ids.length,
      members,
      messages: [],
      idempotency: new Map(),
    };
    this.groups.set(input.groupId, group);
    return this.record(input.groupId, group);
  }

  async find(groupId: string, viewerId: string) {
    const group = this.groups.get(groupId);
    return group?.members.has(viewerId) ? this.record(groupId, group) : null;
  }

  async rename(groupId: string, actorId: string, name: string) {
    const { group, member } = this.memberOf(groupId, actorId);
    if (!canRename(member.role)) throw new AppError('forbidden', 'Only the group admins may do that');
    group.name = name;
    return this.record(groupId, group);
  }

  async addMembers(input: {
    groupId: string;
    actorId: string;
    userIds: string[];
    maxMembers: number;
    atMs: number;
  }) {
    const { group, member } = this.memberOf(input.groupId, input.actorId);
    if (!canAddMembers(member.role)) throw new AppError('forbidden', 'Only the group admins may do that');
    const fresh = [...new Set(input.userIds)].filter((id) => !group.members.has(id));
    if (group.members.size + fresh.length > input.maxMembers) throw tooManyMembers();
    const seq = group.messages.at(-1)?.seq ?? 0;
    for (const userId of fresh) {
      group.joins += 1;
      const after = this.lastId(group);
      group.members.set(userId, {
        userId,
        role: 'member',
        joinOrder: group.joins,
        after,
        atMs: input.atMs,
        readSeq: seq,
      });
    }
    return { group: this.record(input.groupId, group), added: fresh };
  }

  async removeMember(groupId: string, actorId: string, userId: string) {
    const { group, member: actor } = this.memberOf(groupId, actorId);
    if (!canRemove(actor, userId)) throw new AppError('forbidden', 'Only the group admins may do that');
    if (!group.members.delete(userId)) throw noSuchGroup();
    const successor = successorAfterLeave([...group.members.values()]);
    const heir = successor ? group.members.get(successor) : undefined;
    if (heir) heir.role = 'admin';
    const deleted = group.members.size === 0;
    if (deleted) this.groups.delete(groupId);
    return { group: this.record(groupId, group), deleted };
  }

  async memberIds(groupId: string) {
    return [...(this.groups.get(groupId)?.members.keys() ?? [])];
  }

  async append(draft: { groupId: string; from: string; body: string; clientMsgId: string }) {
    const { group, member } = this.memberOf(draft.groupId, draft.from);
    const memberIds = [...group.members.keys()];
    const existing = group.idempotency.get(`${draft.from}:${draft.clientMsgId}`);
    if (existing) {
      const stored = group.messages.find((message) => message.id === existing);
      const message = stored
        ? {
            id: stored.id,
            groupId: stored.groupId,
            from: stored.from,
            body: stored.body,
            sentAt: stored.sentAt,
            clientMsgId: stored.clientMsgId,
          }
        : { ...draft, id: existing, sentAt: sentAtOf(existing) };
      return { message, duplicate: true, memberIds };
    }
    const id = this.nextId();
    const seq = (group.messages.at(-1)?.seq ?? 0) + 1;
    const message: GroupMessage = { id, ...draft, sentAt: sentAtOf(id) };
    group.messages.push({ ...message, seq });
    group.idempotency.set(`${draft.from}:${draft.clientMsgId}`, id);
    member.readSeq = seq;
    return { message, duplicate: false, memberIds };
  }

  async history(groupId: string, viewerId: string, query: { before?: string; limit: number }) {
    const { group, member } = this.memberOf(groupId, viewerId);
    const visible = group.messages
      .filter((message) => compareMessageIds(message.id, member.after) > 0)
      .filter((message) => query.before === undefined || compareMessageIds(message.id, query.before) < 0)
      .reverse()
      .map(({ seq: _seq, ...message }) => message);
    return { messages: visible.slice(0, query.limit), hasMore: visible.length > query.limit };
  }

  async markRead(groupId: string, userId: string, upTo: string) {
    const { group, member } = this.memberOf(groupId, userId);
    const newest = group.messages.filter((message) => compareMessageIds(message.id, upTo) <= 0).at(-1);
    if (newest && newest.seq > member.readSeq) member.readSeq = newest.seq;
  }

  async groupsOf(userId: string, limit: number) {
    const rows: GroupSummary[] = [];
    for (const [id, group] of this.groups) {
      const member = group.members.get(userId);
      if (!member) continue;
      const newest = group.messages.at(-1);
      const visible = newest && compareMessageIds(newest.id, member.after) > 0 ? newest : undefined;
      const lastMessage = visible
        ? {
            id: visible.id,
            groupId: visible.groupId,
            from: visible.from,
            body: visible.body,
            sentAt: visible.sentAt,
            clientMsgId: visible.clientMsgId,
          }
        : null;
      rows.push({
        id,
        name: group.name,
        lastMessage,
        unread: Math.max(0, (newest?.seq ?? 0) - member.readSeq),
        lastActivityMs: lastMessage ? (parseMessageId(lastMessage.id)?.ms ?? member.atMs) : member.atMs,
      });
    }
    return rows.slice(0, limit);
  }

  async whoBlocked(peerId: string, userIds: string[]) {
    return userIds.filter((userId) => this.blocks.has(`${userId}>${peerId}`));
  }
}
