import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import { AppError } from '../../domain/errors.js';
import type { AppEnv } from '../app-env.js';

const hasBody = (request: Request): boolean =>
  request.body !== null ||
  request.headers.has('transfer-encoding') ||
  Number(request.headers.get('content-length') ?? '0') > 0;

/**
 * Bodies must be `application/json`: a `text/plain` form can carry JSON cross-site without a preflight,
 * and @hono/zod-openapi skips validation for other types. Bodies over the limit → 413, chunked included.
 */
export const jsonBodyOnly = (maxBytes: number) => {
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new AppError('payload_too_large', `Request body exceeds ${maxBytes} bytes`);
    },
  });
  return createMiddleware<AppEnv>(async (c, next) => {
    if (!hasBody(c.req.raw)) return next();
    const mediaType = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
    if (mediaType !== 'application/json') {
      throw new AppError('unsupported_media_type', 'Request body must be application/json');
    }
    return limit(c, next);
  });
};
