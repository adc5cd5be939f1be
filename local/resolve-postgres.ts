import { mkdir } from 'node:fs/promises';
import pg from 'pg';
import { freePort, isPortOpen } from './net-utils.js';

export interface ResolvedService {
  url: string;
  description: string;
  stop: () => Promise<void>;
}

const LOCAL_SERVER = 'postgres://postgres@127.0.0.1:5432';
const DEV_DATABASE = 'chat_dev';
const noop = async () => {};

/** Creates the database a URL names when its server lacks it (a fresh docker-compose volume, `sst dev`'s chat_dev). */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const admin = new URL(databaseUrl);
  const database = decodeURIComponent(admin.pathname.slice(1));
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (!rowCount) await client.query(`create database "${database.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
}

async function startPglite(dataDir: string): Promise<ResolvedService> {
  // Loaded only on this fallback path: PGlite is a WASM build of Postgres, heavy to import.
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  await mkdir(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  const port = await freePort();
  const server = new PGLiteSocketServer({ db, port, host: '127.0.0.1', maxConnections: 8 });
  await server.start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    description: `embedded PGlite (data in ${dataDir}) on 127.0.0.1:${port}`,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}

/** DATABASE_URL, else a local server on 5432 (database chat_dev), else embedded PGlite under .data/. */
export async function resolvePostgres(env: NodeJS.ProcessEnv, dataDir: string): Promise<ResolvedService> {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, description: 'DATABASE_URL', stop: noop };
  if (await isPortOpen(5432)) {
    try {
      await ensureDatabase(`${LOCAL_SERVER}/${DEV_DATABASE}`);
      return {
        url: `${LOCAL_SERVER}/${DEV_DATABASE}`,
        description: `local Postgres on 127.0.0.1:5432, database ${DEV_DATABASE}`,
        stop: noop,
      };
    } catch (error) {
      console.warn(`Postgres on 5432 refused us (${(error as Error).message}); falling back to PGlite.`);
    }
  }
  return startPglite(dataDir);
}
