import type { Clock } from '../clock.js';
import type { ConnectionLookup, ConnectionRecord, ConnectionStore, PushGateway } from './ports.js';
import type { ServerFrame } from './server-frames.js';

export interface FanOutDeps {
  connections: ConnectionStore;
  push: PushGateway;
  clock?: Clock;
}

// A connection is stored inside `$connect`, before API Gateway finishes the upgrade; until then a post to
// it answers 410 too. Covers API Gateway's 29 s integration timeout, so a young 410 is never a vanished one.
const CONNECT_GRACE_MS = 30_000;

const isStillConnecting = (target: ConnectionRecord, nowMs: number): boolean =>
  target.connectedAtMs !== undefined && nowMs - target.connectedAtMs < CONNECT_GRACE_MS;

// Pushes in flight at once: a 256-member group's fan-out must not open hundreds of sockets to the
// management API (and queue behind the SDK's own connection limit) from one small Lambda.
const PUSH_CONCURRENCY = 32;

/** Runs `task` over every item, at most `limit` at a time; results in item order. */
async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Pushes one frame to many connections in parallel, at most PUSH_CONCURRENCY at a time. A `410 Gone` means the client vanished without a
 * `$disconnect` (best-effort on AWS), so its record is removed here — unless the connection is younger than
 * the `$connect` window. Returns how many were delivered.
 */
export async function fanOut(
  deps: FanOutDeps,
  targets: ConnectionRecord[],
  frame: ServerFrame,
): Promise<number> {
  const outcomes = await mapBounded(targets, PUSH_CONCURRENCY, async (target) => {
    const outcome = await deps.push.post(target.connectionId, frame);
    const nowMs = deps.clock?.nowMs() ?? Date.now();
    if (outcome === 'gone' && !isStillConnecting(target, nowMs)) {
      await deps.connections.remove(target).catch(() => undefined);
    }
    return outcome;
  });
  return outcomes.filter((outcome) => outcome === 'delivered').length;
}

/** Whose sockets to reach: a user id, or a user whose sockets only count when they have messaged `visibleTo`. */
export type Audience = string | { userId: string; visibleTo: string };

/**
 * Every live connection of these users, except the one the request came in on. Sockets found with an ended
 * session (revoked, expired, reused refresh token) are closed on the way and never returned.
 */
export async function connectionsOf(
  deps: Pick<FanOutDeps, 'connections' | 'push'>,
  audiences: Audience[],
  exceptConnectionId?: string,
): Promise<ConnectionRecord[]> {
  const unique = new Map<string, Audience>();
  for (const audience of audiences) {
    const key = typeof audience === 'string' ? audience : `${audience.userId}|${audience.visibleTo}`;
    unique.set(key, audience);
  }
  const lookups = await Promise.all(
    [...unique.values()].map((audience) =>
      typeof audience === 'string'
        ? deps.connections.lookup(audience)
        : deps.connections.lookup(audience.userId, { visibleTo: audience.visibleTo }),
    ),
  );
  await closeConnections(
    deps,
    lookups.flatMap((lookup) => lookup.ended),
  );
  return lookups
    .flatMap((lookup) => lookup.live)
    .filter((record) => record.connectionId !== exceptConnectionId);
}

/**
 * A send's second round trip: `append`, already issued, beside the connection lookups of `userIds`, in the
 * same tick so they share a pipeline. The lookups have already unlinked the sockets of ended sessions, so those
 * are closed even when the append fails (`closing`); `targets` are the live sockets except the sender's.
 */
export async function appendBesideLookups<T>(
  deps: Pick<FanOutDeps, 'connections' | 'push'>,
  append: Promise<T>,
  userIds: readonly string[],
  exceptConnectionId: string | undefined,
): Promise<{ appended: T; targets: ConnectionRecord[]; closing: Promise<void> }> {
  const [appended, lookups] = await Promise.allSettled([
    append,
    Promise.all(userIds.map((userId) => deps.connections.lookup(userId))),
  ]);
  const found: ConnectionLookup[] = lookups.status === 'fulfilled' ? lookups.value : [];
  const closing = closeConnections(
    deps,
    found.flatMap((lookup) => lookup.ended),
  );
  if (appended.status === 'rejected') {
    await closing;
    throw appended.reason;
  }
  if (lookups.status === 'rejected') throw lookups.reason;
  const targets = found
    .flatMap((lookup) => lookup.live)
    .filter((record) => record.connectionId !== exceptConnectionId);
  return { appended: appended.value, targets, closing };
}

/** Closes sockets already unlinked from their user; best-effort, as API Gateway drops them within 2 h anyway. */
export async function closeConnections(
  deps: Pick<FanOutDeps, 'connections' | 'push'>,
  records: ConnectionRecord[],
): Promise<void> {
  await Promise.all(
    records.map(async (record) => {
      await Promise.allSettled([
        deps.push.disconnect(record.connectionId),
        deps.connections.forget(record.connectionId),
      ]);
    }),
  );
}
