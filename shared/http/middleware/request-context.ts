import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env.js';

/** Request id from API Gateway when present (so logs correlate), echoed as `x-request-id`; no-store by default. */
export const requestContext = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    const requestId = c.env?.event?.requestContext?.requestId ?? crypto.randomUUID();
    c.set('requestId', requestId);
    await next();
    c.header('x-request-id', requestId);
    c.header('x-content-type-options', 'nosniff');
    if (!c.res.headers.has('cache-control')) c.header('cache-control', 'no-store');
  });

/** The TCP peer as API Gateway saw it; X-Forwarded-For is client-controlled and never consulted. */
export const sourceIpOf = (env: AppEnv['Bindings'] | undefined): string =>
  env?.event?.requestContext?.http?.sourceIp ?? 'unknown';
