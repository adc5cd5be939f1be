import { DrizzleQueryError } from 'drizzle-orm/errors';
import { dependencyUnavailable } from '../../domain/errors.js';

interface PgLikeError {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
}

// Class 08 = connection exceptions, 57 = operator intervention (incl. 57014 statement timeout),
// 53 = insufficient resources; node-level socket errors carry errno-style codes.
const UNAVAILABLE_SQLSTATE = /^(08|57|53)/;
const UNAVAILABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);
const UNAVAILABLE_MESSAGES =
  /timeout|terminated|Connection ended|not queryable|Client has encountered a connection error/i;

/** Drizzle wraps driver errors (DrizzleQueryError.cause); walk the chain to the pg error. */
function findPgError(error: unknown): PgLikeError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth += 1) {
    const candidate = current as PgLikeError;
    if (typeof candidate.code === 'string') return candidate;
    current = candidate.cause;
  }
  return typeof error === 'object' && error ? (error as PgLikeError) : undefined;
}

export const isUniqueViolation = (error: unknown): boolean => findPgError(error)?.code === '23505';

/**
 * Messages along the cause chain. pg's connection errors (e.g. "Connection terminated due to connection
 * timeout") carry no code and sit under drizzle's wrapper, whose own message (SQL + params) is skipped.
 */
function chainMessages(error: unknown): string[] {
  const messages: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth += 1) {
    const candidate = current as PgLikeError;
    if (!(current instanceof DrizzleQueryError) && typeof candidate.message === 'string') {
      messages.push(candidate.message);
    }
    current = candidate.cause;
  }
  return messages;
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

/**
 * What leaves this adapter instead of a driver error: our description and the SQLSTATE (or Node errno
 * code). Drizzle's message holds the SQL and its parameters (emails, password hashes) and pg's can quote a
 * value (`invalid input syntax for type uuid: "…"`), so neither travels on to a log line.
 */
export class DatabaseFailure extends Error {
  readonly code: string | undefined;

  constructor(description: string, code: string) {
    const safeCode = SQLSTATE.test(code) || UNAVAILABLE_NODE_CODES.has(code) ? code : undefined;
    super(safeCode ? `${description} (${safeCode})` : description);
    this.name = 'DatabaseFailure';
    this.code = safeCode;
  }
}

/** Maps "Postgres is down or too slow" to a 503 and any other failure to a DatabaseFailure (a 500). */
export function translateDbFailure(error: unknown): never {
  const pgError = findPgError(error);
  const code = typeof pgError?.code === 'string' ? pgError.code : '';
  const unavailableMessage = chainMessages(error).some((message) => UNAVAILABLE_MESSAGES.test(message));
  if (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_NODE_CODES.has(code) || unavailableMessage) {
    throw dependencyUnavailable('Database', new DatabaseFailure('Database unavailable', code));
  }
  throw new DatabaseFailure('Database query failed', code);
}
