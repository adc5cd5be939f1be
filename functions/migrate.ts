import { backfillUserDirectory } from '../shared/adapters/db/backfill-user-directory.js';
import { createDatabase } from '../shared/adapters/db/client.js';
import { runMigrations } from '../shared/adapters/db/migrate.js';
import { createRedis } from '../shared/adapters/redis/client.js';
import { loadLinkedMigrateEnv } from './resource-env.js';

/**
 * Deploy-time step (invoked by the stack when the migrations change; invoke it by hand to repair a flushed
 * Redis): applies the schema migrations, then mirrors every user into the Redis user directory. Idempotent.
 */
export async function handler(): Promise<{ status: 'migrated'; directoryEntries: number }> {
  const env = loadLinkedMigrateEnv();
  const { db, pool } = createDatabase({
    url: env.DATABASE_URL,
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
    return { status: 'migrated', directoryEntries };
  } finally {
    await Promise.allSettled([pool.end(), redis.quit()]);
  }
}
