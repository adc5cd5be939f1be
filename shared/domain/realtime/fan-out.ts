import type { Clock } from '../auth/ports.js';
import type { ConnectionRecord, ConnectionStore, PushGateway } from './ports.js';
import type { ServerFrame } from './server-frames.js';

export interface FanOutDeps {
  connections: ConnectionStore;
  push: PushGateway;
  clock?: Clock;
}

// A connection is stored inside `$connect`, before API Gateway finishes the upgrade; until then a post to
// it answers 410 too. Covers API Gateway's 29 s integration timeout, so a young 410 is never a vanished one.
export const CONNECT_GRACE_MS = 30_000;

const isStillConnecting = (target: ConnectionRecord, nowMs: number): boolean =>
  target.connectedAtMs !== undefined && nowMs - target.connectedAtMs < CONNECT_GRACE_MS;

/**
 * Pushes one frame to many connections in parallel. A `410 Gone` means the client vanished without a
 * `$disconnect` (best-effort on AWS), so its record is removed here — unless the connection is younger than
 * the `$connect` window. Returns how many were delivered.
 */
export async function fanOut(
  deps: FanOutDeps,
  targets: ConnectionRecord[],
  frame: ServerFrame,
): Promise<number> {
  const outcomes = await Promise.all(
    targets.map(async (target) => {
      const outcome = await deps.push.post(target.connectionId, frame);
      const nowMs = deps.clock?.nowMs() ?? Date.now();
      if (outcome === 'gone' && !isStillConnecting(target, nowMs)) {
        await deps.connections.remove(target).catch(() => undefined);
      }
      return outcome;
    }),
  );
  return outcomes.filter((outcome) => outcome === 'delivered').length;
}

/** Every live connection of these users, except the one the request came in on. */
export async function connectionsOf(
  deps: Pick<FanOutDeps, 'connections'>,
  userIds: string[],
  exceptConnectionId?: string,
): Promise<ConnectionRecord[]> {
  const lists = await Promise.all(
    [...new Set(userIds)].map((userId) => deps.connections.listForUser(userId)),
  );
  return lists.flat().filter((record) => record.connectionId !== exceptConnectionId);
}
