import { parseBearer } from '../domain/auth/bearer.js';
import { isAppError, statusOf } from '../domain/errors.js';
import { closeConnection, openConnection } from '../domain/realtime/connection-lifecycle.js';
import type { ConnectDeps, RealtimeDeps } from '../domain/realtime/realtime-deps.js';
import { headerOf, type WebSocketEvent, type WebSocketResult } from './websocket-event.js';

type Log = (message: string, details: Record<string, unknown>) => void;

/**
 * `$connect`: the returned status becomes the handshake response (non-200 refuses the upgrade).
 * Query-string tickets are single-use, so one leaking into an access log is already spent.
 */
export async function handleConnect(
  deps: ConnectDeps,
  event: WebSocketEvent,
  log: Log,
): Promise<WebSocketResult> {
  const authorization = headerOf(event, 'authorization');
  try {
    const record = await openConnection(deps, {
      connectionId: event.requestContext.connectionId,
      origin: headerOf(event, 'origin'),
      ticket: event.queryStringParameters?.ticket,
      bearerToken: authorization ? (parseBearer(authorization) ?? '') : undefined,
    });
    deps.requestLog.append({ userId: record.userId, outcome: 'ok' });
    return { statusCode: 200 };
  } catch (error) {
    if (isAppError(error)) {
      deps.requestLog.append({ outcome: error.code });
      return { statusCode: statusOf(error.code), body: JSON.stringify({ code: error.code }) };
    }
    log('connect failed', {
      connectionId: event.requestContext.connectionId,
      error: (error as Error)?.message,
    });
    return { statusCode: 500 };
  }
}

/** `$disconnect`: API Gateway ignores the result; failures are logged, and TTLs clean up the rest. */
export async function handleDisconnect(
  deps: RealtimeDeps,
  event: WebSocketEvent,
  log: Log,
): Promise<WebSocketResult> {
  try {
    const record = await closeConnection(deps, event.requestContext.connectionId);
    if (record) deps.requestLog.append({ userId: record.userId });
  } catch (error) {
    log('disconnect cleanup failed', {
      connectionId: event.requestContext.connectionId,
      error: (error as Error)?.message,
    });
  }
  return { statusCode: 200 };
}
