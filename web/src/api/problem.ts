import type { ErrorCode, FieldError } from './types.js';

/** Codes the client gives failures that carry no problem+json: a non-JSON answer, or no answer at all. */
type ClientErrorCode = 'http_error' | 'network_error';

/** A server `code` from the shared catalogue, or one of the client's own. */
export type ApiErrorCode = ErrorCode | ClientErrorCode;

/** An application/problem+json answer (or a network failure, status 0) as a throwable value. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    detail: string,
    readonly fieldErrors: readonly FieldError[] = [],
    readonly retryAfterSeconds?: number,
    /** `invalid_members`: the ids that do not exist or whose owner has blocked the caller. */
    readonly userIds: readonly string[] = [],
  ) {
    super(detail);
    this.name = 'ApiError';
  }

  get isNetwork(): boolean {
    return this.status === 0;
  }

  /** The first message for a field (`errors[].path`), for inline display next to the input. */
  fieldMessage(path: string): string | undefined {
    return this.fieldErrors.find((error) => error.path === path)?.message;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function fieldErrorsOf(value: unknown): FieldError[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) =>
    isRecord(item) && typeof item.path === 'string' && typeof item.message === 'string'
      ? [{ path: item.path, message: item.message }]
      : [],
  );
}

/** Reads a failed response; tolerates bodies that are not problem+json (a gateway's own 5xx, say). */
export async function problemFrom(response: Response): Promise<ApiError> {
  const body: unknown = await response.json().catch(() => null);
  const retryAfter = Number(response.headers.get('retry-after'));
  const retryAfterSeconds = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined;
  if (!isRecord(body)) {
    return new ApiError(
      response.status,
      'http_error',
      `Request failed (${response.status})`,
      [],
      retryAfterSeconds,
    );
  }
  // Trusted like every answer of our own API: the server only sends codes of its catalogue.
  const code = typeof body.code === 'string' ? (body.code as ErrorCode) : 'http_error';
  const detail = typeof body.detail === 'string' ? body.detail : `Request failed (${response.status})`;
  const userIds = Array.isArray(body.userIds)
    ? body.userIds.filter((id): id is string => typeof id === 'string')
    : [];
  return new ApiError(response.status, code, detail, fieldErrorsOf(body.errors), retryAfterSeconds, userIds);
}

/**
 * True when `error` is an ApiError with this `code`. Takes any string so the client can name codes that a
 * newer server sends before they reach the shared catalogue (e.g. `invalid_token`).
 */
export const hasCode = (error: unknown, code: string): error is ApiError =>
  error instanceof ApiError && error.code === code;

/** "Too many attempts. Try again in N s." from a `rate_limited` problem's Retry-After. */
export const rateLimitText = (error: ApiError): string =>
  `Too many attempts.${error.retryAfterSeconds ? ` Try again in ${error.retryAfterSeconds} s.` : ' Try again later.'}`;

/**
 * One line for a failure that belongs to no field: the rate-limit hint, the network message, or the
 * server's own `detail`.
 */
export function describeProblem(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Something went wrong. Please try again.';
  if (error.code === 'rate_limited') return rateLimitText(error);
  return error.message;
}

export const networkError = (): ApiError =>
  new ApiError(0, 'network_error', 'The server cannot be reached. Check your connection.');
