import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { createDatabase } from '../../shared/adapters/db/client.js';
import { runMigrations } from '../../shared/adapters/db/migrate.js';

const ADMIN_URL = process.env.TEST_POSTGRES_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

declare module 'vitest' {
  export interface ProvidedContext {
    testDatabaseUrl: string;
  }
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates a throwaway database for this run, migrates it and hands its URL to the workers (both as
 * `TEST_DATABASE_URL` and via `provide`); the teardown drops it again, even with lingering connections.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Lowercase hex only, so the name never needs quoting rules beyond the identifier quotes below.
  const name = `auth_it_${randomBytes(6).toString('hex')}`;
  await withAdmin((client) => client.query(`CREATE DATABASE "${name}"`));

  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  try {
    const { db, pool } = createDatabase({
      url: databaseUrl,
      connectTimeoutMs: 5_000,
      statementTimeoutMs: 30_000,
    });
    try {
      await runMigrations(db);
    } finally {
      await pool.end();
    }
  } catch (error) {
    await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    throw error;
  }

  process.env.TEST_DATABASE_URL = databaseUrl;
  project.provide('testDatabaseUrl', databaseUrl);

  return async () => {
    await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  };
}
