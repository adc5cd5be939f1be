import type { GroupClientFrame, ServerFrameOf } from '../contract/wire.js';
import { AppError, isAppError, unauthenticated } from '../domain/errors.js';
import { readGroupUpTo, relayGroupTyping } from '../domain/groups/group-reading.js';
import { deliverGroupMessage } from '../domain/groups/send-group-message.js';
import { deliverMessage } from '../domain/realtime/deliver-message.js';
import { readUpTo, relayTyping } from '../domain/realtime/notify-peers.js';
import type { ConnectionRecord } from '../domain/realtime/ports.js';
import type { RealtimeDeps } from '../domain/realtime/realtime-deps.js';
import { settleInOrder } from '../domain/realtime/settle.js';
import { type ClientFrame, parseClientFrame } from './client-frames.js';

type Log = (message: string, details: Record<string, unknown>) => void;

/** A failure as an error frame; each optional field is assigned, not spread, so the contract checks its name. */
function errorFrame(error: AppError, clientMsgId: string | undefined): ServerFrameOf<'error'> {
  const frame: ServerFrameOf<'error'> = { type: 'error', code: error.code, detail: error.message };
  if (clientMsgId) frame.clientMsgId = clientMsgId;
  if (error.retryAfterSeconds !== undefined) frame.retryAfter = error.retryAfterSeconds;
  return frame;
}

/**
 * The frame may be acted on: its connection's session is alive and both frame limits (per socket, per user
 * across all their sockets) allow it. All three are started at once, so they share one round trip.
 */
async function authorizeFrame(deps: RealtimeDeps, record: ConnectionRecord): Promise<void> {
  const { frameLimit, userFrameLimit, frameWindowSeconds } = deps.realtime;
  const session = deps.sessions.findActive(record.userId, record.sessionId);
  const perSocket = deps.limiter.hit(`ws:${record.connectionId}`, frameLimit, frameWindowSeconds);
  const perUser = deps.limiter.hit(`ws:user:${record.userId}`, userFrameLimit, frameWindowSeconds);
  await settleInOrder([session, perSocket, perUser]);
  if (!(await session)) throw unauthenticated('Session has ended; reconnect after signing in');
  for (const decision of [await perSocket, await perUser]) {
    if (!decision.allowed) {
      throw new AppError('rate_limited', 'Too many frames; slow down', {
        retryAfterSeconds: decision.retryAfterSeconds,
      });
    }
  }
}

/** The group forms of sendMessage, typing and markRead; a send shares its first round trip like a 1:1 send. */
async function dispatchGroup(
  deps: RealtimeDeps,
  record: ConnectionRecord,
  frame: GroupClientFrame,
  authorized: Promise<void>,
): Promise<void> {
  const { userId, connectionId } = record;
  if (frame.action === 'sendMessage') {
    const { groupId, body, clientMsgId } = frame;
    await deliverGroupMessage(
      deps,
      { from: userId, groupId, body, clientMsgId, viaConnectionId: connectionId },
      authorized,
    );
    return;
  }
  await authorized;
  if (frame.action === 'typing') return relayGroupTyping(deps, { from: userId, groupId: frame.groupId });
  return readGroupUpTo(deps, {
    userId,
    groupId: frame.groupId,
    upTo: frame.upTo,
    viaConnectionId: connectionId,
  });
}

/**
 * Runs the frame once `authorized` settles. A send starts its own reads (message budget, recipient) right
 * away, in the same tick as the authorisation's, so they travel in one pipeline; nothing is written before
 * `authorized` has passed.
 */
async function dispatch(
  deps: RealtimeDeps,
  record: ConnectionRecord,
  frame: ClientFrame,
  authorized: Promise<void>,
): Promise<void> {
  if ('groupId' in frame) return dispatchGroup(deps, record, frame, authorized);
  if (frame.action === 'sendMessage') {
    // deliverMessage acks the sending socket itself, alongside the pushes to everyone else.
    await deliverMessage(
      deps,
      {
        from: record.userId,
        to: frame.to,
        body: frame.body,
        clientMsgId: frame.clientMsgId,
        viaConnectionId: record.connectionId,
      },
      authorized,
    );
    return;
  }
  await authorized;
  switch (frame.action) {
    case 'typing':
      return relayTyping(deps, { from: record.userId, to: frame.to });
    case 'markRead':
      return readUpTo(deps, { ...frame, userId: record.userId, viaConnectionId: record.connectionId });
    case 'ping':
      await deps.push.post(record.connectionId, { type: 'pong' });
  }
}

/**
 * One inbound frame (`$default` route). Every failure becomes an error frame on the same socket; nothing
 * escapes to API Gateway, whose own error frame would carry no code.
 */
export async function handleFrame(
  deps: RealtimeDeps,
  connectionId: string,
  body: string,
  log: Log,
): Promise<void> {
  const parsed = parseClientFrame(body);
  try {
    // The record usually comes from the warm instance's cache (no round trip). Authorise and count before
    // anything else: a malformed frame must neither dodge the frame limits nor get replies on a socket
    // whose session has ended.
    const record = await deps.connections.find(connectionId);
    if (!record) throw unauthenticated('Session has ended; reconnect after signing in');
    deps.requestLog.append({ userId: record.userId });
    const authorized = authorizeFrame(deps, record);
    if (!parsed.ok) {
      await authorized;
      throw parsed.error;
    }
    deps.requestLog.append({ action: parsed.frame.action });
    await dispatch(deps, record, parsed.frame, authorized);
    deps.requestLog.append({ outcome: 'ok' });
  } catch (error) {
    const appError = isAppError(error) ? error : new AppError('internal_error', 'Unexpected error');
    deps.requestLog.append({ outcome: appError.code });
    if (!isAppError(error)) log('frame failed', { connectionId, error: (error as Error)?.message });
    await deps.push.post(connectionId, errorFrame(appError, parsed.clientMsgId));
    if (appError.code === 'unauthenticated') await deps.push.disconnect(connectionId);
  }
}
