import { spendBudget } from '../budget.js';
import { resolvePair } from '../chat/conversation.js';
import type { ChatMessage } from '../chat/message.js';
import { sendMessage } from '../chat/send-message.js';
import { AppError } from '../errors.js';
import { connectionsOf, fanOut } from './fan-out.js';
import type { RealtimeDeps } from './realtime-deps.js';

export interface DeliverInput {
  /** The authenticated sender, from the connection record or the access token — never from the frame. */
  from: string;
  to: string;
  body: string;
  clientMsgId: string;
  /** The socket the message arrived on: it gets the ack (with the server id), not a copy. */
  viaConnectionId?: string;
}

/**
 * One per-user message budget (HTTP and WebSocket alike), then persist (exactly once per clientMsgId), then ack the sending socket and push to every connection of the recipient and the
 * sender's other devices. A retried duplicate is pushed again: clients dedupe by message id, and the
 * retry may follow a crash that happened before the first push.
 */
export async function deliverMessage(
  deps: RealtimeDeps,
  input: DeliverInput,
): Promise<{ message: ChatMessage; duplicate: boolean }> {
  const pair = resolvePair(input.from, input.to, 'to');
  // Budget first: a flood is refused by one Redis counter before it can queue for Postgres connections.
  await spendBudget(
    deps.limiter,
    `msg:${pair.userId}`,
    deps.realtime.messageLimit,
    'Too many messages; slow down',
  );
  if (!(await deps.users.findById(pair.peerId))) throw new AppError('not_found', 'No such user');
  // The connection lookups don't depend on the append, so they share its round trip.
  const [result, targets] = await Promise.all([
    sendMessage(deps, input),
    connectionsOf(deps, [pair.peerId, pair.userId], input.viaConnectionId),
  ]);
  const { message, duplicate } = result;
  await Promise.all([
    fanOut(deps, targets, { type: 'message', message }),
    input.viaConnectionId
      ? deps.push.post(input.viaConnectionId, {
          type: 'ack',
          clientMsgId: message.clientMsgId,
          message,
          duplicate,
        })
      : undefined,
  ]);
  return result;
}
