import { createMiddleware } from 'hono/factory';
import { routePath } from 'hono/route';
import type { RequestLog } from '../../domain/request-log.js';
import type { AppEnv } from '../app-env.js';

/**
 * Tags the invocation's log lines with the matched route template (`/chat/conversations/:userId/messages`),
 * never the raw path or query. The summary line (shared/composition/log-context.ts) carries it too.
 */
export const requestLogKeys = (log: RequestLog) =>
  createMiddleware<AppEnv>(async (c, next) => {
    // The last matched route is the handler; before it come the middlewares (`*`, `/chat/*`).
    log.append({ route: routePath(c, -1) });
    await next();
  });
