import type { RequestOrigin } from '../domain/auth/auth-deps.js';
import type { AppDeps } from './app-deps.js';
import type { AppEnv } from './app-env.js';
import { clientIp } from './client-ip.js';
import { sourceIpOf } from './middleware/request-context.js';

/** Where a request came from, for throttles and session records: the gateway's source IP, never a header. */
export const requestOrigin = (
  deps: Pick<AppDeps, 'http'>,
  c: { env: AppEnv['Bindings']; req: { header(name: string): string | undefined } },
): RequestOrigin => ({
  ip: clientIp({
    sourceIp: sourceIpOf(c.env),
    header: (name) => c.req.header(name),
    originVerifySecret: deps.http.originVerifySecret,
  }),
  userAgent: c.req.header('user-agent') ?? '',
});
