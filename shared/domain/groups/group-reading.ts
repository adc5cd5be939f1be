import type { GroupMessagePage } from '../../contract/wire.js';
import { canonicalUserId } from '../chat/conversation.js';
import { isMessageId, parseMessageId } from '../chat/message-id.js';
import { clampLimit, invalid } from '../chat/validation.js';
import { connectionsOf, fanOut } from '../realtime/fan-out.js';
import type { GroupDeps } from './group-deps.js';
import { checkGroupId, noSuchGroup } from './group-rules.js';

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 100;
/** How far a read mark may lie ahead of this server's clock (Redis assigns ids by its own clock). */
const READ_MARK_CLOCK_SKEW_MS = 60_000;

/** One page of a group's history since the caller's latest join, newest first; 404 for non-members. */
export async function listGroupMessages(
  deps: GroupDeps,
  input: { userId: string; groupId: string; before?: string; limit?: number },
): Promise<GroupMessagePage> {
  const groupId = checkGroupId(input.groupId);
  if (input.before !== undefined && !isMessageId(input.before)) {
    throw invalid('before', 'before must be a message id');
  }
  const page = await deps.groups.history(groupId, canonicalUserId(input.userId), {
    before: input.before,
    limit: clampLimit(input.limit, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
  });
  const last = page.messages.at(-1);
  return { messages: page.messages, nextCursor: page.hasMore && last ? last.id : null };
}

/**
 * Stores the member's read mark (their unread count drops to what came after `upTo`), then tells their other
 * devices. Other members are not told: group read receipts are not part of the contract.
 */
export async function readGroupUpTo(
  deps: GroupDeps,
  input: { userId: string; groupId: string; upTo: string; viaConnectionId?: string },
): Promise<void> {
  const groupId = checkGroupId(input.groupId);
  const userId = canonicalUserId(input.userId);
  const upTo = parseMessageId(input.upTo);
  if (!upTo) throw invalid('upTo', 'upTo must be a message id');
  if (upTo.ms > deps.clock.nowMs() + READ_MARK_CLOCK_SKEW_MS) {
    throw invalid('upTo', 'upTo must be the id of a message already sent');
  }
  await deps.groups.markRead(groupId, userId, input.upTo);
  const own = await connectionsOf(deps, [userId], input.viaConnectionId);
  await fanOut(deps, own, { type: 'groupRead', groupId, by: userId, upTo: input.upTo });
}

/** Relays a typing indicator to the group's other members; nothing is stored. Non-members get 404. */
export async function relayGroupTyping(
  deps: GroupDeps,
  input: { from: string; groupId: string },
): Promise<void> {
  const groupId = checkGroupId(input.groupId);
  const from = canonicalUserId(input.from);
  const members = await deps.groups.memberIds(groupId);
  if (!members.includes(from)) throw noSuchGroup();
  const targets = await connectionsOf(
    deps,
    members.filter((id) => id !== from),
  );
  await fanOut(deps, targets, { type: 'groupTyping', groupId, from });
}
