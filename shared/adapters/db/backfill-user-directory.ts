import { asc, gt } from 'drizzle-orm';
import type { RedisClient } from '../redis/client.js';
import { createUserDirectory } from '../redis/user-directory.js';
import type { Database } from './client.js';
import { users } from './schema.js';

export interface BackfillOptions {
  /** Users read per query and written per pipelined Redis batch. */
  batchSize?: number;
}

/**
 * Migration step after the schema migrations: mirrors every user's existence and display name into the
 * Redis user directory, which the realtime path reads instead of Postgres. Idempotent (each write carries
 * the row's `updated_at`, so re-running, or racing a rename, never installs an older name) and batched by
 * keyset pagination on the primary key. Returns how many users it wrote.
 */
export async function backfillUserDirectory(
  db: Database,
  redis: RedisClient,
  options: BackfillOptions = {},
): Promise<number> {
  const batchSize = options.batchSize ?? 500;
  const directory = createUserDirectory(redis);
  let after: string | undefined;
  let written = 0;
  for (;;) {
    const rows = await db
      .select({ id: users.id, displayName: users.displayName, updatedAt: users.updatedAt })
      .from(users)
      .where(after === undefined ? undefined : gt(users.id, after))
      .orderBy(asc(users.id))
      .limit(batchSize);
    await Promise.all(rows.map((row) => directory.put(row)));
    written += rows.length;
    after = rows.at(-1)?.id;
    if (rows.length < batchSize || after === undefined) return written;
  }
}
