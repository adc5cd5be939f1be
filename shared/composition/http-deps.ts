import { setTimeout as sleep } from 'node:timers/promises';
import { createPasswordHasher } from '../adapters/crypto/password-hasher.js';
import { loadKeySet } from '../adapters/crypto/signing-keys.js';
import { createTokenService } from '../adapters/crypto/token-service.js';
import { createLazyPostgres } from '../adapters/db/lazy-postgres.js';
import { createSesMailer } from '../adapters/mail/ses-mailer.js';
import { createAccountEraser } from '../adapters/redis/account-eraser.js';
import { createResetTokenStore } from '../adapters/redis/reset-token-store.js';
import { createSessionStore } from '../adapters/redis/session-store.js';
import { createVerificationTokenStore } from '../adapters/redis/verification-token-store.js';
import { type Env, webUrlOf } from '../config/env.js';
import type { AuthPolicy } from '../domain/auth/auth-deps.js';
import { closeSessionSockets } from '../domain/realtime/connection-lifecycle.js';
import type { AppDeps } from '../http/app-deps.js';
import { createRealtimePorts, redisFrom } from './realtime-deps.js';
import { createTelemetry } from './telemetry.js';

const policyFrom = (env: Env): AuthPolicy => ({
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

/**
 * The HTTP function's dependencies (and `npm start`'s), once per cold start (module scope in `functions/`):
 * Postgres (loaded on first use), Redis, the signing key (imported first, so a bad key fails the cold start before any connection
 * opens) and the realtime ports the chat routes share with the WebSocket functions.
 */
export async function createDeps(env: Env, service = 'http') {
  const keys = await loadKeySet(env.JWT_SIGNING_KEY, env.JWT_PREVIOUS_PUBLIC_KEYS);
  const postgres = createLazyPostgres({
    url: env.DATABASE_URL,
    connectTimeoutMs: env.DATABASE_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
    poolMax: env.DATABASE_POOL_MAX,
  });
  const redis = redisFrom(env);
  const telemetry = createTelemetry(service, env);
  const { logger } = telemetry;
  const realtime = createRealtimePorts(redis, env, telemetry);
  const deps: AppDeps = {
    ...realtime,
    users: postgres.users,
    sessions: createSessionStore(redis, env.REDIS_KEY_PREFIX),
    accounts: createAccountEraser(redis, env.REDIS_KEY_PREFIX),
    sockets: { close: (userId, sessionId) => closeSessionSockets(deps, userId, sessionId) },
    tokens: createTokenService({
      keys,
      issuer: env.JWT_ISSUER,
      accessTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
      refreshTtlSeconds: env.REFRESH_TOKEN_TTL_SECONDS,
    }),
    passwords: createPasswordHasher({ pepper: env.PASSWORD_PEPPER, cost: env.BCRYPT_COST }),
    policy: policyFrom(env),
    publicJwks: keys.publicJwks,
    readiness: {
      postgres: async () => {
        await (await postgres.open()).pool.query('select 1');
      },
      redis: async () => {
        await redis.ping();
      },
    },
    logError: (message, details) => logger.error(message, details),
    mailer: createSesMailer({
      from: env.MAIL_FROM,
      region: env.AWS_REGION,
      endpoint: env.SES_ENDPOINT,
      onError: (message, details) => logger.error(message, details),
    }),
    webUrl: webUrlOf(env),
    verificationTokens: createVerificationTokenStore(redis),
    emailVerification: {
      tokenTtlSeconds: env.EMAIL_VERIFY_TTL_SECONDS,
      resendLimit: {
        limit: env.EMAIL_VERIFY_RESEND_LIMIT,
        windowSeconds: env.EMAIL_VERIFY_RESEND_WINDOW_SECONDS,
      },
    },
    resetTokens: createResetTokenStore(redis),
    passwordReset: {
      tokenTtlSeconds: env.PASSWORD_RESET_TTL_SECONDS,
      emailLimit: env.PASSWORD_RESET_EMAIL_LIMIT,
      ipLimit: env.PASSWORD_RESET_IP_LIMIT,
      windowSeconds: env.PASSWORD_RESET_WINDOW_SECONDS,
      minResponseMs: env.PASSWORD_RESET_MIN_RESPONSE_MS,
    },
    pause: async (ms) => void (await sleep(ms)),
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
    logger,
    telemetry,
    postgres,
    redis,
    close: async () => void (await Promise.allSettled([postgres.end(), redis.quit()])),
  };
}
