import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { generateSigningKeyJson } from '../shared/adapters/crypto/generate-signing-key.js';
import { publicJwksJson } from '../shared/adapters/crypto/public-jwks.js';
import { createDatabase } from '../shared/adapters/db/client.js';
import { runMigrations } from '../shared/adapters/db/migrate.js';
import { type Env, loadEnv } from '../shared/config/env.js';

const ADMIN_URL = process.env.BENCH_POSTGRES_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const HUGE_LIMIT = '1000000000';

/** The real services, scoped to this run: a throwaway database and a unique Redis key prefix. */
export interface BenchServices {
  /** Environment variables as a Lambda would receive them (also handed to cold-start child processes). */
  vars: Record<string, string>;
  env: Env;
  databaseName: string;
  cleanup(): Promise<void>;
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

const escapeGlob = (value: string): string => value.replace(/[*?[\]\\]/g, (char) => `\\${char}`);

/** SCAN + DEL every key under the prefix, on a connection of its own (SCAN ignores ioredis' keyPrefix). */
async function deleteKeysWithPrefix(url: string, prefix: string): Promise<number> {
  if (!prefix) throw new Error('Refusing to delete keys without a prefix');
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2_000 });
  redis.on('error', () => {});
  let deleted = 0;
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

export async function provisionServices(bcryptCost: number): Promise<BenchServices> {
  const id = randomBytes(6).toString('hex');
  const databaseName = `bench_${id}`;
  await withAdmin((client) => client.query(`CREATE DATABASE "${databaseName}"`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${databaseName}`;
  const prefix = `bench:${id}:`;

  let cleaned = false;
  const cleanup = async (): Promise<void> => {
    if (cleaned) return;
    cleaned = true;
    await Promise.allSettled([
      deleteKeysWithPrefix(REDIS_URL, prefix),
      withAdmin((client) => client.query(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`)),
    ]);
  };

  try {
    const migrator = createDatabase({
      url: url.toString(),
      connectTimeoutMs: 5_000,
      statementTimeoutMs: 30_000,
    });
    try {
      await runMigrations(migrator.db);
    } finally {
      await migrator.pool.end();
    }
    const signingKey = await generateSigningKeyJson(`bench-${id}`);
    const vars: Record<string, string> = {
      NODE_ENV: 'production',
      LOG_LEVEL: 'SILENT',
      DATABASE_URL: url.toString(),
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      JWT_SIGNING_KEY: signingKey,
      // `$connect` verifies with the public half only (shared/config/realtime-env.ts).
      JWT_PUBLIC_KEYS: publicJwksJson(signingKey),
      PASSWORD_PEPPER: randomBytes(32).toString('base64url'),
      BCRYPT_COST: String(bcryptCost),
      LOGIN_IP_LIMIT: HUGE_LIMIT,
      LOGIN_ACCOUNT_LIMIT: HUGE_LIMIT,
      LOGIN_ACCOUNT_IP_LIMIT: HUGE_LIMIT,
      REGISTER_IP_LIMIT: HUGE_LIMIT,
      MESSAGE_LIMIT: HUGE_LIMIT,
      SEARCH_LIMIT: HUGE_LIMIT,
      TICKET_LIMIT: HUGE_LIMIT,
      WS_CONNECT_LIMIT: HUGE_LIMIT,
      WS_USER_FRAME_LIMIT: HUGE_LIMIT,
      WS_MAX_CONNECTIONS_PER_USER: HUGE_LIMIT,
    };
    return { vars, env: loadEnv(vars), databaseName, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
