import { backfillUserDirectory } from '../shared/adapters/db/backfill-user-directory.js';
import { createDatabase } from '../shared/adapters/db/client.js';
import { runMigrations } from '../shared/adapters/db/migrate.js';
import { createRedis } from '../shared/adapters/redis/client.js';
import { ensureDatabase } from './resolve-postgres.js';

// `npm run db:migrate`: creates DATABASE_URL's database when the server lacks it (what `sst dev` links: chat_dev on
// docker-compose's Postgres), applies committed migrations to it, then mirrors users into the Redis user directory
// at REDIS_URL (what the deployed migrator does).
const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/chat_dev';
await ensureDatabase(url).catch((error: unknown) => {
  // A role that may not list or create databases: migrate what exists, and let that fail if it does not.
  console.warn(`Could not check or create the database (${(error as Error).message}); migrating it as is.`);
});
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
