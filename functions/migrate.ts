import { createDatabase } from '../shared/adapters/db/client.js';
import { runMigrations } from '../shared/adapters/db/migrate.js';
import { loadLinkedMigrateEnv } from './resource-env.js';

/** Deploy-time migration step (invoked by the stack after each deploy); idempotent. */
export async function handler(): Promise<{ status: 'migrated' }> {
  const env = loadLinkedMigrateEnv();
  const { db, pool } = createDatabase({
    url: env.DATABASE_URL,
    connectTimeoutMs: 10_000,
    statementTimeoutMs: 5 * 60_000,
  });
  try {
    await runMigrations(db);
    return { status: 'migrated' };
  } finally {
    await pool.end();
  }
}
