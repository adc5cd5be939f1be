import type { MessagePage } from '../../contract/wire.js';
import { resolvePair } from './conversation.js';
import { isMessageId } from './message-id.js';
import type { ChatDeps } from './ports.js';
import { clampLimit, invalid } from './validation.js';

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 100;

export interface ListMessagesInput {
  userId: string;
  peerId: string;
  /** Cursor from a previous page: only messages older than this id. */
  before?: string;
  /** Clamped to 1–100; defaults to 50. */
  limit?: number;
}

/** One page of the caller's conversation with a peer, newest first. Only a participant can name it. */
export async function listMessages(
  deps: Pick<ChatDeps, 'chat'>,
  input: ListMessagesInput,
): Promise<MessagePage> {
  const { conversationId } = resolvePair(input.userId, input.peerId);
  if (input.before !== undefined && !isMessageId(input.before)) {
    throw invalid('before', 'before must be a message id');
  }
  const page = await deps.chat.history(conversationId, {
    before: input.before,
    limit: clampLimit(input.limit, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
  });
  const last = page.messages.at(-1);
  return { messages: page.messages, nextCursor: page.hasMore && last ? last.id : null };
}
