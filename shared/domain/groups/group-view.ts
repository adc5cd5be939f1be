import type { Group } from '../../contract/wire.js';
import type { UserDirectory } from '../chat/ports.js';
import type { GroupRecord } from './ports.js';

/** A stored group as the wire shows it, with each member's display name from the user directory. */
export async function groupView(deps: { directory: UserDirectory }, record: GroupRecord): Promise<Group> {
  const entries = await deps.directory.findMany(record.members.map((member) => member.userId));
  const names = new Map(entries.map((entry) => [entry.id, entry.displayName]));
  return {
    id: record.id,
    name: record.name,
    createdAt: new Date(record.createdAtMs).toISOString(),
    members: record.members.map((member) => ({
      id: member.userId,
      displayName: names.get(member.userId) ?? '',
      role: member.role,
    })),
  };
}
