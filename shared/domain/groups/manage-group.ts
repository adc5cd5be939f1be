import type { Group } from '../../contract/wire.js';
import { canonicalUserId } from '../chat/conversation.js';
import type { GroupDeps } from './group-deps.js';
import { announceGroupChange } from './group-events.js';
import {
  checkGroupId,
  groupNameOf,
  invalidMembers,
  MAX_GROUP_MEMBERS,
  noSuchGroup,
  tooManyMembers,
  userIdsOf,
} from './group-rules.js';
import { groupView } from './group-view.js';

/**
 * The ids that may join a caller's group: each must name an existing account whose owner has not blocked the
 * caller. Both reads go out together; every offender is named at once (400 `invalid_members`).
 */
export async function admitMembers(deps: GroupDeps, callerId: string, userIds: string[]): Promise<void> {
  const [found, blockers] = await Promise.all([
    deps.directory.findMany(userIds),
    deps.groups.whoBlocked(callerId, userIds),
  ]);
  const existing = new Set(found.filter((entry) => !entry.deleted).map((entry) => entry.id));
  const refused = new Set(blockers);
  const offenders = userIds.filter((id) => !existing.has(id) || refused.has(id));
  if (offenders.length > 0) throw invalidMembers(offenders);
}

/** Creates a group with the caller as its admin, then tells every member's sockets (`created`). */
export async function createGroup(
  deps: GroupDeps,
  input: { userId: string; name: string; memberIds: string[] },
): Promise<Group> {
  const creatorId = canonicalUserId(input.userId);
  const name = groupNameOf(input.name);
  const memberIds = userIdsOf(input.memberIds, creatorId, 'memberIds');
  if (memberIds.length + 1 > MAX_GROUP_MEMBERS) throw tooManyMembers();
  await admitMembers(deps, creatorId, memberIds);
  const record = await deps.groups.create({
    groupId: crypto.randomUUID(),
    name,
    creatorId,
    memberIds,
    atMs: deps.clock.nowMs(),
  });
  const group = await groupView(deps, record);
  await announceGroupChange(deps, { event: 'created', group, userIds: [], by: creatorId });
  return group;
}

/** The group as a member sees it; 404 for anyone else, whether or not it exists. */
export async function readGroup(deps: GroupDeps, input: { userId: string; groupId: string }): Promise<Group> {
  const record = await deps.groups.find(checkGroupId(input.groupId), canonicalUserId(input.userId));
  if (!record) throw noSuchGroup();
  return groupView(deps, record);
}

/** Admins rename; every member's sockets hear `renamed`. */
export async function renameGroup(
  deps: GroupDeps,
  input: { userId: string; groupId: string; name: string },
): Promise<Group> {
  const by = canonicalUserId(input.userId);
  const record = await deps.groups.rename(checkGroupId(input.groupId), by, groupNameOf(input.name));
  const group = await groupView(deps, record);
  await announceGroupChange(deps, { event: 'renamed', group, userIds: [], by });
  return group;
}
