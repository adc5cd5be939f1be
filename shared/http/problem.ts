import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError, type ErrorCode, isAppError } from '../domain/errors.js';
import type { AppEnv } from './app-env.js';

/** The one place an error code becomes an HTTP status. */
export const STATUS_BY_CODE: Record<ErrorCode, ContentfulStatusCode> = {
  validation_failed: 400,
  malformed_json: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  refresh_token_reused: 401,
  csrf_rejected: 403,
  forbidden: 403,
  blocked: 403,
  not_found: 404,
  email_taken: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  too_many_connections: 429,
  dependency_unavailable: 503,
  internal_error: 500,
};

const TITLES: Partial<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Renders an AppError as RFC 9457 problem+json with the request id and any Retry-After. */
export function problemResponse(c: Context<AppEnv>, error: AppError): Response {
  const status = STATUS_BY_CODE[error.code];
  const body = {
    type: `/problems/${error.code}`,
    title: TITLES[status] ?? 'Error',
    status,
    code: error.code,
    detail: error.message,
    requestId: c.get('requestId'),
    ...(error.details === undefined ? {} : { errors: error.details }),
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
