import { invalid } from './validation.js';

const USER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Postgres prints uuids in lowercase; canonicalising here keeps one conversation per pair of users. */
export const canonicalUserId = (value: string): string => value.toLowerCase();

/** True for a uuid in any case; ids end up inside Redis keys, so nothing else may pass. */
export const isUserId = (value: string): boolean => USER_ID.test(canonicalUserId(value));

/**
 * The conversation between two users: their canonical uuids in sorted order, so both sides derive the same
 * id without a lookup, and the participants can be read back from it.
 */
export function conversationIdFor(userA: string, userB: string): string {
  if (!isUserId(userA) || !isUserId(userB)) throw invalid('userId', 'User ids must be uuids');
  const [low, high] = [canonicalUserId(userA), canonicalUserId(userB)].sort();
  if (low === high) throw invalid('userId', 'A conversation needs two different users');
  return `${low}_${high}`;
}

/** Validates the caller and the peer of a conversation and returns both canonical ids plus the conversation. */
export function resolvePair(
  userId: string,
  peerId: string,
  peerPath = 'peerId',
): { userId: string; peerId: string; conversationId: string } {
  if (!isUserId(userId)) throw invalid('userId', 'User id must be a uuid');
  if (!isUserId(peerId)) throw invalid(peerPath, 'User id must be a uuid');
  const self = canonicalUserId(userId);
  const peer = canonicalUserId(peerId);
  if (self === peer) throw invalid(peerPath, 'You cannot message yourself');
  return { userId: self, peerId: peer, conversationId: conversationIdFor(self, peer) };
}
