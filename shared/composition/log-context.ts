import type { Logger } from '@aws-lambda-powertools/logger';

/** The Lambda `context` as Powertools reads it (request id, function name and version, cold start). */
export type LambdaContext = Parameters<Logger['addContext']>[0];

/**
 * Every log line of an invocation carries its Lambda context (the request id correlates it with the API
 * Gateway access log). Local runs without a context log as before.
 */
export const withLogContext =
  <Event, Result>(logger: Logger, handler: (event: Event, context: LambdaContext) => Promise<Result>) =>
  (event: Event, context: LambdaContext): Promise<Result> => {
    if (context) logger.addContext(context);
    return handler(event, context);
  };
