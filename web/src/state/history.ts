import type { ApiClient } from '../api/client.js';
import type { GroupMessagePage, MessagePage } from '../api/types.js';
import type { Conversation } from './conversation.js';
import { compareIds } from './message-id.js';
import { messagesPath, type StoredMessage, type ThreadKey } from './thread.js';

type Page = MessagePage | GroupMessagePage;

const PAGE_SIZE = 30;
const CATCH_UP_PAGE_SIZE = 50;
const CATCH_UP_MAX_PAGES = 20;

function historyPath(key: ThreadKey, limit: number, before?: string): string {
  const query = new URLSearchParams({ limit: String(limit) });
  if (before) query.set('before', before);
  return `${messagesPath(key)}?${query}`;
}

/** Loads the newest page (first open) or the next older one (scrolling up); no-op while one is loading. */
export async function loadPage(
  api: Pick<ApiClient, 'get'>,
  conversation: Conversation,
): Promise<StoredMessage[]> {
  if (conversation.loading || (conversation.loaded && conversation.nextCursor === null)) return [];
  const before = conversation.loaded ? (conversation.nextCursor ?? undefined) : undefined;
  conversation.loading = true;
  conversation.loadError = '';
  try {
    const page = await api.get<Page>(historyPath(conversation.key, PAGE_SIZE, before));
    const fetched: readonly StoredMessage[] = page.messages;
    const added = fetched.filter((message) => conversation.add(message));
    conversation.nextCursor = page.nextCursor;
    conversation.loaded = true;
    return added;
  } catch (error) {
    conversation.loadError = error instanceof Error ? error.message : 'Could not load messages';
    return [];
  } finally {
    conversation.loading = false;
  }
}

/**
 * After a reconnect: pages back from the newest message until the pages meet what is already loaded, so
 * everything sent while the socket was down shows up (once: `add` dedupes by id). Returns the new ones.
 */
export async function catchUp(
  api: Pick<ApiClient, 'get'>,
  conversation: Conversation,
): Promise<StoredMessage[]> {
  const known = conversation.newest()?.id;
  const added: StoredMessage[] = [];
  let before: string | undefined;
  for (let page = 0; page < CATCH_UP_MAX_PAGES; page += 1) {
    const answer = await api.get<Page>(historyPath(conversation.key, CATCH_UP_PAGE_SIZE, before));
    const fetched: readonly StoredMessage[] = answer.messages;
    added.push(...fetched.filter((message) => conversation.add(message)));
    // An empty conversation has no older page to scroll to yet: take the cursor of this first page.
    if (known === undefined) conversation.nextCursor = answer.nextCursor;
    const oldest = answer.messages.at(-1);
    const met = known === undefined || (oldest !== undefined && compareIds(oldest.id, known) <= 0);
    if (met || answer.nextCursor === null) break;
    before = answer.nextCursor;
  }
  return added;
}
