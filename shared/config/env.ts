import { z } from 'zod';

const duration = (fallbackSeconds: number) => z.coerce.number().int().positive().default(fallbackSeconds);
const csv = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  );
const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(fallback ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1');

/** Every environment variable the backend reads; `.env.example` lists the same keys. */
const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('production'),
  LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']).default('INFO'),
  DATABASE_URL: z.string().url(),
  DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().positive().default(1000),
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
  // 1 on Lambda (one request per environment); `npm start` raises it, as one process serves every request.
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(1),
  REDIS_URL: z.string().url(),
  REDIS_MODE: z.enum(['standalone', 'cluster']).default('standalone'),
  REDIS_KEY_PREFIX: z.string().default(''),
  REDIS_COMMAND_TIMEOUT_MS: z.coerce.number().int().positive().default(500),
  JWT_SIGNING_KEY: z.string().min(1, 'JWT_SIGNING_KEY is required (a private JWK as JSON)'),
  JWT_PREVIOUS_PUBLIC_KEYS: z.string().default('[]'),
  JWT_ISSUER: z.string().min(1).default('serverless-auth-chat'),
  PASSWORD_PEPPER: z.string().min(32, 'PASSWORD_PEPPER must be at least 32 characters'),
  BCRYPT_COST: z.coerce.number().int().min(4).max(15).default(12),
  ACCESS_TOKEN_TTL_SECONDS: duration(15 * 60),
  REFRESH_TOKEN_TTL_SECONDS: duration(30 * 24 * 3600),
  SESSION_ABSOLUTE_TTL_SECONDS: duration(90 * 24 * 3600),
  REFRESH_GRACE_SECONDS: z.coerce.number().int().min(0).max(60).default(10),
  // Failed logins per (account, source IP): slows a guesser without locking the owner out from elsewhere.
  LOGIN_ACCOUNT_IP_LIMIT: z.coerce.number().int().positive().default(10),
  // Account-wide ceiling across every IP (a distributed guesser); much higher than the per-IP bucket.
  LOGIN_ACCOUNT_LIMIT: z.coerce.number().int().positive().default(100),
  LOGIN_IP_LIMIT: z.coerce.number().int().positive().default(100),
  LOGIN_WINDOW_SECONDS: duration(15 * 60),
  REGISTER_IP_LIMIT: z.coerce.number().int().positive().default(30),
  REGISTER_WINDOW_SECONDS: duration(3600),
  COOKIE_SECURE: bool(true),
  ALLOWED_ORIGINS: csv,
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(16 * 1024),
  // Where pushes go: `https://{api-id}.execute-api.{region}.amazonaws.com/{stage}` on AWS, the emulator locally.
  // Unset means no WebSocket API is attached (logout then has no sockets to close).
  WS_MANAGEMENT_ENDPOINT: z.string().url().optional(),
  // Origins allowed to open a WebSocket; empty means ALLOWED_ORIGINS.
  WS_ALLOWED_ORIGINS: csv,
  WS_TICKET_TTL_SECONDS: z.coerce.number().int().min(5).max(300).default(30),
  // API Gateway closes every socket after 2 h; records live a little longer, then expire on their own.
  WS_CONNECTION_TTL_SECONDS: duration(2 * 3600 + 300),
  WS_FRAME_LIMIT: z.coerce.number().int().positive().default(30),
  // Frames per user across all their sockets, in the same window.
  WS_USER_FRAME_LIMIT: z.coerce.number().int().positive().default(100),
  WS_FRAME_WINDOW_SECONDS: duration(10),
  // Open sockets per user; a handshake beyond it is refused with 429 (close a tab or wait for one to drop).
  WS_MAX_CONNECTIONS_PER_USER: z.coerce.number().int().positive().default(10),
  // Handshakes per user (after authentication; API Gateway's stage throttle bounds anonymous floods).
  WS_CONNECT_LIMIT: z.coerce.number().int().positive().default(30),
  WS_CONNECT_WINDOW_SECONDS: duration(60),
  // One message budget per user, shared by HTTP sends and WebSocket sendMessage.
  MESSAGE_LIMIT: z.coerce.number().int().positive().default(60),
  MESSAGE_WINDOW_SECONDS: duration(60),
  // People search and WebSocket ticket issue, per user.
  SEARCH_LIMIT: z.coerce.number().int().positive().default(30),
  SEARCH_WINDOW_SECONDS: duration(60),
  TICKET_LIMIT: z.coerce.number().int().positive().default(30),
  TICKET_WINDOW_SECONDS: duration(60),
  AWS_REGION: z.string().default('us-east-1'),
  // Set on AWS (stacks/secrets.ts): requests carrying it in `x-origin-verify` came through the Router, whose
  // `x-viewer-address` is then the client IP for the per-IP limits. Unset: the gateway source IP, always.
  ORIGIN_VERIFY_SECRET: z.string().min(32, 'ORIGIN_VERIFY_SECRET must be at least 32 characters').optional(),
});

export type Env = z.infer<typeof EnvSchema>;

/** Parses the environment once; throws one readable error listing every bad key (fail fast at cold start). */
export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return parsed.data;
}
