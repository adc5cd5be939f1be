import { createMiddleware } from 'hono/factory';
import { AppError } from '../../domain/errors.js';
import type { AppEnv } from '../app-env.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function isTrustedOrigin(
  origin: string,
  host: string | undefined,
  allowedOrigins: readonly string[],
): boolean {
  if (allowedOrigins.includes(origin)) return true;
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}

/**
 * Rejects cross-site unsafe requests using Fetch Metadata, falling back to Origin (OWASP CSRF CS).
 * Applied to every unsafe request, including login (login CSRF). Clients that send neither header are
 * not browsers, and cannot be driven cross-site by one.
 */
export const csrfGuard = (allowedOrigins: readonly string[]) =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) return next();
    const site = c.req.header('sec-fetch-site');
    const origin = c.req.header('origin');
    if (site === 'same-origin' || site === 'none') return next();
    if (origin !== undefined) {
      if (origin !== 'null' && isTrustedOrigin(origin, c.req.header('host'), allowedOrigins)) return next();
      throw new AppError('csrf_rejected', 'Cross-site request rejected');
    }
    if (site === 'cross-site' || site === 'same-site')
      throw new AppError('csrf_rejected', 'Cross-site request rejected');
    return next();
  });
