import type { GroupRole } from '../../contract/wire.js';
import { canonicalUserId, isUserId } from '../chat/conversation.js';
import { invalid } from '../chat/validation.js';
import { AppError } from '../errors.js';
import { codePointLength, hasForbiddenNameCharacters, hasVisibleCharacter } from '../text.js';
import type { GroupMemberRecord } from './ports.js';

/** Creator included: keeps one message's fan-out (and its pushes) bounded. */
export const MAX_GROUP_MEMBERS = 256;
const MAX_GROUP_NAME = 100;

/** Group ids are random uuids (unguessable); anything else never reaches a Redis key. */
const isGroupId = (value: string): boolean => isUserId(value);

/** A group the caller cannot see: the same answer whether it exists or not (no existence oracle). */
export const noSuchGroup = (): AppError => new AppError('not_found', 'No such group');

export function checkGroupId(groupId: string): string {
  if (!isGroupId(groupId)) throw noSuchGroup();
  return groupId.toLowerCase();
}

/** A group name under the display-name rules: trimmed, NFC, 1–100 characters, something visible. */
export function groupNameOf(raw: string): string {
  const name = raw.trim().normalize('NFC');
  if (name.length === 0 || codePointLength(name) > MAX_GROUP_NAME) {
    throw invalid('name', `Group name must be 1 to ${MAX_GROUP_NAME} characters`);
  }
  if (hasForbiddenNameCharacters(name))
    throw invalid('name', 'Group name contains control or invisible characters');
  if (!hasVisibleCharacter(name)) throw invalid('name', 'Group name needs at least one visible character');
  return name;
}

/** Canonical, de-duplicated user ids without the caller; every one must be a uuid. */
export function userIdsOf(raw: readonly string[], callerId: string, path: string): string[] {
  const caller = canonicalUserId(callerId);
  const ids = new Set<string>();
  raw.forEach((value, index) => {
    if (!isUserId(value)) throw invalid(`${path}.${index}`, 'User id must be a uuid');
    const id = canonicalUserId(value);
    if (id !== caller) ids.add(id);
  });
  return [...ids];
}

/** Ids that do not name a user, or whose owner has blocked the caller: 400 listing them. */
export const invalidMembers = (userIds: string[]): AppError =>
  new AppError('invalid_members', 'Some people cannot be added: they do not exist or have blocked you', {
    userIds,
  });

export const tooManyMembers = (): AppError =>
  invalid('userIds', `A group has at most ${MAX_GROUP_MEMBERS} members`);

export const canRename = (role: GroupRole): boolean => role === 'admin';
export const canAddMembers = (role: GroupRole): boolean => role === 'admin';

/** Admins remove anyone; anyone may remove themself (leave). */
export const canRemove = (actor: { userId: string; role: GroupRole }, targetId: string): boolean =>
  actor.role === 'admin' || actor.userId === targetId;

/**
 * Who becomes admin when the last admin leaves: the longest-standing remaining member (smallest join order);
 * null when an admin remains or nobody does.
 */
export function successorAfterLeave(remaining: readonly GroupMemberRecord[]): string | null {
  if (remaining.length === 0 || remaining.some((member) => member.role === 'admin')) return null;
  const [first] = [...remaining].sort((a, b) => a.joinOrder - b.joinOrder);
  return first?.userId ?? null;
}
