import { createPushGateway, noWebSocketApi } from '../adapters/apigw/push-gateway.js';
import { createBlockStore } from '../adapters/redis/block-store.js';
import { createChatStore } from '../adapters/redis/chat-store.js';
import { createRedis, type RedisClient } from '../adapters/redis/client.js';
import { createConnectionStore } from '../adapters/redis/connection-store.js';
import { createGroupStore } from '../adapters/redis/group-store.js';
import { createRateLimiter } from '../adapters/redis/rate-limiter.js';
import { createSessionStore } from '../adapters/redis/session-store.js';
import { createTicketStore } from '../adapters/redis/ticket-store.js';
import { createUserDirectory } from '../adapters/redis/user-directory.js';
import type { RealtimeEnv } from '../config/realtime-env.js';
import { systemClock } from '../domain/clock.js';
import type { RealtimeDeps, RealtimePolicy } from '../domain/realtime/realtime-deps.js';
import { createTelemetry, type Telemetry } from './telemetry.js';

/** What every family's environment shares with the realtime path (the HTTP env is a superset). */
export type RealtimeSettings = Omit<RealtimeEnv, 'JWT_PUBLIC_KEYS'>;

type Log = (message: string, details: Record<string, unknown>) => void;

const realtimePolicyFrom = (env: RealtimeSettings): RealtimePolicy => ({
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

export const redisFrom = (env: RealtimeSettings): RedisClient =>
  createRedis({
    url: env.REDIS_URL,
    mode: env.REDIS_MODE,
    keyPrefix: env.REDIS_KEY_PREFIX,
    commandTimeoutMs: env.REDIS_COMMAND_TIMEOUT_MS,
  });

/**
 * The realtime ports over one Redis client: what the WebSocket functions run on, and what the HTTP chat
 * routes share with them. Nothing here opens Postgres or holds a key.
 */
export function createRealtimePorts(
  redis: RedisClient,
  env: RealtimeSettings,
  telemetry: Telemetry,
): RealtimeDeps {
  const { logger, metrics, requestLog } = telemetry;
  const warn: Log = (message, details) => logger.warn(message, details);
  return {
    sessions: createSessionStore(redis, env.REDIS_KEY_PREFIX),
    connections: createConnectionStore(redis, systemClock, env.REDIS_KEY_PREFIX),
    tickets: createTicketStore(redis),
    chat: createChatStore(redis, env.REDIS_KEY_PREFIX),
    groups: createGroupStore(redis),
    blocks: createBlockStore(redis),
    directory: createUserDirectory(redis),
    limiter: createRateLimiter(redis),
    push: env.WS_MANAGEMENT_ENDPOINT
      ? createPushGateway({
          endpoint: env.WS_MANAGEMENT_ENDPOINT,
          region: env.AWS_REGION,
          onError: warn,
          metrics,
        })
      : noWebSocketApi,
    clock: systemClock,
    realtime: realtimePolicyFrom(env),
    metrics,
    requestLog,
  };
}

/**
 * A WebSocket function's dependencies, once per cold start (module scope in `functions/ws/`): Redis and the
 * management API only. `$connect` adds a token verifier (functions/ws/connect.ts); the rest never see a token.
 */
export function createRealtimeDeps(env: RealtimeSettings, service: string) {
  const redis = redisFrom(env);
  const telemetry = createTelemetry(service, env);
  const { logger } = telemetry;
  const deps = {
    ...createRealtimePorts(redis, env, telemetry),
    logError: ((message, details) => logger.error(message, details)) as Log,
  };
  return {
    deps,
    logger,
    telemetry,
    redis,
    close: async () => void (await redis.quit().catch(() => undefined)),
  };
}
