import type { GroupMessage, GroupRole } from '../../contract/wire.js';
import type { HistoryQuery } from '../chat/ports.js';

/** One member as the store keeps them: the role, and when they (last) joined. */
export interface GroupMemberRecord {
  userId: string;
  role: GroupRole;
  /** Position in join order: the smallest is the longest-standing member. */
  joinOrder: number;
}

/** A group's name and members, members in join order. */
export interface GroupRecord {
  id: string;
  name: string;
  createdAtMs: number;
  members: GroupMemberRecord[];
}

/** `duplicate`: this (sender, clientMsgId) was stored before. `memberIds`: the members right after the append. */
interface GroupAppendResult {
  message: GroupMessage;
  duplicate: boolean;
  memberIds: string[];
}

/** The caller's view of one group for the contact list. */
export interface GroupSummary {
  id: string;
  name: string;
  /** The newest message since the caller's latest join, if any. */
  lastMessage: GroupMessage | null;
  unread: number;
  /** The last message's time, or the caller's join time when nothing was said since. */
  lastActivityMs: number;
}

/** A group history page, newest first; `hasMore` when older messages (since the caller's join) exist. */
interface GroupHistoryPage {
  messages: GroupMessage[];
  hasMore: boolean;
}

/**
 * Group conversations: every key of a group in the group's slot, each user's index of their groups in the
 * user's slot. Methods that act for a caller throw AppError('not_found') when the caller is not a member and
 * AppError('forbidden') when a member lacks the admin role; store failures throw 'dependency_unavailable'.
 */
export interface GroupStore {
  /** Stores a new group: the creator first (admin), then the members; adds it to every member's index. */
  create(input: {
    groupId: string;
    name: string;
    creatorId: string;
    memberIds: string[];
    atMs: number;
  }): Promise<GroupRecord>;
  /** The group as a member sees it, or null for a non-member (or no such group). */
  find(groupId: string, viewerId: string): Promise<GroupRecord | null>;
  /** Admins only. */
  rename(groupId: string, actorId: string, name: string): Promise<GroupRecord>;
  /** Admins only; ids already in the group are skipped; refuses (validation_failed) past `maxMembers`. */
  addMembers(input: {
    groupId: string;
    actorId: string;
    userIds: string[];
    maxMembers: number;
    atMs: number;
  }): Promise<{ group: GroupRecord; added: string[] }>;
  /**
   * Admins remove anyone; anyone removes themself. The last admin leaving promotes the longest-standing
   * member; the last member leaving deletes the group (`deleted`; `group` then has no members).
   */
  removeMember(
    groupId: string,
    actorId: string,
    userId: string,
  ): Promise<{ group: GroupRecord; deleted: boolean }>;
  /** The member ids, unchecked: the send path's first read, confirmed by `append`. */
  memberIds(groupId: string): Promise<string[]>;
  /** Stores once per (sender, clientMsgId) if the sender is a member; the sender's read mark moves to it. */
  append(draft: {
    groupId: string;
    from: string;
    body: string;
    clientMsgId: string;
  }): Promise<GroupAppendResult>;
  /** Messages since the viewer's latest join, newest first. */
  history(groupId: string, viewerId: string, query: HistoryQuery): Promise<GroupHistoryPage>;
  /** Raises (never lowers) the member's read mark to the message `upTo` (or the newest one before it). */
  markRead(groupId: string, userId: string, upTo: string): Promise<void>;
  /** The user's groups, any order (the caller sorts by recency). */
  groupsOf(userId: string, limit: number): Promise<GroupSummary[]>;
  /** Which of `userIds` have blocked `peerId` (read from their own block lists). */
  whoBlocked(peerId: string, userIds: string[]): Promise<string[]>;
}
