import type { ApiClient } from '../api/client.js';
import type {
  AddGroupMembersRequest,
  CreateGroupRequest,
  Group,
  GroupContact,
  GroupMessage,
  GroupResponse,
  RenameGroupRequest,
  ServerFrameOf,
} from '../api/types.js';
import { compareIds } from './message-id.js';

/** One group the user belongs to (or just left, while its view is still open). */
export interface GroupEntry {
  id: string;
  name: string;
  /** Members and roles, once fetched or pushed (`GET /chat/groups/{id}`, `group` frames). */
  group?: Group;
  lastMessage: GroupMessage | null;
  unread: number;
  /** The last message's `sentAt`, or when the user joined: where the group sits among the contacts. */
  lastActivityAt: string;
  /** False once the user left or was removed: off the contact list, no composer. */
  isMember: boolean;
  /** How membership ended, for the notice in place of the composer. */
  endedBy?: 'left' | 'removed';
  /** When it ended (ms): a contact list asked for before then still shows the group, and is out of date. */
  endedAt?: number;
}

const groupPath = (groupId: string): string => `/chat/groups/${encodeURIComponent(groupId)}`;

/**
 * The user's groups as the server has them (`groups` of `GET /chat/contacts`, `/chat/groups/*`, `group`
 * frames): names, members and roles, last messages and unread counts. Remembers every member name it saw,
 * so a message from someone who has since left still shows who wrote it.
 */
export class GroupBook {
  private readonly entries = new Map<string, GroupEntry>();
  private readonly names = new Map<string, string>();

  constructor(private readonly api: Pick<ApiClient, 'get' | 'post' | 'patch' | 'delete'>) {}

  /** Groups the user is in, most recent activity first. */
  list(): GroupEntry[] {
    return [...this.entries.values()]
      .filter((entry) => entry.isMember)
      .sort((a, b) => activityOf(b) - activityOf(a));
  }

  get(groupId: string): GroupEntry | undefined {
    return this.entries.get(groupId);
  }

  /** A member's name as last seen in any group; undefined for someone never seen. */
  memberName(userId: string): string | undefined {
    return this.names.get(userId);
  }

  isAdmin(groupId: string, userId: string): boolean {
    const member = this.entries.get(groupId)?.group?.members.find((m) => m.id === userId);
    return member?.role === 'admin';
  }

  /**
   * Takes the server's list (asked for at `requestedAt`, ms) as the truth for names, last messages and unread
   * counts, and for membership unless the user left after asking.
   */
  apply(contacts: readonly GroupContact[], requestedAt = Number.POSITIVE_INFINITY): void {
    for (const contact of contacts) {
      const known = this.entries.get(contact.group.id);
      if (known?.endedAt !== undefined && known.endedAt > requestedAt) continue;
      const entry = this.entry(contact.group.id, contact.group.name, contact.lastActivityAt);
      entry.name = contact.group.name;
      entry.isMember = true;
      entry.endedBy = undefined;
      entry.endedAt = undefined;
      entry.unread = contact.unread;
      entry.lastActivityAt = contact.lastActivityAt;
      if (contact.lastMessage && isNewer(contact.lastMessage, entry.lastMessage)) {
        entry.lastMessage = contact.lastMessage;
      }
    }
  }

  /** Details from the server (an answer or a frame); `activityAt` moves the group up the list (a join). */
  upsert(group: Group, activityAt?: string): GroupEntry {
    const entry = this.entry(group.id, group.name, activityAt ?? group.createdAt);
    entry.name = group.name;
    entry.group = group;
    if (activityAt && Date.parse(activityAt) > activityOf(entry)) entry.lastActivityAt = activityAt;
    for (const member of group.members) this.names.set(member.id, member.displayName);
    return entry;
  }

  /** The user joined (again): listed, counting from zero. */
  joined(group: Group, at: string): GroupEntry {
    const entry = this.upsert(group, at);
    if (!entry.isMember) {
      entry.isMember = true;
      entry.endedBy = undefined;
      entry.endedAt = undefined;
      entry.unread = 0;
      entry.lastMessage = null;
      entry.lastActivityAt = at;
    }
    return entry;
  }

