/**
 * Every stable, machine-readable error code with the status and title it answers with, over HTTP
 * (problem+json) and in a refused WebSocket handshake alike. Error frames on an open socket carry the code.
 */
export const ERROR_CATALOGUE = {
  validation_failed: { status: 400, title: 'Bad Request' },
  malformed_json: { status: 400, title: 'Bad Request' },
  // A mailed single-use token (password reset) that is used, expired, superseded or unknown.
  invalid_token: { status: 400, title: 'Bad Request' },
  // Group members that do not exist or have blocked the caller; the problem lists them in `userIds`.
  invalid_members: { status: 400, title: 'Bad Request' },
  unauthenticated: { status: 401, title: 'Unauthorized' },
  invalid_credentials: { status: 401, title: 'Unauthorized' },
  refresh_token_reused: { status: 401, title: 'Unauthorized' },
  csrf_rejected: { status: 403, title: 'Forbidden' },
  forbidden: { status: 403, title: 'Forbidden' },
  blocked: { status: 403, title: 'Forbidden' },
  not_found: { status: 404, title: 'Not Found' },
  email_taken: { status: 409, title: 'Conflict' },
  payload_too_large: { status: 413, title: 'Content Too Large' },
  unsupported_media_type: { status: 415, title: 'Unsupported Media Type' },
  rate_limited: { status: 429, title: 'Too Many Requests' },
  too_many_connections: { status: 429, title: 'Too Many Requests' },
  dependency_unavailable: { status: 503, title: 'Service Unavailable' },
  internal_error: { status: 500, title: 'Internal Server Error' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];

/** The HTTP status an error code answers with. */
export const statusOf = (code: ErrorCode): (typeof ERROR_CATALOGUE)[ErrorCode]['status'] =>
  ERROR_CATALOGUE[code].status;

/** A failure the API reports to the client as problem+json; anything else becomes a generic 500. */
export class AppError extends Error {
  readonly code: ErrorCode;
  /** Seconds the client should wait (429, 503). */
  readonly retryAfterSeconds: number | undefined;
  readonly details: unknown;
  /** The offending user ids (`invalid_members`), shown as the problem's `userIds`. */
  readonly userIds: string[] | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { retryAfterSeconds?: number; details?: unknown; cause?: unknown; userIds?: string[] } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.details = options.details;
    this.userIds = options.userIds;
  }
}

export const isAppError = (error: unknown): error is AppError => error instanceof AppError;

/** A store (Postgres, Redis) could not answer in time; always a fast 503, never a 500. */
export const dependencyUnavailable = (dependency: string, cause?: unknown): AppError =>
  new AppError('dependency_unavailable', `${dependency} is unavailable`, { retryAfterSeconds: 1, cause });

export const unauthenticated = (message = 'Authentication required'): AppError =>
  new AppError('unauthenticated', message);
