import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import { resolvePair } from './conversation.js';
import type { BlockStore, DirectoryEntry, UserDirectory } from './ports.js';

export interface BlockDeps {
  blocks: BlockStore;
  directory: Pick<UserDirectory, 'find' | 'findMany'>;
  clock: Clock;
}

/**
 * Blocks a peer: their sends to the user (and the user's to them) are refused with `blocked`, the
 * conversation leaves the user's contact list and stops being mutual, so the peer gets no presence, typing or
 * read receipts. History is kept; unblocking does not restore the contact until someone writes again.
 */
export async function blockUser(deps: BlockDeps, input: { userId: string; peerId: string }): Promise<void> {
  const pair = resolvePair(input.userId, input.peerId, 'userId');
  if (!(await deps.directory.find(pair.peerId))) throw new AppError('not_found', 'No such user');
  await deps.blocks.block(pair.userId, pair.peerId, pair.conversationId, deps.clock.nowMs());
}

/** Lifts a block; idempotent (unblocking someone who is not blocked is not an error). */
export async function unblockUser(deps: BlockDeps, input: { userId: string; peerId: string }): Promise<void> {
  const pair = resolvePair(input.userId, input.peerId, 'userId');
  await deps.blocks.unblock(pair.userId, pair.peerId, pair.conversationId);
}

export interface BlockedView {
  user: DirectoryEntry;
  blockedAt: Date;
}

/** The user's block list, most recent first, with display names (accounts that no longer exist are skipped). */
export async function listBlocks(deps: BlockDeps, userId: string): Promise<BlockedView[]> {
  const blocked = await deps.blocks.list(userId);
  const profiles = await deps.directory.findMany(blocked.map((entry) => entry.peerId));
  const byId = new Map(profiles.map((profile) => [profile.id, profile]));
  return blocked.flatMap((entry) => {
    const profile = byId.get(entry.peerId);
    return profile
      ? [{ user: { id: profile.id, displayName: profile.displayName }, blockedAt: entry.blockedAt }]
      : [];
  });
}