  /** The user left or was removed: off the list at once. */
  left(groupId: string, how: 'left' | 'removed'): void {
    const entry = this.entries.get(groupId);
    if (!entry) return;
    entry.isMember = false;
    entry.endedBy = how;
    entry.endedAt = Date.now();
    entry.unread = 0;
  }

  /**
   * A `group` frame. `joined` when the user came in (created, or added — again): their history starts afresh,
   * the server shows a member only what was said since their latest join. Being removed (or leaving on
   * another device) takes the group off the list at once.
   */
  applyEvent(frame: ServerFrameOf<'group'>, myId: string, now: string): 'joined' | 'left' | 'changed' {
    const { event, group, userIds, by } = frame;
    const isAboutMe = userIds.includes(myId);
    if (event === 'member_removed' && isAboutMe) {
      this.upsert(group);
      this.left(group.id, by === myId ? 'left' : 'removed');
      return 'left';
    }
    if (event === 'created' || (event === 'member_added' && isAboutMe)) {
      const wasMember = this.entries.get(group.id)?.isMember === true;
      this.joined(group, event === 'created' ? group.createdAt : now);
      if (!wasMember) return 'joined';
    } else {
      this.upsert(group);
    }
    return 'changed';
  }

  /** Records a message as the group's latest; true when the group is unknown (the list needs reloading). */
  noteMessage(message: GroupMessage): boolean {
    const entry = this.entries.get(message.groupId);
    if (!entry?.isMember) return true;
    if (isNewer(message, entry.lastMessage)) {
      entry.lastMessage = message;
      entry.lastActivityAt = message.sentAt;
    }
    return false;
  }

  addUnread(groupId: string): void {
    const entry = this.entries.get(groupId);
    if (entry?.isMember) entry.unread += 1;
  }

  clearUnread(groupId: string): boolean {
    const entry = this.entries.get(groupId);
    if (!entry || entry.unread === 0) return false;
    entry.unread = 0;
    return true;
  }

  /** `GET /chat/groups/{id}`: members and roles. */
  async load(groupId: string): Promise<GroupEntry> {
    const { group } = await this.api.get<GroupResponse>(groupPath(groupId));
    return this.upsert(group);
  }

  /** `POST /chat/groups`: the caller is its admin. */
  async create(name: string, memberIds: string[]): Promise<GroupEntry> {
    const body: CreateGroupRequest = { name, memberIds };
    const { group } = await this.api.post<GroupResponse>('/chat/groups', body);
    return this.joined(group, group.createdAt);
  }

  async rename(groupId: string, name: string): Promise<void> {
    const { group } = await this.api.patch<GroupResponse>(groupPath(groupId), {
      name,
    } satisfies RenameGroupRequest);
    this.upsert(group);
  }

  async addMembers(groupId: string, userIds: string[]): Promise<void> {
    const { group } = await this.api.post<GroupResponse>(`${groupPath(groupId)}/members`, {
      userIds,
    } satisfies AddGroupMembersRequest);
    this.upsert(group);
  }

  /** Removes someone (admins), or the caller themself (leaving). */
  async removeMember(groupId: string, userId: string): Promise<void> {
    await this.api.delete(`${groupPath(groupId)}/members/${encodeURIComponent(userId)}`);
    const group = this.entries.get(groupId)?.group;
    if (group) this.upsert({ ...group, members: group.members.filter((member) => member.id !== userId) });
  }

  private entry(groupId: string, name: string, at: string): GroupEntry {
    let entry = this.entries.get(groupId);
    if (!entry) {
      entry = { id: groupId, name, lastMessage: null, unread: 0, lastActivityAt: at, isMember: true };
      this.entries.set(groupId, entry);
    }
    return entry;
  }
}

/** Milliseconds of the group's latest activity (for ordering beside people). */
export function activityOf(entry: GroupEntry): number {
  const said = entry.lastMessage ? Date.parse(entry.lastMessage.sentAt) : 0;
  return Math.max(Date.parse(entry.lastActivityAt) || 0, said || 0);
}

const isNewer = (message: GroupMessage, than: GroupMessage | null): boolean =>
  than === null || compareIds(message.id, than.id) > 0;
