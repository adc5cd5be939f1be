import { Logger } from '@aws-lambda-powertools/logger';
import { createPushGateway, noWebSocketApi } from './adapters/apigw/push-gateway.js';
import { createPasswordHasher } from './adapters/crypto/password-hasher.js';
import { loadKeySet } from './adapters/crypto/signing-keys.js';
import { createTokenService } from './adapters/crypto/token-service.js';
import { createDatabase } from './adapters/db/client.js';
import { createUserRepository } from './adapters/db/user-repository.js';
import { createBlockStore } from './adapters/redis/block-store.js';
import { createChatStore } from './adapters/redis/chat-store.js';
import { createRedis } from './adapters/redis/client.js';
import { createConnectionStore } from './adapters/redis/connection-store.js';
import { createRateLimiter } from './adapters/redis/rate-limiter.js';
import { createSessionStore } from './adapters/redis/session-store.js';
import { createTicketStore } from './adapters/redis/ticket-store.js';
import { createUserDirectory } from './adapters/redis/user-directory.js';
import type { Env } from './config/env.js';
import type { AuthPolicy } from './domain/auth/auth-policy.js';
import { systemClock } from './domain/auth/ports.js';
import { closeSessionSockets } from './domain/realtime/connection-lifecycle.js';
import type { RealtimePolicy } from './domain/realtime/realtime-deps.js';
import type { AppDeps } from './http/app-deps.js';

export const policyFrom = (env: Env): AuthPolicy => ({
  accessTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
  refreshTtlSeconds: env.REFRESH_TOKEN_TTL_SECONDS,
  absoluteTtlSeconds: env.SESSION_ABSOLUTE_TTL_SECONDS,
  refreshGraceSeconds: env.REFRESH_GRACE_SECONDS,
  loginAccountIpLimit: env.LOGIN_ACCOUNT_IP_LIMIT,
  loginAccountLimit: env.LOGIN_ACCOUNT_LIMIT,
  loginIpLimit: env.LOGIN_IP_LIMIT,
  loginWindowSeconds: env.LOGIN_WINDOW_SECONDS,
  registerIpLimit: env.REGISTER_IP_LIMIT,
  registerWindowSeconds: env.REGISTER_WINDOW_SECONDS,
});

export const realtimePolicyFrom = (env: Env): RealtimePolicy => ({
  ticketTtlSeconds: env.WS_TICKET_TTL_SECONDS,
  connectionTtlSeconds: env.WS_CONNECTION_TTL_SECONDS,
  frameLimit: env.WS_FRAME_LIMIT,
  userFrameLimit: env.WS_USER_FRAME_LIMIT,
  frameWindowSeconds: env.WS_FRAME_WINDOW_SECONDS,
  maxConnectionsPerUser: env.WS_MAX_CONNECTIONS_PER_USER,
  connectLimit: { limit: env.WS_CONNECT_LIMIT, windowSeconds: env.WS_CONNECT_WINDOW_SECONDS },
  messageLimit: { limit: env.MESSAGE_LIMIT, windowSeconds: env.MESSAGE_WINDOW_SECONDS },
  searchLimit: { limit: env.SEARCH_LIMIT, windowSeconds: env.SEARCH_WINDOW_SECONDS },
  ticketLimit: { limit: env.TICKET_LIMIT, windowSeconds: env.TICKET_WINDOW_SECONDS },
  allowedOrigins: env.WS_ALLOWED_ORIGINS.length > 0 ? env.WS_ALLOWED_ORIGINS : env.ALLOWED_ORIGINS,
});

/** Builds every client once per cold start (module scope in `functions/`), importing keys up front. */
/** `service` labels every log line (one Lambda function each). */
export async function createDeps(env: Env, service = 'http') {
  // Keys first: a bad key must fail the cold start before any connection is opened.
  const keys = await loadKeySet(env.JWT_SIGNING_KEY, env.JWT_PREVIOUS_PUBLIC_KEYS);
  const { db, pool } = createDatabase({
    url: env.DATABASE_URL,
    connectTimeoutMs: env.DATABASE_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
    poolMax: env.DATABASE_POOL_MAX,
  });
  const redis = createRedis({
    url: env.REDIS_URL,
    mode: env.REDIS_MODE,
    keyPrefix: env.REDIS_KEY_PREFIX,
    commandTimeoutMs: env.REDIS_COMMAND_TIMEOUT_MS,
  });
  const logger = new Logger({ serviceName: service, logLevel: env.LOG_LEVEL });
  const deps: AppDeps = {
    users: createUserRepository(db),
    sessions: createSessionStore(redis, env.REDIS_KEY_PREFIX),
    sockets: { close: (userId, sessionId) => closeSessionSockets(deps, userId, sessionId) },
    tokens: createTokenService({
      keys,
      issuer: env.JWT_ISSUER,
      accessTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
      refreshTtlSeconds: env.REFRESH_TOKEN_TTL_SECONDS,
    }),
    passwords: createPasswordHasher({ pepper: env.PASSWORD_PEPPER, cost: env.BCRYPT_COST }),
    limiter: createRateLimiter(redis),
    chat: createChatStore(redis, env.REDIS_KEY_PREFIX),
    connections: createConnectionStore(redis, systemClock, env.REDIS_KEY_PREFIX),
    blocks: createBlockStore(redis),
    directory: createUserDirectory(redis),
    tickets: createTicketStore(redis),
    push: env.WS_MANAGEMENT_ENDPOINT
      ? createPushGateway({
          endpoint: env.WS_MANAGEMENT_ENDPOINT,
          region: env.AWS_REGION,
          onError: (message, details) => logger.warn(message, details),
        })
      : noWebSocketApi,
    realtime: realtimePolicyFrom(env),
    clock: systemClock,
    policy: policyFrom(env),
    publicJwks: keys.publicJwks,
    readiness: {
      postgres: async () => {
        await pool.query('select 1');
      },
      redis: async () => {
        await redis.ping();
      },
    },
    logError: (message, details) => logger.error(message, details),
    http: {
      cookieSecure: env.COOKIE_SECURE,
      allowedOrigins: env.ALLOWED_ORIGINS,
      maxBodyBytes: env.MAX_BODY_BYTES,
      originVerifySecret: env.ORIGIN_VERIFY_SECRET,
      hsts: env.NODE_ENV === 'production' && env.COOKIE_SECURE,
    },
  };
  return {
    deps,
    db,
    pool,
    redis,
    close: async () => void (await Promise.allSettled([pool.end(), redis.quit()])),
  };
}
