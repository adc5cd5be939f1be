import { resolvePair } from './conversation.js';
import { parseMessageId } from './message-id.js';
import type { ChatDeps } from './ports.js';
import { invalid } from './validation.js';

/** How far a read mark may lie ahead of this server's clock (Redis assigns ids by its own clock). */
const READ_MARK_CLOCK_SKEW_MS = 60_000;

export interface MarkReadInput {
  userId: string;
  peerId: string;
  /** The newest message id the user has seen; it and everything older from the peer becomes read. */
  upTo: string;
}

/**
 * Clears the caller's unread messages from a peer up to `upTo`; later messages stay unread. The mark is
 * remembered, so a retried send of an already-read message never counts as unread again. Ids from the
 * future are refused: such a mark would silently swallow messages not yet sent.
 */
export async function markRead(deps: ChatDeps, input: MarkReadInput): Promise<void> {
  const pair = resolvePair(input.userId, input.peerId);
  const upTo = parseMessageId(input.upTo);
  if (!upTo) throw invalid('upTo', 'upTo must be a message id');
  if (upTo.ms > deps.clock.nowMs() + READ_MARK_CLOCK_SKEW_MS) {
    throw invalid('upTo', 'upTo must be the id of a message already sent');
  }
  await deps.chat.markRead(pair.userId, pair.peerId, input.upTo);
}
