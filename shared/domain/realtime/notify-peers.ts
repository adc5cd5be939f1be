import { resolvePair } from '../chat/conversation.js';
import { markRead } from '../chat/mark-read.js';
import { connectionsOf, fanOut } from './fan-out.js';
import type { RealtimeDeps } from './realtime-deps.js';

/** Relays a typing indicator to the peer's sockets; nothing is stored. */
export async function relayTyping(deps: RealtimeDeps, input: { from: string; to: string }): Promise<void> {
  const pair = resolvePair(input.from, input.to, 'to');
  await fanOut(deps, await connectionsOf(deps, [pair.peerId]), { type: 'typing', from: pair.userId });
}

/** Marks the conversation read, then sends the receipt to the peer and to the reader's other devices. */
export async function readUpTo(
  deps: RealtimeDeps,
  input: { userId: string; peerId: string; upTo: string; viaConnectionId?: string },
): Promise<void> {
  const pair = resolvePair(input.userId, input.peerId);
  await markRead(deps, { userId: pair.userId, peerId: pair.peerId, upTo: input.upTo });
  const targets = await connectionsOf(deps, [pair.peerId, pair.userId], input.viaConnectionId);
  await fanOut(deps, targets, { type: 'read', by: pair.userId, peerId: pair.peerId, upTo: input.upTo });
}

/** Tells the user's online contacts that they came online or went offline (best-effort, bounded). */
export async function announcePresence(deps: RealtimeDeps, userId: string, online: boolean): Promise<void> {
  const contacts = await deps.chat.contacts(userId, 100);
  // Offline contacts simply have no live connections: one read per contact, no separate online check.
  const targets = await connectionsOf(
    deps,
    contacts.map((contact) => contact.peerId),
  );
  await fanOut(deps, targets, { type: 'presence', userId, online });
}
