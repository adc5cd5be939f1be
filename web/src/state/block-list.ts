import type { ApiClient } from '../api/client.js';
import type { BlockedPerson, BlocksResponse, Person } from '../api/types.js';

const blockPath = (peerId: string): string => `/chat/blocks/${encodeURIComponent(peerId)}`;

/**
 * The people the user blocked, as the server has them (`/chat/blocks`). Sends between a blocked pair are
 * refused with `blocked` either way, so the client only needs this to offer Unblock instead of Block.
 */
export class BlockList {
  private readonly entries = new Map<string, BlockedPerson>();

  constructor(private readonly api: Pick<ApiClient, 'get' | 'post' | 'delete'>) {}

  has(peerId: string): boolean {
    return this.entries.has(peerId);
  }

  /** Most recently blocked first. */
  list(): BlockedPerson[] {
    return [...this.entries.values()].sort((a, b) => b.blockedAt.localeCompare(a.blockedAt));
  }

  async load(): Promise<void> {
    const { blocks } = await this.api.get<BlocksResponse>('/chat/blocks');
    this.entries.clear();
    for (const entry of blocks) this.entries.set(entry.user.id, entry);
  }

  async block(person: Person): Promise<void> {
    await this.api.post(blockPath(person.id));
    this.entries.set(person.id, { user: person, blockedAt: new Date().toISOString() });
  }

  async unblock(peerId: string): Promise<void> {
    await this.api.delete(blockPath(peerId));
    this.entries.delete(peerId);
  }
}
