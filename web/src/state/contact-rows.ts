import type { ContactEntry } from './contact-book.js';
import { activityOf, type GroupEntry } from './group-book.js';

/** One row of the contact list: a person or a group, merged by recency. */
export type ContactRow = { kind: 'person'; entry: ContactEntry } | { kind: 'group'; entry: GroupEntry };

/**
 * People (already most recent first) and groups merged by the time of their last activity; a conversation
 * opened from search without messages yet leads. Groups carry no stream id comparable with a direct
 * conversation's, so both are ordered by milliseconds, and the sort is stable: people of the same millisecond
 * keep their id order.
 */
export function mergeContacts(people: readonly ContactEntry[], groups: readonly GroupEntry[]): ContactRow[] {
  const rows: { row: ContactRow; at: number }[] = [
    ...people.map((entry) => ({
      row: { kind: 'person', entry } as const,
      at: entry.lastMessage ? Date.parse(entry.lastMessage.sentAt) : Number.POSITIVE_INFINITY,
    })),
    ...groups.map((entry) => ({ row: { kind: 'group', entry } as const, at: activityOf(entry) })),
  ];
  return rows.sort((a, b) => b.at - a.at).map(({ row }) => row);
}
