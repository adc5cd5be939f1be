import * as z from 'zod/mini';

// zod/mini: the same parser core as zod, without the method-chaining API, so a function that only parses its
// environment does not bundle the whole of zod (≈ 460 KB).

const integer = (message = 'Expected an integer') =>
  z.coerce.number().check(z.refine((value: number) => Number.isInteger(value), message));

/** An integer in [min, max], with a default when unset. */
export const int = (fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER) =>
  z._default(integer().check(z.minimum(min), z.maximum(max)), fallback);

/** A positive number of seconds. */
export const duration = (fallbackSeconds: number) => int(fallbackSeconds);

/** Comma-separated values, trimmed, empty entries dropped. */
const csv = z.pipe(
  z._default(z.string(), ''),
  z.transform((value: string) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  ),
);

export const bool = (fallback: boolean) =>
  z.pipe(
    z._default(z.enum(['true', 'false', '1', '0']), fallback ? 'true' : 'false'),
    z.transform((value: 'true' | 'false' | '1' | '0') => value === 'true' || value === '1'),
  );

const url = () => z.url();

/** Every function: its environment, stage, log level and region. */
export const baseFields = {
  NODE_ENV: z._default(z.enum(['development', 'test', 'production']), 'production'),
  LOG_LEVEL: z._default(z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']), 'INFO'),
  AWS_REGION: z._default(z.string(), 'us-east-1'),
  // The metrics' `stage` dimension (on AWS the SST stage, functions/resource-env.ts); `npm start` is "local".
  STAGE: z._default(z.string().check(z.minLength(1)), 'local'),
};

export const postgresFields = {
  DATABASE_URL: url(),
  DATABASE_CONNECT_TIMEOUT_MS: int(1000),
  DATABASE_STATEMENT_TIMEOUT_MS: int(5000),
  // 1 on Lambda (one request per environment); `npm start` raises it, as one process serves every request.
  DATABASE_POOL_MAX: int(1, 1, 100),
};

export const redisFields = {
  REDIS_URL: url(),
  REDIS_MODE: z._default(z.enum(['standalone', 'cluster']), 'standalone'),
  REDIS_KEY_PREFIX: z._default(z.string(), ''),
  REDIS_COMMAND_TIMEOUT_MS: int(500),
};

/** What verifying an access token needs: never a private key. */
export const tokenVerifyFields = {
  JWT_ISSUER: z._default(z.string().check(z.minLength(1)), 'serverless-auth-chat'),
  ACCESS_TOKEN_TTL_SECONDS: duration(15 * 60),
};

/** Budgets and origins of the realtime path (the HTTP send route shares the message budget). */
export const realtimeFields = {
  ALLOWED_ORIGINS: csv,
  // Where pushes go: `https://{api-id}.execute-api.{region}.amazonaws.com/{stage}` on AWS, the emulator locally.
  // Unset means no WebSocket API is attached (logout then has no sockets to close).
  WS_MANAGEMENT_ENDPOINT: z.optional(url()),
  // Origins allowed to open a WebSocket; empty means ALLOWED_ORIGINS.
  WS_ALLOWED_ORIGINS: csv,
  WS_TICKET_TTL_SECONDS: int(30, 5, 300),
  // API Gateway closes every socket after 2 h; records live a little longer, then expire on their own.
  WS_CONNECTION_TTL_SECONDS: duration(2 * 3600 + 300),
  WS_FRAME_LIMIT: int(30),
  // Frames per user across all their sockets, in the same window.
  WS_USER_FRAME_LIMIT: int(100),
  WS_FRAME_WINDOW_SECONDS: duration(10),
  // Open sockets per user; a handshake beyond it is refused with 429 (close a tab or wait for one to drop).
  WS_MAX_CONNECTIONS_PER_USER: int(10),
  // Handshakes per user (after authentication; API Gateway's stage throttle bounds anonymous floods).
  WS_CONNECT_LIMIT: int(30),
  WS_CONNECT_WINDOW_SECONDS: duration(60),
  // One message budget per user, shared by HTTP sends and WebSocket sendMessage.
  MESSAGE_LIMIT: int(60),
  MESSAGE_WINDOW_SECONDS: duration(60),
  // People search and WebSocket ticket issue, per user.
  SEARCH_LIMIT: int(30),
  SEARCH_WINDOW_SECONDS: duration(60),
  TICKET_LIMIT: int(30),
  TICKET_WINDOW_SECONDS: duration(60),
};

/** Parses once; throws one readable error listing every bad key (fail fast at cold start), never a value. */
export function parseEnv<T extends z.ZodMiniType>(
  schema: T,
  source: Record<string, string | undefined>,
): z.infer<T> {
  const parsed = z.safeParse(schema, source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return parsed.data;
}
