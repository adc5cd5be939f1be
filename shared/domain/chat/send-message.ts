import { resolvePair } from './conversation.js';
import { type BodyProblem, type ChatMessage, checkBody, isClientMsgId } from './message.js';
import type { ChatDeps, MessageDraft } from './ports.js';
import { invalid } from './validation.js';

export interface SendMessageInput {
  /** The authenticated sender, never a field of the client's frame. */
  from: string;
  to: string;
  body: string;
  clientMsgId: string;
}

export interface SendMessageResult {
  message: ChatMessage;
  /** True when this clientMsgId was already stored: `message` is the original, nothing was added. */
  duplicate: boolean;
}

const BODY_MESSAGES: Record<BodyProblem, string> = {
  empty: 'Message must not be empty',
  blank: 'Message must not be blank',
  too_long: 'Message must be at most 4000 characters',
  forbidden_characters: 'Message contains control characters',
};

/** Validates a send (pure, no I/O) and returns what the store appends, with canonical user ids. */
export function draftOf(input: SendMessageInput): MessageDraft {
  const pair = resolvePair(input.from, input.to, 'to');
  const problem = checkBody(input.body);
  if (problem) throw invalid('body', BODY_MESSAGES[problem]);
  if (!isClientMsgId(input.clientMsgId)) {
    throw invalid('clientMsgId', 'clientMsgId must be 1 to 64 characters of A-Z, a-z, 0-9, _ or -');
  }
  return {
    conversationId: pair.conversationId,
    from: pair.userId,
    to: pair.peerId,
    body: input.body,
    clientMsgId: input.clientMsgId,
  };
}

/**
 * Persists a direct message exactly once per clientMsgId, then updates both users' contacts. A retry after a
 * crash between the two steps returns the original message and completes the contacts update.
 */
export async function sendMessage(
  deps: Pick<ChatDeps, 'chat'>,
  input: SendMessageInput,
): Promise<SendMessageResult> {
  const appended = await deps.chat.append(draftOf(input));
  // Also for duplicates: this step is idempotent and is how a send interrupted after the append converges.
  await deps.chat.recordDelivery(appended.message);
  return appended;
}
