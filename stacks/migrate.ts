import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  FUNCTIONS,
  type FunctionSpec,
  LAMBDA_BASE_ENVIRONMENT,
  MIGRATIONS_DIR as MIGRATIONS,
  sstMemory,
  sstTimeout,
} from './function-specs';
import { lambdaDefaults } from './lambda';

/** Content hash of the committed migrations: the deploy-time invocation re-runs when (and only when) it changes. */
function migrationsHash(): string {
  const hash = createHash('sha256');
  const files = readdirSync(MIGRATIONS, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  for (const file of files) hash.update(file).update(readFileSync(file));
  return hash.digest('hex');
}

export interface MigrationDeps {
  vpc: sst.aws.Vpc;
  db: sst.aws.Postgres;
  /** The Redis the user directory is mirrored into: a new one (another engine, a replacement) needs a backfill. */
  redisHost: $util.Input<string>;
  /** What shared/config/migrate-env.ts reads: the database, and Redis for the user directory it mirrors. */
  link: unknown[];
}

/**
 * functions/migrate.ts, invoked once per deploy that changes the migrations, the database or the Redis
 * (drizzle skips applied migrations and the directory backfill is idempotent, so a re-run is harmless). It waits
 * for the database itself (up to 2 min of backoff), and a failing migration fails the deploy. The API functions
 * take the returned invocation as a dependency (sst.config.ts): their new code goes live only after it succeeded.
 * Under `sst dev` the database is the local one: run `npm run db:migrate` instead.
 */
export function createMigration({ vpc, db, redisHost, link }: MigrationDeps) {
  const spec: FunctionSpec = FUNCTIONS.migrate;
  const migrator = new sst.aws.Function('Migrator', {
    handler: spec.handler,
    ...lambdaDefaults({ vpc, reservedConcurrency: spec.reservedConcurrency }),
    environment: { ...LAMBDA_BASE_ENVIRONMENT, ...spec.settings },
    memory: sstMemory(spec),
    timeout: sstTimeout(spec),
    link,
    // shared/adapters/db/migrate.ts resolves `./migrations` next to the bundle (SST writes /var/task/bundle.mjs).
    copyFiles: [...(spec.copyFiles ?? [])],
  });
  const invocation = new aws.lambda.Invocation('MigrateOnDeploy', {
    functionName: migrator.name,
    input: JSON.stringify({ reason: 'deploy' }),
    triggers: { migrations: migrationsHash(), database: db.id, redis: redisHost },
  });
  return { migrator, invocation };
}
