import { Logger } from '@aws-lambda-powertools/logger';
import { backfillUserDirectory } from '../shared/adapters/db/backfill-user-directory.js';
import { createDatabase } from '../shared/adapters/db/client.js';
import { runMigrations } from '../shared/adapters/db/migrate.js';
import { waitForDatabase } from '../shared/adapters/db/wait-for-database.js';
import { createRedis } from '../shared/adapters/redis/client.js';
import type { BackoffPolicy } from '../shared/domain/backoff.js';
import { loadLinkedMigrateEnv } from './resource-env.js';

/**
 * Up to two minutes of retries (1 s doubling to 15 s, jittered) before the first migration: a new RDS instance
 * or Proxy target can take that long to accept connections. Well inside the function's 300 s timeout, which
 * leaves the migrations and the directory backfill the rest.
 */
const DATABASE_WAIT: BackoffPolicy = { baseMs: 1_000, capMs: 15_000, budgetMs: 120_000 };

/**
 * Deploy-time step (invoked by the stack when the migrations change; invoke it by hand to repair a flushed
 * Redis): waits for the database, applies the schema migrations, then mirrors every user into the Redis user
 * directory. Idempotent. The API functions deploy only after it succeeds (stacks/migrate.ts).
 */
export async function handler(): Promise<{ status: 'migrated'; directoryEntries: number; attempts: number }> {
  const env = loadLinkedMigrateEnv();
  const logger = new Logger({ serviceName: 'migrate', logLevel: env.LOG_LEVEL });
  const { attempts } = await waitForDatabase({
    url: env.DATABASE_URL,
    connectTimeoutMs: 5_000,
    policy: DATABASE_WAIT,
    onRetry: (attempt, delayMs, error) =>
      logger.warn('database not ready, retrying', {
        attempt,
        delayMs,
        reason: error instanceof Error ? error.message : String(error),
      }),
  });
  const { db, pool } = createDatabase({
    url: env.DATABASE_URL,
    poolMax: env.DATABASE_POOL_MAX,
    connectTimeoutMs: 10_000,
    statementTimeoutMs: 5 * 60_000,
  });
  const redis = createRedis({
    url: env.REDIS_URL,
    mode: env.REDIS_MODE,
    keyPrefix: env.REDIS_KEY_PREFIX,
    commandTimeoutMs: 5_000,
  });
  try {
    await runMigrations(db);
    const directoryEntries = await backfillUserDirectory(db, redis);
    return { status: 'migrated', directoryEntries, attempts };
  } finally {
    await Promise.allSettled([pool.end(), redis.quit()]);
  }
}
