import { resolvePair } from '../chat/conversation.js';
import { markRead } from '../chat/mark-read.js';
import { connectionsOf, fanOut } from './fan-out.js';
import type { RealtimeDeps } from './realtime-deps.js';

// Presence, typing and read receipts flow only inside a mutual conversation (both people have sent a message):
// a stranger's unsolicited message, or a block, never lets them watch the recipient's activity.

/** Relays a typing indicator to the peer's sockets when the conversation is mutual; nothing is stored. */
export async function relayTyping(deps: RealtimeDeps, input: { from: string; to: string }): Promise<void> {
  const pair = resolvePair(input.from, input.to, 'to');
  const [messaged, targets] = await Promise.all([
    deps.chat.hasMessaged(pair.userId, pair.peerId),
    connectionsOf(deps, [{ userId: pair.peerId, visibleTo: pair.userId }]),
  ]);
  if (messaged) await fanOut(deps, targets, { type: 'typing', from: pair.userId });
}

/**
 * Marks the conversation read, then tells the reader's other devices and, when the conversation is mutual,
 * the peer.
 */
export async function readUpTo(
  deps: RealtimeDeps,
  input: { userId: string; peerId: string; upTo: string; viaConnectionId?: string },
): Promise<void> {
  const pair = resolvePair(input.userId, input.peerId);
  await markRead(deps, { userId: pair.userId, peerId: pair.peerId, upTo: input.upTo });
  const [messaged, peerSockets, ownSockets] = await Promise.all([
    deps.chat.hasMessaged(pair.userId, pair.peerId),
    connectionsOf(deps, [{ userId: pair.peerId, visibleTo: pair.userId }]),
    connectionsOf(deps, [pair.userId], input.viaConnectionId),
  ]);
  const targets = messaged ? [...peerSockets, ...ownSockets] : ownSockets;
  await fanOut(deps, targets, { type: 'read', by: pair.userId, peerId: pair.peerId, upTo: input.upTo });
}

/** Tells the user's mutual contacts that they came online or went offline (best-effort, bounded). */
export async function announcePresence(deps: RealtimeDeps, userId: string, online: boolean): Promise<void> {
  const peers = await deps.chat.peersMessagedBy(userId, 100);
  // Offline peers simply have no live connections: one read per peer, no separate online check.
  const targets = await connectionsOf(
    deps,
    peers.map((peerId) => ({ userId: peerId, visibleTo: userId })),
  );
  await fanOut(deps, targets, { type: 'presence', userId, online });
}
