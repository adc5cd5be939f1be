import type { Contact, GroupContact } from '../../contract/wire.js';
import { contactList } from '../realtime/contact-list.js';
import type { GroupDeps } from './group-deps.js';

/** The contact list's length, people and groups together. */
const MAX_ROWS = 100;
/** Groups read per listing: one summary script per group, all in one round trip. */
const MAX_GROUPS_READ = 500;

const msOf = (iso: string): number => Date.parse(iso);

/**
 * People and groups by recency, the newest `MAX_ROWS` of both together. A group's recency and unread count
 * come from its own slot (the newest entry, its sequence and the caller's read mark), so a send writes
 * nothing per member.
 */
export async function contactsAndGroups(
  deps: GroupDeps,
  userId: string,
): Promise<{ contacts: Contact[]; groups: GroupContact[] }> {
  const [people, summaries] = await Promise.all([
    contactList(deps, userId),
    deps.groups.groupsOf(userId.toLowerCase(), MAX_GROUPS_READ),
  ]);
  const groups: GroupContact[] = summaries.map((summary) => ({
    group: { id: summary.id, name: summary.name },
    lastMessage: summary.lastMessage,
    unread: summary.unread,
    lastActivityAt: new Date(summary.lastActivityMs).toISOString(),
  }));
  const rows = [
    ...people.map((contact) => ({ ms: msOf(contact.lastMessage.sentAt), contact })),
    ...groups.map((group) => ({ ms: msOf(group.lastActivityAt), group })),
  ]
    .sort((a, b) => b.ms - a.ms)
    .slice(0, MAX_ROWS);
  return {
    contacts: rows.flatMap((row) => ('contact' in row ? [row.contact] : [])),
    groups: rows.flatMap((row) => ('group' in row ? [row.group] : [])),
  };
}
