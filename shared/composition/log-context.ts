import type { Logger } from '@aws-lambda-powertools/logger';
import { summarizeError } from '../http/error-summary.js';
import type { WebSocketEvent, WebSocketResult } from '../ws/websocket-event.js';
import type { Telemetry } from './telemetry.js';

/** The Lambda `context` as Powertools reads it (request id, function name and version, cold start). */
export type LambdaContext = Parameters<Logger['addContext']>[0];

type LogFields = Record<string, string | number>;

/** What an invocation's log lines say about its event and result. */
export interface InvocationView<Event, Result> {
  /** Keys on every line of the invocation: the API Gateway request id (and connection id for WebSockets). */
  keys(event: Event): LogFields;
  /** The one summary line's fields (status, method or route key); never bodies, tokens or query strings. */
  summary(event: Event, result: Result): LogFields;
}

const presentOnly = (fields: Record<string, string | number | undefined>): LogFields =>
  Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as LogFields;

/** The slice of an HTTP API (payload 2.0) event and result the log reads. */
interface HttpEvent {
  requestContext?: { requestId?: string; http?: { method?: string } };
}

// Any event hono/aws-lambda accepts; those other than payload 2.0 simply log without these fields.
export const httpView: InvocationView<object, { statusCode?: number }> = {
  keys: (event) => presentOnly({ requestId: (event as HttpEvent).requestContext?.requestId }),
  // The route template comes from the app (shared/http/middleware/request-log-keys.ts); the raw path is not logged.
  summary: (event, result) =>
    presentOnly({ method: (event as HttpEvent).requestContext?.http?.method, status: result.statusCode }),
};

export const webSocketView: InvocationView<WebSocketEvent, WebSocketResult> = {
  keys: ({ requestContext }) =>
    presentOnly({
      requestId: requestContext.requestId,
      connectionId: requestContext.connectionId,
      routeKey: requestContext.routeKey,
    }),
  summary: (_event, result) => ({ status: result.statusCode }),
};

/**
 * Every log line of an invocation carries its Lambda context (absent locally only when a caller passes none)
 * and the gateway's request id; the invocation ends with one info line (status, duration). Its metrics are
 * flushed once at the end, also when it throws, and its keys dropped, so a warm instance never tags the next
 * request with this one's user id.
 */
export const withLogContext =
  <Event, Result>(
    telemetry: Pick<Telemetry, 'logger' | 'metrics'>,
    view: InvocationView<Event, Result>,
    handler: (event: Event, context: LambdaContext) => Promise<Result>,
  ) =>
  async (event: Event, context: LambdaContext): Promise<Result> => {
    const { logger, metrics } = telemetry;
    const startedAt = performance.now();
    const elapsed = () => Math.round(performance.now() - startedAt);
    if (context) logger.addContext(context);
    logger.appendKeys(view.keys(event));
    try {
      const result = await handler(event, context);
      logger.info('request', { ...view.summary(event, result), durationMs: elapsed() });
      return result;
    } catch (error) {
      logger.error('request threw', { durationMs: elapsed(), error: summarizeError(error) });
      throw error;
    } finally {
      metrics.flush();
      logger.resetKeys();
    }
  };
