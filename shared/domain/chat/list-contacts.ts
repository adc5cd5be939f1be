import { canonicalUserId, isUserId } from './conversation.js';
import type { ChatDeps, Contact } from './ports.js';
import { clampLimit, invalid } from './validation.js';

const DEFAULT_CONTACTS = 100;
const MAX_CONTACTS = 200;

/**
 * The caller's conversations, most recent first, each with its last message and how many of the peer's
 * messages are unread. The HTTP layer joins profiles and presence.
 */
export async function listContacts(
  deps: Pick<ChatDeps, 'chat'>,
  userId: string,
  options: { limit?: number } = {},
): Promise<Contact[]> {
  if (!isUserId(userId)) throw invalid('userId', 'User id must be a uuid');
  const limit = clampLimit(options.limit, DEFAULT_CONTACTS, MAX_CONTACTS);
  return deps.chat.contacts(canonicalUserId(userId), limit);
}
