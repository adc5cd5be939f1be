import { spendBudget } from '../budget.js';
import { AppError, unauthenticated } from '../errors.js';
import { closeConnections } from './fan-out.js';
import { announcePresence } from './notify-peers.js';
import type { ConnectionRecord } from './ports.js';
import type { ConnectDeps, RealtimeDeps } from './realtime-deps.js';

export interface ConnectRequest {
  connectionId: string;
  origin?: string;
  ticket?: string;
  bearerToken?: string;
}

/** A single-use ticket (browsers) or a Bearer access token (other clients) whose session is still live. */
async function authorize(
  deps: ConnectDeps,
  request: ConnectRequest,
): Promise<{ userId: string; sessionId: string }> {
  if (request.ticket) {
    const grant = await deps.tickets.consume(request.ticket);
    if (grant && (await deps.sessions.findActive(grant.userId, grant.sessionId))) return grant;
    throw unauthenticated('Ticket is invalid, expired or already used');
  }
  if (request.bearerToken) {
    const claims = await deps.tokens.verifyAccess(request.bearerToken);
    if (claims && (await deps.sessions.findActive(claims.userId, claims.sessionId))) {
      return { userId: claims.userId, sessionId: claims.sessionId };
    }
    throw unauthenticated('Access token is invalid or expired');
  }
  throw unauthenticated('A ticket or a Bearer token is required');
}

/**
 * `$connect`: Origin allowlist first (cross-site WebSocket hijacking), then credentials; only then is
 * anything written. Then the user's handshake budget and socket cap (the store checks the cap atomically,
 * counting only sockets whose session is alive). Presence is announced when this is the user's first socket.
 */
export async function openConnection(deps: ConnectDeps, request: ConnectRequest): Promise<ConnectionRecord> {
  if (request.origin !== undefined && !deps.realtime.allowedOrigins.includes(request.origin)) {
    throw new AppError('forbidden', 'Origin not allowed');
  }
  const grant = await authorize(deps, request);
  await spendBudget(
    deps.limiter,
    `ws:connect:${grant.userId}`,
    deps.realtime.connectLimit,
    'Too many connection attempts; slow down',
  );
  const record = { connectionId: request.connectionId, ...grant };
  const { firstForUser } = await deps.connections.add(
    record,
    deps.realtime.connectionTtlSeconds,
    deps.realtime.maxConnectionsPerUser,
  );
  deps.metrics.count('Connect');
  if (firstForUser) await announcePresence(deps, grant.userId, true).catch(() => undefined);
  return record;
}

/**
 * `$disconnect` (best-effort on AWS; TTLs and 410 handling cover the misses). Counted for every socket that
 * closes, also one whose record a logout already removed. Returns the record it found, if any.
 */
export async function closeConnection(
  deps: RealtimeDeps,
  connectionId: string,
): Promise<ConnectionRecord | null> {
  deps.metrics.count('Disconnect');
  const record = await deps.connections.find(connectionId);
  if (!record) return null;
  const { lastForUser } = await deps.connections.remove(record);
  if (lastForUser) await announcePresence(deps, record.userId, false).catch(() => undefined);
  return record;
}

/**
 * Closes the sockets of sessions that have ended (logout, logout-all, session revoke, refresh-token reuse,
 * password change): API Gateway checks auth only at connect, so they must be shut explicitly. Call it after
 * the session is gone: the lookup returns exactly the sockets whose session no longer exists. Their records
 * go here, so the `$disconnect` that follows finds nothing; when no socket is left, presence is announced.
 * `sessionId` is informational: every socket of the user whose session has ended is closed.
 */
export async function closeSessionSockets(
  deps: RealtimeDeps,
  userId: string,
  _sessionId?: string,
): Promise<void> {
  const { live, ended } = await deps.connections.lookup(userId);
  await closeConnections(deps, ended);
  if (ended.length > 0 && live.length === 0) {
    await announcePresence(deps, userId, false).catch(() => undefined);
  }
}
