import type { GroupMessage } from '../../contract/wire.js';
import { spendMessageBudget } from '../budget.js';
import { canonicalUserId } from '../chat/conversation.js';
import { checkBody, isClientMsgId } from '../chat/message.js';
import { invalid } from '../chat/validation.js';
import { appendBesideLookups, fanOut } from '../realtime/fan-out.js';
import { settleInOrder } from '../realtime/settle.js';
import type { GroupDeps } from './group-deps.js';
import { checkGroupId } from './group-rules.js';

export interface GroupSendInput {
  /** The authenticated sender, from the connection record or the access token — never from the frame. */
  from: string;
  groupId: string;
  body: string;
  clientMsgId: string;
  /** The socket the message arrived on: it gets the `groupAck`, not a copy. */
  viaConnectionId?: string;
}

const BODY_PROBLEMS = {
  empty: 'Message must not be empty',
  blank: 'Message must not be blank',
  too_long: 'Message must be at most 4000 characters',
  forbidden_characters: 'Message contains control characters',
} as const;

/** Validates a group send (pure, no I/O), so an invalid send spends nothing. */
function groupDraftOf(input: GroupSendInput) {
  const groupId = checkGroupId(input.groupId);
  const problem = checkBody(input.body);
  if (problem) throw invalid('body', BODY_PROBLEMS[problem]);
  if (!isClientMsgId(input.clientMsgId)) {
    throw invalid('clientMsgId', 'clientMsgId must be 1 to 64 characters of A-Z, a-z, 0-9, _ or -');
  }
  return { groupId, from: canonicalUserId(input.from), body: input.body, clientMsgId: input.clientMsgId };
}

/**
 * Sends a group message in two Redis round trips before the first push, whatever the group's size:
 * 1. the sender's message budget (shared with 1:1) beside a read of the member ids, in the same tick as
 *    `authorized` (the WebSocket path's session check and frame limits), so they share a pipeline;
 * 2. the atomic append — which re-checks the sender's membership, stores once per clientMsgId, moves the
 *    sender's read mark and answers the members as of that moment — beside the connection lookups of the
 *    members read in 1. Sockets of anyone the append no longer lists are dropped, so a member removed between
 *    the two round trips receives nothing.
 * Then the ack and the pushes (bounded concurrency, 410s cleaned up), in parallel. Nothing is written per
 * member: unread counts come from the group's sequence and each member's read mark.
 */
export async function deliverGroupMessage(
  deps: GroupDeps,
  input: GroupSendInput,
  authorized: Promise<unknown> = Promise.resolve(),
): Promise<{ message: GroupMessage; duplicate: boolean }> {
  const draft = groupDraftOf(input);
  const budget = spendMessageBudget(deps.limiter, deps.realtime.messageLimit, draft.from);
  const members = deps.groups.memberIds(draft.groupId);
  await settleInOrder([authorized, budget, members]);

  const listed = await members;
  const { appended, targets, closing } = await appendBesideLookups(
    deps,
    deps.groups.append(draft),
    listed,
    input.viaConnectionId,
  );
  const { message, duplicate, memberIds } = appended;
  // A retried clientMsgId finds its message already stored: counted the first time only.
  if (!duplicate) deps.metrics.count('MessageStored');
  const current = new Set(memberIds);
  const ack = input.viaConnectionId
    ? deps.push.post(input.viaConnectionId, {
        type: 'groupAck',
        clientMsgId: message.clientMsgId,
        message,
        duplicate,
      })
    : Promise.resolve();
  const stillMembers = targets.filter((record) => current.has(record.userId));
  await settleInOrder([ack, fanOut(deps, stillMembers, { type: 'groupMessage', message }), closing]);
  return { message, duplicate };
}
