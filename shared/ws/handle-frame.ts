import { AppError, isAppError, unauthenticated } from '../domain/errors.js';
import { deliverMessage } from '../domain/realtime/deliver-message.js';
import { readUpTo, relayTyping } from '../domain/realtime/notify-peers.js';
import type { ConnectionRecord } from '../domain/realtime/ports.js';
import type { RealtimeDeps } from '../domain/realtime/realtime-deps.js';
import { type ClientFrame, clientMsgIdOf, parseClientFrame } from './client-frames.js';

type Log = (message: string, details: Record<string, unknown>) => void;

/**
 * The connection's owner, with a live session; a revoked session's socket is closed on its next frame.
 * Frames are counted per socket and per user (all their sockets together), each check sharing a round trip.
 */
async function requireLiveConnection(deps: RealtimeDeps, connectionId: string): Promise<ConnectionRecord> {
  const { frameLimit, userFrameLimit, frameWindowSeconds } = deps.realtime;
  const [record, perSocket] = await Promise.all([
    deps.connections.find(connectionId),
    deps.limiter.hit(`ws:${connectionId}`, frameLimit, frameWindowSeconds),
  ]);
  if (!record) throw unauthenticated('Session has ended; reconnect after signing in');
  const [session, perUser] = await Promise.all([
    deps.sessions.findActive(record.userId, record.sessionId),
    deps.limiter.hit(`ws:user:${record.userId}`, userFrameLimit, frameWindowSeconds),
  ]);
  if (!session) throw unauthenticated('Session has ended; reconnect after signing in');
  for (const decision of [perSocket, perUser]) {
    if (!decision.allowed) {
      throw new AppError('rate_limited', 'Too many frames; slow down', {
        retryAfterSeconds: decision.retryAfterSeconds,
      });
    }
  }
  return record;
}

async function dispatch(deps: RealtimeDeps, record: ConnectionRecord, frame: ClientFrame): Promise<void> {
  const reply = (payload: Parameters<RealtimeDeps['push']['post']>[1]) =>
    deps.push.post(record.connectionId, payload);
  switch (frame.action) {
    case 'sendMessage':
      // deliverMessage acks the sending socket itself, alongside the pushes to everyone else.
      await deliverMessage(deps, {
        from: record.userId,
        to: frame.to,
        body: frame.body,
        clientMsgId: frame.clientMsgId,
        viaConnectionId: record.connectionId,
      });
      return;
    case 'typing':
      return relayTyping(deps, { from: record.userId, to: frame.to });
    case 'markRead':
      return readUpTo(deps, { ...frame, userId: record.userId, viaConnectionId: record.connectionId });
    case 'ping':
      await reply({ type: 'pong' });
  }
}

/** The frame's JSON, if it has any, to correlate an error raised before (or while) it was parsed. */
function rawOf(body: string): unknown {
  try {
    return parseClientFrame(body).raw;
  } catch (error) {
    return isAppError(error) ? error.cause : undefined;
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
  let raw: unknown;
  try {
    // Authorise and count first: a malformed frame must neither dodge the per-connection limit nor get
    // replies on a socket whose session has ended.
    const record = await requireLiveConnection(deps, connectionId);
    const parsed = parseClientFrame(body);
    raw = parsed.raw;
    await dispatch(deps, record, parsed.frame);
  } catch (error) {
    const appError = isAppError(error) ? error : new AppError('internal_error', 'Unexpected error');
    if (!isAppError(error)) log('frame failed', { connectionId, error: (error as Error)?.message });
    raw ??= rawOf(body);
    const clientMsgId = clientMsgIdOf(raw);
    await deps.push.post(connectionId, {
      type: 'error',
      code: appError.code,
      detail: appError.message,
      ...(clientMsgId ? { clientMsgId } : {}),
      ...(appError.retryAfterSeconds === undefined ? {} : { retryAfter: appError.retryAfterSeconds }),
    });
    if (appError.code === 'unauthenticated') await deps.push.disconnect(connectionId);
  }
}
