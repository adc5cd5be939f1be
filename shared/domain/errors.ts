/** The catalogue of stable, machine-readable error codes; `shared/http/problem.ts` maps each to a status. */
export const ERROR_CODES = [
  'validation_failed',
  'malformed_json',
  'unauthenticated',
  'invalid_credentials',
  'refresh_token_reused',
  'csrf_rejected',
  'forbidden',
  'blocked',
  'not_found',
  'email_taken',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'too_many_connections',
  'dependency_unavailable',
  'internal_error',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** A failure the API reports to the client as problem+json; anything else becomes a generic 500. */
export class AppError extends Error {
  readonly code: ErrorCode;
  /** Seconds the client should wait (429, 503). */
  readonly retryAfterSeconds: number | undefined;
  readonly details: unknown;

  constructor(
    code: ErrorCode,
    message: string,
    options: { retryAfterSeconds?: number; details?: unknown; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.details = options.details;
  }
}

export const isAppError = (error: unknown): error is AppError => error instanceof AppError;

/** A store (Postgres, Redis) could not answer in time; always a fast 503, never a 500. */
export const dependencyUnavailable = (dependency: string, cause?: unknown): AppError =>
  new AppError('dependency_unavailable', `${dependency} is unavailable`, { retryAfterSeconds: 1, cause });

export const unauthenticated = (message = 'Authentication required'): AppError =>
  new AppError('unauthenticated', message);
