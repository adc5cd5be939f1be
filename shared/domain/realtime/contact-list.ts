import type { User } from '../auth/ports.js';
import { listContacts } from '../chat/list-contacts.js';
import type { ChatMessage } from '../chat/message.js';
import type { RealtimeDeps } from './realtime-deps.js';

export interface ContactView {
  user: Pick<User, 'id' | 'displayName'>;
  lastMessage: ChatMessage;
  unread: number;
  online: boolean;
}

/** Contacts by recency, joined with profiles (one Postgres query) and presence (one Redis read per peer). */
export async function contactList(
  deps: RealtimeDeps,
  userId: string,
  limit?: number,
): Promise<ContactView[]> {
  const contacts = await listContacts(deps, userId, { limit });
  const peerIds = contacts.map((contact) => contact.peerId);
  const [profiles, online] = await Promise.all([
    deps.users.findByIds(peerIds),
    deps.connections.onlineAmong(peerIds),
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
