import { backfillUserDirectory } from '../shared/adapters/db/backfill-user-directory.js';
import { createDatabase } from '../shared/adapters/db/client.js';
import { runMigrations } from '../shared/adapters/db/migrate.js';
import { createRedis } from '../shared/adapters/redis/client.js';

// `npm run db:migrate`: applies committed migrations to DATABASE_URL, then mirrors users into the Redis
// user directory at REDIS_URL (what the deployed migrator does).
const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/chat_dev';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const { db, pool } = createDatabase({ url, connectTimeoutMs: 5000, statementTimeoutMs: 60_000 });
const redis = createRedis({
  url: redisUrl,
  mode: process.env.REDIS_MODE === 'cluster' ? 'cluster' : 'standalone',
  keyPrefix: process.env.REDIS_KEY_PREFIX ?? '',
  commandTimeoutMs: 5_000,
});
try {
  await runMigrations(db);
  const entries = await backfillUserDirectory(db, redis);
  console.log(
    `Migrations applied to ${new URL(url).host}${new URL(url).pathname}; ${entries} users in the directory`,
  );
} finally {
  await Promise.allSettled([pool.end(), redis.quit()]);
}
