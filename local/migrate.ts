import { createDatabase } from '../shared/adapters/db/client.js';
import { runMigrations } from '../shared/adapters/db/migrate.js';

// `npm run db:migrate`: applies committed migrations to DATABASE_URL (only the database is needed).
const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/chat_dev';
const { db, pool } = createDatabase({ url, connectTimeoutMs: 5000, statementTimeoutMs: 60_000 });
await runMigrations(db);
await pool.end();
console.log(`Migrations applied to ${new URL(url).host}${new URL(url).pathname}`);
