import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { AppError, ERROR_CATALOGUE, isAppError } from '../domain/errors.js';
import type { AppEnv } from './app-env.js';

/** Renders an AppError as RFC 9457 problem+json with the request id and any Retry-After. */
export function problemResponse(c: Context<AppEnv>, error: AppError): Response {
  const { status, title } = ERROR_CATALOGUE[error.code];
  const body = {
    type: `/problems/${error.code}`,
    title,
    status,
    code: error.code,
    detail: error.message,
    requestId: c.get('requestId'),
    ...(error.details === undefined ? {} : { errors: error.details }),
    ...(error.userIds === undefined ? {} : { userIds: error.userIds }),
  };
  const headers: Record<string, string> = {
    'content-type': 'application/problem+json',
    'cache-control': 'no-store',
  };
  if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.retryAfterSeconds);
  if (status === 401) headers['www-authenticate'] = 'Bearer';
  return c.body(JSON.stringify(body), status, headers);
}

/** Turns library exceptions into domain errors; unknown errors become a 500 that echoes nothing. */
export function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  if (error instanceof HTTPException) {
    if (error.status === 400) return new AppError('malformed_json', 'Request body is not valid JSON');
    if (error.status === 413) return new AppError('payload_too_large', 'Request body is too large');
    if (error.status === 415)
      return new AppError('unsupported_media_type', 'Request body must be application/json');
  }
  return new AppError('internal_error', 'Unexpected error', { cause: error });
}
