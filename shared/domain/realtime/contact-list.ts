import type { Contact } from '../../contract/wire.js';
import { listContacts } from '../chat/list-contacts.js';
import { closeConnections } from './fan-out.js';
import type { RealtimeDeps } from './realtime-deps.js';

/**
 * Contacts by recency, joined with names from the user directory and with presence (one Redis read per peer
 * for each, sent together; no Postgres). `online` is shown only inside a mutual conversation: the user has
 * messaged the peer and the peer the user.
 */
export async function contactList(deps: RealtimeDeps, userId: string, limit?: number): Promise<Contact[]> {
  const contacts = await listContacts(deps, userId, { limit });
  const peerIds = contacts.map((contact) => contact.peerId);
  const mutualCandidates = contacts.filter((contact) => contact.messaged).map((contact) => contact.peerId);
  const [profiles, online] = await Promise.all([
    deps.directory.findMany(peerIds),
    onlineAmong(deps, userId, mutualCandidates),
  ]);
  const byId = new Map(profiles.map((profile) => [profile.id, profile]));
  return contacts.flatMap((contact) => {
    const profile = byId.get(contact.peerId);
    if (!profile) return [];
    return [
      {
        user: { id: profile.id, displayName: profile.displayName },
        lastMessage: contact.lastMessage,
        unread: contact.unread,
        online: online.has(contact.peerId),
      },
    ];
  });
}

/** The peers (who must have messaged `viewerId`) with at least one socket whose session is alive. */
async function onlineAmong(deps: RealtimeDeps, viewerId: string, peerIds: string[]): Promise<Set<string>> {
  const lookups = await Promise.all(
    peerIds.map((peerId) => deps.connections.lookup(peerId, { visibleTo: viewerId })),
  );
  await closeConnections(
    deps,
    lookups.flatMap((lookup) => lookup.ended),
  );
  return new Set(peerIds.filter((_, index) => (lookups[index]?.live.length ?? 0) > 0));
}
