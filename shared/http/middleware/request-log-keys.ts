import { createMiddleware } from 'hono/factory';
import { matchedRoutes } from 'hono/route';
import type { RequestLog } from '../../domain/request-log.js';
import type { AppEnv } from '../app-env.js';

/**
 * Tags the invocation's log lines with the matched route template (`/chat/conversations/:userId/messages`),
 * never the raw path or query; an unmatched request (404) has none. The summary line
 * (shared/composition/log-context.ts) carries it too.
 */
export const requestLogKeys = (log: RequestLog) =>
  createMiddleware<AppEnv>(async (c, next) => {
    // Middlewares (`*`, `/chat/*`) are registered for every method; the handler, for its own. None: a 404.
    const handler = matchedRoutes(c).findLast((route) => route.method !== 'ALL');
    if (handler) log.append({ route: handler.path });
    await next();
  });
