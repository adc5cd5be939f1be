import type { Group, GroupEvent } from '../../contract/wire.js';
import { connectionsOf, fanOut } from '../realtime/fan-out.js';
import type { GroupDeps } from './group-deps.js';

/**
 * Tells every current member's sockets (and, for a removal, the removed member's) what changed. Best-effort
 * like every push: a client that missed it sees the change on its next `GET /chat/groups/{id}` or contacts.
 */
export async function announceGroupChange(
  deps: GroupDeps,
  change: { event: GroupEvent; group: Group; userIds: string[]; by: string },
): Promise<void> {
  const audience = new Set(change.group.members.map((member) => member.id));
  if (change.event === 'member_removed') for (const userId of change.userIds) audience.add(userId);
  const targets = await connectionsOf(deps, [...audience]);
  await fanOut(deps, targets, { type: 'group', ...change });
}
