import type { Group } from '../../contract/wire.js';
import { canonicalUserId, isUserId } from '../chat/conversation.js';
import { AppError } from '../errors.js';
import type { GroupDeps } from './group-deps.js';
import { announceGroupChange } from './group-events.js';
import { checkGroupId, MAX_GROUP_MEMBERS, noSuchGroup, userIdsOf } from './group-rules.js';
import { groupView } from './group-view.js';
import { admitMembers } from './manage-group.js';

/**
 * Admins add people (existing accounts that have not blocked the admin); ids already in the group are
 * skipped. Newcomers see history from now on. Every member's sockets hear `member_added`.
 */
export async function addGroupMembers(
  deps: GroupDeps,
  input: { userId: string; groupId: string; userIds: string[] },
): Promise<Group> {
  const groupId = checkGroupId(input.groupId);
  const by = canonicalUserId(input.userId);
  const userIds = userIdsOf(input.userIds, by, 'userIds');
  // The caller's membership and role are checked first, so a non-member learns nothing about the ids.
  const current = await deps.groups.find(groupId, by);
  if (!current) throw noSuchGroup();
  const fresh = userIds.filter((id) => !current.members.some((member) => member.userId === id));
  await admitMembers(deps, by, fresh);
  const { group: record, added } = await deps.groups.addMembers({
    groupId,
    actorId: by,
    userIds: fresh,
    maxMembers: MAX_GROUP_MEMBERS,
    atMs: deps.clock.nowMs(),
  });
  const group = await groupView(deps, record);
  if (added.length > 0) await announceGroupChange(deps, { event: 'member_added', group, userIds: added, by });
  return group;
}

/**
 * Admins remove anyone; anyone removes themself (leave). The removed member stops receiving at once (the send
 * path re-reads membership atomically), gets 404 for the group from now on, and hears `member_removed` on
 * their own sockets along with the remaining members.
 */
export async function removeGroupMember(
  deps: GroupDeps,
  input: { userId: string; groupId: string; memberId: string },
): Promise<void> {
  const groupId = checkGroupId(input.groupId);
  const by = canonicalUserId(input.userId);
  if (!isUserId(input.memberId)) throw noSuchGroup();
  const memberId = canonicalUserId(input.memberId);
  const { group: record } = await deps.groups.removeMember(groupId, by, memberId);
  const group = await groupView(deps, record);
  await announceGroupChange(deps, { event: 'member_removed', group, userIds: [memberId], by });
}

/** Groups left with announcements when an account is deleted; the eraser's own sweep removes any beyond. */
const MAX_GROUPS_LEFT_ALOUD = 500;

/**
 * Account deletion: leaves every group as the user would leave it themself, so the remaining members hear
 * `member_removed` at once (the account eraser then drops whatever is left silently). A group that vanished
 * meanwhile is skipped; a store failure fails the deletion, which is idempotent and can be retried.
 */
export async function leaveEveryGroup(deps: GroupDeps, userId: string): Promise<void> {
  const memberId = canonicalUserId(userId);
  const groups = await deps.groups.groupsOf(memberId, MAX_GROUPS_LEFT_ALOUD);
  const outcomes = await Promise.allSettled(
    groups.map((group) => removeGroupMember(deps, { userId: memberId, groupId: group.id, memberId })),
  );
  const failure = outcomes.find(
    (outcome): outcome is PromiseRejectedResult =>
      outcome.status === 'rejected' &&
      !(outcome.reason instanceof AppError && outcome.reason.code === 'not_found'),
  );
  if (failure) throw failure.reason;
}
