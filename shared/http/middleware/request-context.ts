import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env.js';

// One year, subdomains included: deployed stages serve HTTPS only (API Gateway has no plain-HTTP listener).
const HSTS = 'max-age=31536000; includeSubDomains';

/**
 * Request id from API Gateway when present (so logs correlate), echoed as `x-request-id`; no-store by
 * default; HSTS when asked. Outermost, so problem responses from onError get the same headers.
 */
export const requestContext = (options: { hsts?: boolean | undefined } = {}) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const requestId = c.env?.event?.requestContext?.requestId ?? crypto.randomUUID();
    c.set('requestId', requestId);
    await next();
    c.header('x-request-id', requestId);
    c.header('x-content-type-options', 'nosniff');
    if (options.hsts) c.header('strict-transport-security', HSTS);
    if (!c.res.headers.has('cache-control')) c.header('cache-control', 'no-store');
  });

/** The TCP peer as API Gateway saw it; X-Forwarded-For is client-controlled and never consulted. */
export const sourceIpOf = (env: AppEnv['Bindings'] | undefined): string =>
  env?.event?.requestContext?.http?.sourceIp ?? 'unknown';
