import { spendMessageBudget } from '../budget.js';
import type { ChatMessage } from '../chat/message.js';
import type { MessageDraft } from '../chat/ports.js';
import { draftOf } from '../chat/send-message.js';
import { AppError } from '../errors.js';
import { appendBesideLookups, fanOut } from './fan-out.js';
import type { RealtimeDeps } from './realtime-deps.js';
import { settleInOrder } from './settle.js';

export interface DeliverInput {
  /** The authenticated sender, from the connection record or the access token — never from the frame. */
  from: string;
  to: string;
  body: string;
  clientMsgId: string;
  /** The socket the message arrived on: it gets the ack (with the server id), not a copy. */
  viaConnectionId?: string;
}

/** Validation (no I/O, so an invalid send spends nothing), then the message budget and the recipient's entry. */
async function admit(deps: RealtimeDeps, input: DeliverInput): Promise<MessageDraft> {
  const draft = draftOf(input);
  const budget = spendMessageBudget(deps.limiter, deps.realtime.messageLimit, draft.from);
  const recipient = deps.directory.find(draft.to);
  await settleInOrder([budget, recipient]);
  if (!(await recipient)) throw new AppError('not_found', 'No such user');
  return draft;
}

/**
 * Sends a message in two Redis round trips before the first push, and no Postgres:
 * 1. the per-user message budget and the recipient's directory entry — issued in the same tick as whatever
 *    `authorized` is waiting on (the WebSocket path's session check and frame limits), so they share a pipeline;
 * 2. the atomic append (exactly once per clientMsgId; refuses blocked conversations) beside the connection
 *    lookups of recipient and sender, which return only sockets whose session is alive.
 * Then, in parallel: the pushes to every other socket of both users, closing sockets of ended sessions, and
 * the contacts/unread bookkeeping followed by the sender's ack. The ack waits for the bookkeeping because it
 * tells the client to stop retrying, and the retry (same clientMsgId: a duplicate append, then the idempotent
 * bookkeeping again) is what repairs a crash between the two. A retried duplicate is pushed again: clients
 * dedupe by message id.
 */
export async function deliverMessage(
  deps: RealtimeDeps,
  input: DeliverInput,
  authorized: Promise<unknown> = Promise.resolve(),
): Promise<{ message: ChatMessage; duplicate: boolean }> {
  const admission = admit(deps, input);
  await settleInOrder([authorized, admission]);
  const draft = await admission;
  const { appended, targets, closing } = await appendBesideLookups(
    deps,
    deps.chat.append(draft),
    [draft.to, draft.from],
    input.viaConnectionId,
  );
  const { message, duplicate } = appended;
  // A retried clientMsgId finds its message already stored: counted the first time only.
  if (!duplicate) deps.metrics.count('MessageStored');
  const bookkeepingThenAck = async (): Promise<void> => {
    await deps.chat.recordDelivery(message);
    if (!input.viaConnectionId) return;
    await deps.push.post(input.viaConnectionId, {
      type: 'ack',
      clientMsgId: message.clientMsgId,
      message,
      duplicate,
    });
  };
  await settleInOrder([bookkeepingThenAck(), fanOut(deps, targets, { type: 'message', message }), closing]);
  return { message, duplicate };
}
