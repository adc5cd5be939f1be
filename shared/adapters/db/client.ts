import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import * as schema from './schema.js';

export type Database = NodePgDatabase<typeof schema>;

export interface DatabaseOptions {
  url: string;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  /** Defaults to 1; only a process serving concurrent requests (the local emulator) needs more. */
  poolMax?: number;
}

/**
 * One connection per Lambda environment (`max: 1`): a Lambda serves one request at a time, and RDS Proxy
 * multiplexes. Every wait is bounded so a dead database becomes a fast 503, not a gateway timeout; that
 * bound includes waiting for the pool's connection, so a process serving many requests needs `poolMax`.
 */
export function createDatabase(options: DatabaseOptions): { db: Database; pool: pg.Pool } {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax ?? 1,
    connectionTimeoutMillis: options.connectTimeoutMs,
    statement_timeout: options.statementTimeoutMs,
    query_timeout: options.statementTimeoutMs + 1000,
    idleTimeoutMillis: 60_000,
    allowExitOnIdle: true,
  });
  // An idle client dropped by the server (failover, Lambda thaw) must not crash the process.
  pool.on('error', () => {});
  return { db: drizzle(pool, { schema }), pool };
}
